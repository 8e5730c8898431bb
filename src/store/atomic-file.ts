/**
 * Atomic small-file replacement: write a 0600 temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A crash leaves either the old file or the new one, never a mix; a
 * failed write (disk full) leaves the old file and no temp file, and throws StoreWriteError.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Rng } from '../crypto/bytes.ts';
import { toHex } from '../crypto/bytes.ts';
import { StoreWriteError } from './errors.ts';
import { openPrivateFileExclusive } from './permissions.ts';

/** fsync a directory so a rename or unlink in it survives a power cut (no-op where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Windows cannot open directories; some filesystems refuse fsync on them. The rename still happened.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeFileAtomic(path: string, content: string | Uint8Array, rng: Rng): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${toHex(rng(6))}.tmp`);
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let renamed = false;
  try {
    const fd = openPrivateFileExclusive(tmp);
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    renamed = true;
    fsyncDir(dir);
  } catch (error) {
    if (!renamed) rmSync(tmp, { force: true });
    throw new StoreWriteError(`writing ${path}: ${(error as Error).message}`, error);
  }
}

/**
 * Private files and directories: creates directories 0700 and files 0600 whatever the umask, and refuses
 * (PermissionsTooOpenError) a data directory, profile directory or profile file that other users can
 * reach. POSIX modes only: on Windows the per-user profile directory's ACL is relied on instead.
 * Knows nothing about what the files contain.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { DIR_MODE, FILE_MODE } from './constants.ts';
import { PermissionsTooOpenError } from './errors.ts';

export { DIR_MODE, FILE_MODE };

const POSIX = process.platform !== 'win32';

/** mkdir -p; every directory this call creates gets exactly 0700 (existing ones are left as they are). */
export function ensurePrivateDir(path: string): void {
  if (existsSync(path)) return;
  const first = mkdirSync(path, { recursive: true, mode: DIR_MODE });
  if (!POSIX || first === undefined) return;
  // mkdir's mode is filtered by the umask: set it explicitly on each directory created, leaf to first.
  for (let dir = path; ; dir = dirname(dir)) {
    chmodSync(dir, DIR_MODE);
    if (dir === first || dirname(dir) === dir) break;
  }
}

/**
 * Opens a new file exclusively (fails with EEXIST when it exists) with exactly mode 0600, and returns
 * its descriptor.
 */
export function openPrivateFileExclusive(path: string): number {
  const fd = openSync(path, 'wx', FILE_MODE);
  try {
    if (POSIX) fchmodSync(fd, FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

function checkOne(path: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path); // follows symlinks: what matters is the mode of what is reached
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // vanished or dangling: nothing to expose
    throw error;
  }
  if ((st.mode & 0o077) !== 0) throw new PermissionsTooOpenError(path, st.mode, st.isDirectory());
}

/**
 * Throws PermissionsTooOpenError naming the first path that is group- or world-accessible: the data
 * dir, `profiles/`, the profile dir, or anything inside the profile dir (recursively).
 */
export function checkPrivate(dataDir: string, profileDir: string): void {
  if (!POSIX) return;
  checkOne(dataDir);
  checkOne(dirname(profileDir));
  if (!existsSync(profileDir)) return;
  const walk = (dir: string): void => {
    checkOne(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else checkOne(p);
    }
  };
  walk(profileDir);
}

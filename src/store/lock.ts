/**
 * One process per profile: the `lock` file holds the owner's pid. It is created atomically with its
 * content (pid written to a private temp file, then hard-linked into place, which fails if the lock
 * exists), so nobody ever sees a half-written lock. A lock whose pid is dead, or that predates the last
 * boot, is taken over; a live owner gives ProfileInUseError(pid). (The database connection additionally
 * holds SQLite's exclusive lock, which the kernel drops when a process dies: the two together make a
 * double open impossible even in a takeover race.) Knows nothing about what is locked.
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { uptime } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Rng } from '../crypto/bytes.ts';
import { toHex } from '../crypto/bytes.ts';
import { LOCK_ATTEMPTS, LOCK_BOOT_MARGIN_MS } from './constants.ts';
import { ProfileInUseError, StoreWriteError } from './errors.ts';
import { openPrivateFileExclusive } from './permissions.ts';

export interface ProfileLock {
  readonly path: string;
  /** Removes the lock file if this process still owns it. Idempotent. */
  release(): void;
}

/** Lock paths held by this process: a second open of the same profile in one process is refused too. */
const held = new Set<string>();

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file; undefined when missing, empty or garbled. */
export function readLockPid(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    if (!/^\d{1,10}\n?$/.test(text)) return undefined;
    const pid = Number.parseInt(text, 10);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function writeTemp(path: string): void {
  const fd = openPrivateFileExclusive(path);
  try {
    writeSync(fd, `${process.pid}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates `lock` from the temp file atomically; false when a lock already exists. */
function tryPublish(tmp: string, lock: string): boolean {
  try {
    linkSync(tmp, lock);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      // A filesystem without hard links: fall back to O_EXCL create + write.
      try {
        writeTemp(lock);
        return true;
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw inner;
      }
    }
    throw error;
  }
}

/** Why an existing lock may be taken over, or undefined when its owner is alive. */
function staleReason(lock: string, owner: number | undefined): string | undefined {
  if (owner === undefined) return 'unreadable';
  if (owner === process.pid) return 'own pid from an earlier run'; // `held` was checked before
  try {
    const bootMs = Date.now() - uptime() * 1000;
    if (statSync(lock).mtimeMs < bootMs - LOCK_BOOT_MARGIN_MS) return 'older than the last boot';
  } catch {
    return 'vanished';
  }
  return pidAlive(owner) ? undefined : 'owner is dead';
}

/**
 * Moves a stale lock aside, checking that what was moved is the lock judged stale (same pid). If another
 * process replaced it in between, its lock is put back.
 */
function removeStale(lock: string, owner: number | undefined, rng: Rng): void {
  const aside = `${lock}.stale.${process.pid}.${toHex(rng(6))}`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // gone already: someone else removed or took it
  }
  const moved = readLockPid(aside);
  if (moved !== owner && moved !== undefined && pidAlive(moved)) {
    try {
      linkSync(aside, lock); // a fresh lock of a live process: restore it
    } catch {
      // A third process published meanwhile; the loop sees its lock.
    }
  }
  rmSync(aside, { force: true });
}

export function acquireLock(path: string, rng: Rng): ProfileLock {
  // Canonical path, so two spellings of one profile (symlinked home) are one lock.
  const lock = join(realpathSync(dirname(path)), basename(path));
  if (held.has(lock)) throw new ProfileInUseError(process.pid);
  const tmp = `${lock}.${process.pid}.${toHex(rng(6))}.tmp`;
  try {
    writeTemp(tmp);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new StoreWriteError(`creating ${lock}: ${(error as Error).message}`, error);
  }
  try {
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      if (tryPublish(tmp, lock)) {
        // Re-check: a racing takeover may have replaced our lock right after we published it.
        if (readLockPid(lock) !== process.pid) continue;
        held.add(lock);
        let released = false;
        return {
          path: lock,
          release() {
            if (released) return;
            released = true;
            held.delete(lock);
            if (readLockPid(lock) === process.pid) {
              try {
                unlinkSync(lock);
              } catch {
                // Already gone; nothing to release.
              }
            }
          },
        };
      }
      const owner = readLockPid(lock);
      if (staleReason(lock, owner) === undefined) throw new ProfileInUseError(owner);
      removeStale(lock, owner, rng);
    }
    throw new ProfileInUseError(readLockPid(lock));
  } finally {
    rmSync(tmp, { force: true });
  }
}

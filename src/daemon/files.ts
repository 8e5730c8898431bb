/**
 * The daemon's files in the profile directory: the socket path (checked against the Unix path limit)
 * and the cookie (32 random bytes, hex, written atomically 0600, compared in constant time). Knows
 * nothing about the protocol or the API.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../crypto/bytes.ts';
import { toHex } from '../crypto/bytes.ts';
import { COOKIE_BYTES, COOKIE_FILE, maxSocketPathBytes, SOCKET_FILE } from './constants.ts';
import { SocketPathTooLongError } from './errors.ts';

export interface DaemonPaths {
  readonly socket: string;
  readonly cookie: string;
}

export function daemonPaths(profileDir: string): DaemonPaths {
  return { socket: join(profileDir, SOCKET_FILE), cookie: join(profileDir, COOKIE_FILE) };
}

/** True when the socket path fits the platform's `sun_path`. */
export function socketPathFits(path: string, platform: NodeJS.Platform = process.platform): boolean {
  return Buffer.byteLength(path, 'utf8') <= maxSocketPathBytes(platform);
}

/** Throws SocketPathTooLongError naming the limit when the path does not fit. */
export function checkSocketPath(path: string, platform: NodeJS.Platform = process.platform): void {
  if (!socketPathFits(path, platform)) {
    throw new SocketPathTooLongError(path, Buffer.byteLength(path, 'utf8'), maxSocketPathBytes(platform));
  }
}

const COOKIE_PATTERN = new RegExp(`^[0-9a-f]{${COOKIE_BYTES * 2}}$`);

export function newCookie(rng: Rng): string {
  return toHex(rng(COOKIE_BYTES));
}

/**
 * Writes the cookie atomically with mode 0600: a private temp file in the same directory, fsync,
 * rename over the old one. A reader sees the old cookie or the new one, never a partial one.
 */
export function writeCookie(path: string, cookie: string, rng: Rng): void {
  const tmp = `${path}.${process.pid}.${toHex(rng(6))}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      if (process.platform !== 'win32') fchmodSync(fd, 0o600);
      writeSync(fd, `${cookie}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** The cookie in the file, or undefined when it is missing or not a well-formed cookie. */
export function readCookie(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const cookie = text.trim();
  return COOKIE_PATTERN.test(cookie) ? cookie : undefined;
}

/** Constant-time comparison of a presented cookie with the daemon's (format checked first). */
export function cookieMatches(expected: string, presented: string): boolean {
  if (!COOKIE_PATTERN.test(presented)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(presented, 'hex'));
}

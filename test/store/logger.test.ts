/**
 * The file logger: JSON lines at or above the level, scoped children, reserved keys not overridable,
 * 0600 file in a 0700 logs dir, size-based rotation keeping N files, never creating a profile dir,
 * never throwing.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { nullLogger } from '../../src/log/logger.ts';
import { createFileLogger } from '../../src/store/file-logger.ts';
import { type TempDir, tempDir } from './helpers.ts';

let tmp: TempDir;
let profile: string;
beforeEach(() => {
  tmp = tempDir();
  profile = join(tmp.dir, 'profile');
  mkdirSync(profile, { mode: 0o700 });
});
afterEach(() => tmp.cleanup());

const lines = (f: string) =>
  readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('logger', () => {
  test('JSON lines with time, level, scope, event and fields; below-level lines dropped', () => {
    const log = createFileLogger({ dir: profile, level: 'info', now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    log.debug('hidden');
    log.info('store.opened', { protection: 'passphrase', count: 3, ok: true, none: null });
    log.child('net').child('nat').warn('mapping.failed', { code: 'Timeout', level: 'spoofed', event: 'x' });
    const file = join(profile, 'logs', 'pvt.log');
    expect(lines(file)).toEqual([
      {
        t: '2025-01-02T03:04:05.000Z',
        level: 'info',
        scope: 'pvt',
        event: 'store.opened',
        protection: 'passphrase',
        count: 3,
        ok: true,
        none: null,
      },
      {
        t: '2025-01-02T03:04:05.000Z',
        level: 'warn',
        scope: 'pvt.net.nat',
        event: 'mapping.failed',
        code: 'Timeout',
      },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(profile, 'logs')).mode & 0o777).toBe(0o700);
  });

  test('rotates by size and keeps N old files', () => {
    const log = createFileLogger({ dir: profile, level: 'debug', maxBytes: 200, keep: 2 });
    for (let i = 0; i < 40; i++) log.info('tick', { i });
    const files = readdirSync(join(profile, 'logs')).sort();
    expect(files).toEqual(['pvt.log', 'pvt.log.1', 'pvt.log.2']);
    for (const f of files) {
      expect(statSync(join(profile, 'logs', f)).size).toBeLessThanOrEqual(200);
      expect(statSync(join(profile, 'logs', f)).mode & 0o777).toBe(0o600);
    }
    // The newest line is in pvt.log, the older ones in .1 then .2, in order.
    const seq = [
      ...lines(join(profile, 'logs', 'pvt.log.2')),
      ...lines(join(profile, 'logs', 'pvt.log.1')),
      ...lines(join(profile, 'logs', 'pvt.log')),
    ].map((l) => l.i as number);
    expect(seq.at(-1)).toBe(39);
    expect(seq).toEqual([...seq].sort((a, b) => a - b));
  });

  test('never creates a missing profile dir and never throws', () => {
    const missing = join(tmp.dir, 'nope');
    createFileLogger({ dir: missing, level: 'debug' }).error('x');
    expect(existsSync(missing)).toBe(false);
    if (process.getuid?.() !== 0) {
      chmodSync(profile, 0o500);
      expect(() => createFileLogger({ dir: profile, level: 'debug' }).error('x')).not.toThrow();
      chmodSync(profile, 0o700);
    }
    expect(() => nullLogger.child('a').info('b', { c: 1 })).not.toThrow();
  });
});

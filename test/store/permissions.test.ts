/**
 * Private modes: directories created 0700 and files 0600 whatever the umask, and a start-up refusal
 * (PermissionsTooOpenError naming the path, the mode and the chmod fix) when the data dir, the profile
 * dir or any file in it is reachable by group or others.
 */
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { PermissionsTooOpenError } from '../../src/store/errors.ts';
import { checkPrivate, ensurePrivateDir } from '../../src/store/permissions.ts';
import { openProfile } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { newProfile, PASSPHRASE, type TempDir, tempDir } from './helpers.ts';

const posix = process.platform !== 'win32';
let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function refusal(fn: () => unknown): PermissionsTooOpenError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PermissionsTooOpenError) return e;
    throw e;
  }
  return undefined;
}

describe.skipIf(!posix)('permissions', () => {
  test('directories are created 0700 even under a permissive umask', () => {
    const old = process.umask(0o000);
    try {
      const deep = join(tmp.dir, 'a', 'b', 'c');
      ensurePrivateDir(deep);
      for (const d of ['a', 'a/b', 'a/b/c']) expect(statSync(join(tmp.dir, d)).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(old);
    }
  });

  test('profile files are created 0600 even under a permissive umask', async () => {
    const old = process.umask(0o000);
    try {
      const s = await newProfile(tmp.dir);
      for (const f of ['key.json', 'pvt.db', 'pvt.db-wal', 'lock']) {
        expect(statSync(join(s.dir, f)).mode & 0o777).toBe(0o600);
      }
      s.close();
    } finally {
      process.umask(old);
    }
  });

  test('a 0644 file in the profile is refused with its path, its mode and the fix', async () => {
    const s = await newProfile(tmp.dir);
    s.close();
    const db = join(s.dir, 'pvt.db');
    chmodSync(db, 0o644);
    const error = refusal(() => checkPrivate(tmp.dir, s.dir));
    expect(error?.code).toBe('PermissionsTooOpen');
    expect(error?.message).toContain(db);
    expect(error?.message).toContain('mode 644');
    expect(error?.message).toContain(`chmod 600 '${db}'`);
    await expect(
      openProfile({ dataDir: tmp.dir, profile: 'default', rng: systemRng, passphrase: PASSPHRASE }),
    ).rejects.toBeInstanceOf(PermissionsTooOpenError);
    expect(statSync(db).mode & 0o777).toBe(0o644); // refused, not silently "fixed"
  });

  test('a 0755 profile dir, data dir or nested logs dir is refused with chmod 700', async () => {
    const s = await newProfile(tmp.dir);
    s.close();
    for (const dir of [s.dir, tmp.dir, join(tmp.dir, 'profiles')]) {
      chmodSync(dir, 0o755);
      const error = refusal(() => checkPrivate(tmp.dir, s.dir));
      expect(error?.message).toContain(`chmod 700 '${dir}'`);
      chmodSync(dir, 0o700);
    }
    mkdirSync(join(s.dir, 'logs'), { mode: 0o700 });
    writeFileSync(join(s.dir, 'logs', 'pvt.log'), '', { mode: 0o640 });
    chmodSync(join(s.dir, 'logs', 'pvt.log'), 0o640);
    expect(refusal(() => checkPrivate(tmp.dir, s.dir))?.message).toContain('pvt.log');
    chmodSync(join(s.dir, 'logs', 'pvt.log'), 0o600);
    expect(refusal(() => checkPrivate(tmp.dir, s.dir))).toBeUndefined();
  });

  test('creating a profile in a world-readable data dir is refused before anything is written', async () => {
    chmodSync(tmp.dir, 0o755);
    await expect(newProfile(tmp.dir)).rejects.toBeInstanceOf(PermissionsTooOpenError);
    expect(readdirSync(tmp.dir)).toEqual([]);
    chmodSync(tmp.dir, 0o700);
  });
});

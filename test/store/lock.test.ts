/**
 * One process per profile: a live owner is refused with its pid, a dead owner's lock (a real process
 * that has exited) is taken over, garbage is taken over, a lock is released on close, and the SQLite
 * exclusive lock backs the pid file when two processes race.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProfileInUseError } from '../../src/store/errors.ts';
import { acquireLock, pidAlive } from '../../src/store/lock.ts';
import { openProfile } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { newProfile, PASSPHRASE, type TempDir, tempDir } from './helpers.ts';

let tmp: TempDir;
let lockPath: string;
beforeEach(() => {
  tmp = tempDir();
  lockPath = join(tmp.dir, 'lock');
});
afterEach(() => tmp.cleanup());

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  expect(r.status).toBe(0);
  const pid = r.pid as number;
  expect(pidAlive(pid)).toBe(false);
  return pid;
}

describe('lock', () => {
  test('acquire writes our pid; release removes it; a second acquire in this process is refused', () => {
    const lock = acquireLock(lockPath, systemRng);
    expect(readFileSync(lockPath, 'utf8')).toBe(`${process.pid}\n`);
    expect(() => acquireLock(lockPath, systemRng)).toThrow(ProfileInUseError);
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
    lock.release(); // idempotent
    acquireLock(lockPath, systemRng).release();
  });

  test('a live pid is refused with the pid in the message', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      const pid = holder.pid as number;
      writeFileSync(lockPath, `${pid}\n`, { mode: 0o600 });
      const error = (() => {
        try {
          acquireLock(lockPath, systemRng);
        } catch (e) {
          return e as ProfileInUseError;
        }
      })();
      expect(error).toBeInstanceOf(ProfileInUseError);
      expect(error?.message).toBe(`profile in use by pid ${pid}`);
      expect(error?.pid).toBe(pid);
      expect(readFileSync(lockPath, 'utf8')).toBe(`${pid}\n`); // untouched
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('a stale lock of a process that has exited is taken over', () => {
    writeFileSync(lockPath, `${deadPid()}\n`, { mode: 0o600 });
    const lock = acquireLock(lockPath, systemRng);
    expect(readFileSync(lockPath, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  test('a garbled lock file is taken over', () => {
    writeFileSync(lockPath, 'not a pid', { mode: 0o600 });
    acquireLock(lockPath, systemRng).release();
  });

  test('a lock older than the last boot is stale even if its pid is alive now (pid reuse)', () => {
    writeFileSync(lockPath, '1\n', { mode: 0o600 }); // pid 1 is always alive
    expect(() => acquireLock(lockPath, systemRng)).toThrow(/pid 1$/);
    utimesSync(lockPath, new Date(0), new Date(0));
    acquireLock(lockPath, systemRng).release();
  });

  test('a profile open in another process is refused with that pid; after it exits, it opens', async () => {
    const s = await newProfile(tmp.dir);
    s.close();
    const script = `
      const { openProfile } = await import(${JSON.stringify(new URL('../../src/store/profile-store.ts', import.meta.url).href)});
      const { systemRng } = await import(${JSON.stringify(new URL('../../src/store/system-rng.ts', import.meta.url).href)});
      const s = await openProfile({ dataDir: ${JSON.stringify(tmp.dir)}, profile: 'default', rng: systemRng, passphrase: ${JSON.stringify(PASSPHRASE)} });
      process.stdout.write('open\\n');
      setTimeout(() => { s.close(); process.exit(0); }, 30000);
      process.stdin.on('data', () => { s.close(); process.exit(0); });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('open') && resolve());
        child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      const error = await openProfile({
        dataDir: tmp.dir,
        profile: 'default',
        rng: systemRng,
        passphrase: PASSPHRASE,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProfileInUseError);
      expect((error as Error).message).toBe(`profile in use by pid ${child.pid}`);
      // Even if the pid file is lost (a takeover race), SQLite's exclusive lock still refuses a second
      // connection, and the loser leaves the winner's state alone.
      rmSync(join(tmp.dir, 'profiles', 'default', 'lock'));
      const raced = await openProfile({
        dataDir: tmp.dir,
        profile: 'default',
        rng: systemRng,
        passphrase: PASSPHRASE,
      }).catch((e: unknown) => e);
      expect(raced).toBeInstanceOf(ProfileInUseError);
      expect((raced as Error).message).toBe('profile in use by another process');
      expect(existsSync(join(tmp.dir, 'profiles', 'default', 'lock'))).toBe(false);
      child.stdin.write('close\n');
      await new Promise((resolve) => child.on('exit', resolve));
      (
        await openProfile({ dataDir: tmp.dir, profile: 'default', rng: systemRng, passphrase: PASSPHRASE })
      ).close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a process killed with SIGKILL while holding the profile leaves a stale lock that is taken over', async () => {
    const s = await newProfile(tmp.dir);
    s.ensureConversation('self', 'self', 't', 1);
    s.appendMessage({
      conversationId: 'self',
      direction: 'out',
      body: 'before',
      state: 'stored',
      createdAt: 1,
    });
    s.close();
    const script = `
      const { openProfile } = await import(${JSON.stringify(new URL('../../src/store/profile-store.ts', import.meta.url).href)});
      const { systemRng } = await import(${JSON.stringify(new URL('../../src/store/system-rng.ts', import.meta.url).href)});
      const s = await openProfile({ dataDir: ${JSON.stringify(tmp.dir)}, profile: 'default', rng: systemRng, passphrase: ${JSON.stringify(PASSPHRASE)} });
      s.appendMessage({ conversationId: 'self', direction: 'out', body: 'durable', state: 'stored', createdAt: 2 });
      process.stdout.write('appended\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('appended') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(readFileSync(join(s.dir, 'lock'), 'utf8')).toBe(`${child.pid}\n`);
    const again = await openProfile({
      dataDir: tmp.dir,
      profile: 'default',
      rng: systemRng,
      passphrase: PASSPHRASE,
    });
    expect(again.listMessages('self').map((m) => m.body)).toEqual(['before', 'durable']);
    again.close();
  });
});

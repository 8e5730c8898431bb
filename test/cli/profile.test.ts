/**
 * The profile life cycle through the real binary: init, whoami, notes, wrong passphrase, profile in
 * use, permissions, corrupt database, several profiles, and no plaintext on disk.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPvt, tempHome } from '../helpers/cli.ts';
import { filesContaining, snapshot } from '../helpers/files.ts';

const home = tempHome();
const profileDir = join(home.dir, 'profiles', 'default');
afterAll(() => home.cleanup());

beforeAll(async () => {
  const r = await runPvt(['init', '--name', 'Zephyrine Quillfeather'], { env: home.env });
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(0);
}, 60_000);

describe('profile', () => {
  test('whoami --json reports name, fingerprint, data dir and passphrase protection', async () => {
    const r = await runPvt(['whoami', '--json'], { env: home.env });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(info.displayName).toBe('Zephyrine Quillfeather');
    expect(info.keyProtection).toBe('passphrase');
    expect(info.profile).toBe('default');
    expect(info.dataDir).toBe(profileDir);
    expect(String(info.fingerprint)).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  });

  test('init twice refuses and leaves the profile untouched', async () => {
    const before = snapshot(profileDir);
    const r = await runPvt(['init', '--name', 'Other'], { env: home.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already has an identity');
    const after = snapshot(profileDir);
    expect(after[join(profileDir, 'key.json')]).toBe(before[join(profileDir, 'key.json')]);
  });

  test('notes are appended in order and printed by log --self', async () => {
    for (const text of ['first note', 'second — ünïcødé 🙂', '-starts with a dash']) {
      const args = text.startsWith('-') ? ['note', '--', text] : ['note', text];
      const r = await runPvt(args, { env: home.env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const piped = await runPvt(['note', '-'], { env: home.env, input: 'from stdin\n' });
    expect(piped.code).toBe(0);
    const r = await runPvt(['log', '--self', '--json'], { env: home.env });
    expect(r.code).toBe(0);
    const messages = JSON.parse(r.stdout) as { body: string; seq: number; state: string }[];
    expect(messages.map((m) => m.body)).toEqual([
      'first note',
      'second — ünïcødé 🙂',
      '-starts with a dash',
      'from stdin',
    ]);
    expect(messages.map((m) => m.seq)).toEqual([...messages.map((m) => m.seq)].sort((a, b) => a - b));
    const text = await runPvt(['log', '--self'], { env: home.env });
    expect(text.stdout).toContain('second — ünïcødé 🙂');
    const limited = await runPvt(['log', '--self', '--json', '--limit', '2'], { env: home.env });
    expect((JSON.parse(limited.stdout) as { body: string }[]).map((m) => m.body)).toEqual([
      '-starts with a dash',
      'from stdin',
    ]);
  });

  test('an empty note and an oversize note are refused', async () => {
    const empty = await runPvt(['note', '   '], { env: home.env });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('empty');
    const big = await runPvt(['note', '-'], { env: home.env, input: 'x'.repeat(9000) });
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('too long');
  });

  test('a wrong passphrase says so, exits 1 and changes nothing', async () => {
    const before = snapshot(profileDir);
    const wrong = join(home.dir, '..', `${home.dir.split('/').pop()}.wrong`);
    writeFileSync(wrong, 'not the passphrase\n', { mode: 0o600 });
    const r = await runPvt(['whoami', '--passphrase-file', wrong], { env: home.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('wrong passphrase');
    expect(snapshot(profileDir)).toEqual(before);
  });

  test('a profile held by a live process is refused with its pid', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(profileDir, 'lock'), `${holder.pid}\n`, { mode: 0o600 });
      const r = await runPvt(['whoami'], { env: home.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`profile in use by pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('a stale lock from a dead process is taken over', async () => {
    const dead = spawn('true');
    await new Promise((resolve) => dead.on('close', resolve));
    writeFileSync(join(profileDir, 'lock'), `${dead.pid}\n`, { mode: 0o600 });
    const r = await runPvt(['whoami'], { env: home.env });
    expect(r.code).toBe(0);
    expect(existsSync(join(profileDir, 'lock'))).toBe(false);
  });

  test('a group-readable database is refused with the path and the fix', async () => {
    const db = join(profileDir, 'pvt.db');
    chmodSync(db, 0o644);
    try {
      const r = await runPvt(['whoami'], { env: home.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(db);
      expect(r.stderr).toMatch(/chmod/);
    } finally {
      chmodSync(db, 0o600);
    }
  });

  test('a second profile is independent', async () => {
    const r = await runPvt(['--profile', 'work', 'init', '--name', 'Second'], { env: home.env });
    expect(r.code).toBe(0);
    const a = JSON.parse((await runPvt(['whoami', '--json'], { env: home.env })).stdout) as {
      fingerprint: string;
    };
    const b = JSON.parse(
      (await runPvt(['whoami', '--json', '--profile', 'work'], { env: home.env })).stdout,
    ) as {
      fingerprint: string;
      displayName: string;
    };
    expect(b.displayName).toBe('Second');
    expect(b.fingerprint).not.toBe(a.fingerprint);
    const log = await runPvt(['log', '--self', '--json', '--profile', 'work'], { env: home.env });
    expect(JSON.parse(log.stdout)).toEqual([]);
  });

  test('no note text and no display name appear in any file under the data dir', async () => {
    const canary = `canary-${Date.now().toString(36)}-7f3a91`;
    const r = await runPvt(['note', `secret ${canary} inside`, '--log-level', 'debug'], { env: home.env });
    expect(r.code).toBe(0);
    expect(filesContaining(home.dir, canary)).toEqual([]);
    expect(filesContaining(home.dir, 'Zephyrine')).toEqual([]);
    expect(filesContaining(home.dir, 'Quillfeather')).toEqual([]);
  });

  test('a corrupt database is named in the error and never overwritten', async () => {
    const r0 = await runPvt(['--profile', 'broken', 'init', '--name', 'B'], { env: home.env });
    expect(r0.code).toBe(0);
    const db = join(home.dir, 'profiles', 'broken', 'pvt.db');
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(db + suffix)) writeFileSync(db + suffix, '');
    }
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(db, garbage);
    const r = await runPvt(['--profile', 'broken', 'whoami'], { env: home.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(db);
    expect(readFileSync(db).equals(garbage)).toBe(true);
  });
});

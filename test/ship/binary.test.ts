/**
 * The single executable (dist-bin/pvt-<os>-<arch>, Node SEA) with no Node on PATH — PATH holds one
 * empty directory — as a user runs it: --version, init, note, log --self, a detached daemon started
 * and stopped (the executable re-launches itself), and `pvt chat` in tmux up to its first frame and a
 * clean quit. When gnome-keyring can run here, the embedded keychain addon protects a new identity.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TempHome, tempHome } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { ensureBinary } from './binary.ts';

let binary = '';
let home: TempHome;
const emptyPath = mkdtempSync(join(tmpdir(), 'pvt-no-node-'));
const sessions: TmuxSession[] = [];

beforeAll(() => {
  binary = ensureBinary();
  home = tempHome();
}, 120_000);
afterAll(() => {
  for (const s of sessions) s.kill();
  home?.cleanup();
  rmSync(emptyPath, { recursive: true, force: true });
});

function run(args: string[], extra: Record<string, string> = {}) {
  return spawnSync(binary, args, {
    encoding: 'utf8',
    cwd: home.dir,
    env: { PATH: emptyPath, HOME: home.dir, NO_COLOR: '1', ...home.env, ...extra },
    timeout: 30_000,
  });
}

describe('the single executable, no node on PATH', () => {
  test('PATH really has no node', () => {
    const r = spawnSync('/bin/sh', ['-c', 'command -v node || echo none'], {
      encoding: 'utf8',
      env: { PATH: emptyPath },
    });
    expect(r.stdout.trim()).toBe('none');
  });

  test('--version, init, note, log --self', () => {
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const init = run(['init', '--name', 'Binary']);
    expect(init.stderr).not.toContain('internal error');
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('created Binary');
    expect(run(['note', 'from the executable']).status).toBe(0);
    const log = run(['log', '--self', '--json']);
    expect(log.status).toBe(0);
    expect((JSON.parse(log.stdout) as { body: string }[]).map((m) => m.body)).toEqual([
      'from the executable',
    ]);
  });

  test('daemon --detach re-launches the executable; stop ends it', () => {
    const started = run(['daemon', '--detach', '--loopback', '--no-mdns']);
    expect(started.stderr).toContain('serving default');
    expect(started.status).toBe(0);
    const status = run(['status', '--json']);
    expect(JSON.parse(status.stdout).daemon).toMatchObject({ running: true });
    expect(run(['stop']).status).toBe(0);
  });

  test.skipIf(!tmuxAvailable())('pvt chat in tmux shows its first frame and quits cleanly', async () => {
    const s = new TmuxSession(`${binary} chat --loopback --no-mdns`, {
      width: 100,
      height: 30,
      env: { PATH: emptyPath, HOME: home.dir, TERM: 'xterm-256color', ...home.env },
    });
    sessions.push(s);
    await s.waitFor('from the executable', 30_000);
    s.typeLine('/quit');
    await s.waitFor('[exited 0]');
  });
});

const keyring = spawnSync('sh', ['-c', 'command -v gnome-keyring-daemon && command -v dbus-run-session']);
// gnome-keyring is not in .ci/run: installed, D-Bus activation gives every session bus a Secret
// Service, which changes what test/store/key-protection.test.ts sees. Run by hand with it installed.
if (keyring.status !== 0) console.log('skip: gnome-keyring-daemon or dbus-run-session not installed');

test.skipIf(keyring.status !== 0)('the embedded keychain addon keeps a new identity in the keychain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvt-bin-keychain-'));
  try {
    const script = [
      'echo unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
      `"${binary}" init --name Keyed && "${binary}" note kept && "${binary}" whoami --json`,
    ].join('; ');
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: dir, PVT_HOME: join(dir, 'pvt') },
      timeout: 60_000,
    });
    expect(r.stderr).toContain('key in the OS keychain');
    expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toMatchObject({
      keyProtection: 'keychain',
    });
    // The addon was written to a private temporary directory and removed after loading.
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('pvt-keyring-'))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

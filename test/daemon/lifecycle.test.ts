/**
 * The daemon's life cycle with real processes: `pvt stop` and SIGTERM remove the socket and cookie and
 * free the lock; a crashed daemon's stale socket is replaced; a second daemon is refused; `--detach`
 * returns once the socket answers; a socket path over the Unix limit fails with a clear message.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPvt, tempHome } from '../helpers/cli.ts';
import {
  createProfile,
  type DaemonProcess,
  type Profile,
  processAlive,
  startDaemon,
  TEST_NETWORK_FLAGS,
  waitUntil,
} from './helpers.ts';

let profile: Profile;
const started: DaemonProcess[] = [];
const detachedPids: number[] = [];

beforeAll(async () => {
  profile = await createProfile('Lifecycle Lou');
}, 60_000);

afterAll(async () => {
  for (const d of started)
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  for (const pid of detachedPids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  profile?.home.cleanup();
});

async function daemon(): Promise<DaemonProcess> {
  const d = await startDaemon(profile.home.env);
  started.push(d);
  return d;
}

function gone(): void {
  expect(existsSync(profile.socket)).toBe(false);
  expect(existsSync(profile.cookie)).toBe(false);
  expect(existsSync(join(profile.dir, 'lock'))).toBe(false);
}

describe('daemon life cycle', () => {
  test('pvt stop shuts it down and removes socket and cookie; with none running it exits 1', async () => {
    const d = await daemon();
    const r = await runPvt(['stop'], { env: profile.home.env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`stopped the daemon of profile "default" (pid ${d.pid})\n`);
    expect(r.code).toBe(0);
    expect(await d.exited).toEqual({ code: 0, signal: null });
    gone();

    const again = await runPvt(['stop'], { env: profile.home.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('pvt stop: no daemon is running for profile "default"\n');
    const status = await runPvt(['status', '--json'], { env: profile.home.env });
    const report = JSON.parse(status.stdout) as { daemon: unknown; network: unknown };
    expect(report.daemon).toEqual({ running: false, socket: profile.socket });
    expect(report.network).toMatchObject({ online: false, summary: 'not started (no daemon runs)' });
  });

  test('SIGTERM shuts it down the same way', async () => {
    const d = await daemon();
    d.child.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    gone();
  });

  test('a second daemon for the profile is refused while one runs', async () => {
    const d = await daemon();
    const second = await runPvt(['daemon'], { env: profile.home.env });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`a daemon already serves profile "default" (pid ${d.pid})`);
    d.child.kill('SIGINT');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    gone();
  });

  test("a crashed daemon's stale socket is detected: commands fall back, a new daemon replaces it", async () => {
    const d = await daemon();
    const oldCookie = readFileSync(profile.cookie, 'utf8');
    d.child.kill('SIGKILL');
    await d.exited;
    expect(existsSync(profile.socket)).toBe(true); // left behind by the crash

    const inProcess = await runPvt(['note', 'written while no daemon runs'], { env: profile.home.env });
    expect(inProcess.stderr).toBe('');
    expect(inProcess.code).toBe(0);

    const next = await daemon();
    expect(readFileSync(profile.cookie, 'utf8')).not.toBe(oldCookie);
    const via = await runPvt(['log', '--self', '--json'], { env: profile.home.env });
    expect((JSON.parse(via.stdout) as { body: string }[]).map((m) => m.body)).toContain(
      'written while no daemon runs',
    );
    expect(readFileSync(join(profile.dir, 'lock'), 'utf8').trim()).toBe(String(next.pid));
    next.child.kill('SIGTERM');
    await next.exited;
    gone();
  });

  test('--detach returns once the socket answers; the daemon keeps running until pvt stop', async () => {
    const r = await runPvt(['daemon', '--detach', '--json', ...TEST_NETWORK_FLAGS], {
      env: profile.home.env,
    });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { pid: number; socket: string };
    detachedPids.push(info.pid);
    expect(info.socket).toBe(profile.socket);
    expect(existsSync(profile.socket)).toBe(true);
    expect(processAlive(info.pid)).toBe(true);
    const note = await runPvt(['note', 'to the detached daemon'], { env: profile.home.env });
    expect(note.code).toBe(0);
    // The network flags reached the detached child: it listens on loopback only.
    const status = await runPvt(['status', '--json'], { env: profile.home.env });
    const network = (JSON.parse(status.stdout) as { network: { online: boolean; addresses: string[] } })
      .network;
    expect(network.online).toBe(true);
    for (const a of network.addresses) expect(a).toContain('/ip4/127.0.0.1/');
    const stop = await runPvt(['stop'], { env: profile.home.env });
    expect(stop.code).toBe(0);
    await waitUntil(() => !processAlive(info.pid), 'the detached daemon to exit');
    gone();
  });

  test('--detach with a passphrase profile and no passphrase file refuses without starting anything', async () => {
    const r = await runPvt(['daemon', '--detach'], {
      env: { ...profile.home.env, PVT_PASSPHRASE_FILE: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a detached daemon cannot ask for it');
    expect(existsSync(profile.socket)).toBe(false);
  });

  test('a socket path longer than the Unix limit fails with a message naming the limit', async () => {
    const home = tempHome();
    try {
      const deep = join(home.dir, 'd'.repeat(60), 'e'.repeat(60));
      mkdirSync(deep, { recursive: true, mode: 0o700 });
      const r = await runPvt(['daemon'], { env: { ...home.env, PVT_HOME: deep } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Unix sockets allow at most 10[37]: use a shorter data directory/);
    } finally {
      home.cleanup();
    }
  });
});

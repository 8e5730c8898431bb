/**
 * Issue 10 item 5 — errors that said the wrong thing. Reproduced: `--expires 31d` was an "internal
 * error"; `--limit` with no value was ignored; an oversize message exited 1 from argv but 2 from stdin;
 * a deleted key.json said "no identity" and `pvt init` then set the old database aside without a word.
 * Now: usage errors with exit 2 and what was wrong, like errors with like exit codes, and the missing
 * key file named with the database kept. The 65th daemon client heard "too many requests in flight"
 * and a flood of silent socket connections made `pvt status` say "profile in use": now the daemon says
 * it is full, and the CLI says the daemon runs but did not answer on its socket.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/daemon/constants.ts';
import {
  createProfile,
  type DaemonProcess,
  type Profile,
  RawClient,
  startDaemon,
} from '../daemon/helpers.ts';
import { PVT_BIN, runPvt, tempHome } from '../helpers/cli.ts';

const home = tempHome();
const dir = join(home.dir, 'profiles', 'default');
beforeAll(async () => {
  expect((await runPvt(['init', '--name', 'Erin'], { env: home.env })).code).toBe(0);
}, 30_000);
afterAll(() => home.cleanup());

describe('usage errors say what is wrong and exit 2', () => {
  test('--expires beyond 30 days', async () => {
    const r = await runPvt(['invite', '--expires', '31d', '--no-qr'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--expires expects 1s .. 30d, got 31d');
    expect(r.stderr).not.toContain('internal error');
  });

  test('a flag that needs a value given without one', async () => {
    for (const args of [
      ['log', '--self', '--limit'],
      ['log', '--self', '--limit', '--json'],
      ['invite', '--expires'],
    ]) {
      const r = await runPvt(args, { env: home.env });
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(/--(limit|expires) expects a value/);
    }
  });

  test('an oversize message exits 2 from argv and from stdin alike', async () => {
    const big = 'a'.repeat(9000);
    const argv = await runPvt(['note', big], { env: home.env });
    const stdin = await runPvt(['note', '-'], { env: home.env, input: big });
    expect([argv.code, stdin.code]).toEqual([2, 2]);
    for (const r of [argv, stdin]) expect(r.stderr).toContain('message too long');
  });
});

test('a deleted key.json is named, the database is kept, and init says it sets it aside', async () => {
  renameSync(join(dir, 'key.json'), join(home.dir, 'key.json.bak'));
  const r = await runPvt(['whoami'], { env: home.env });
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('key.json is missing');
  expect(r.stderr).toContain('kept');
  expect(existsSync(join(dir, 'pvt.db'))).toBe(true);
  const init = await runPvt(['init', '--name', 'Erin again'], { env: home.env });
  expect(init.code).toBe(0);
  expect(init.stderr).toContain('has no key.json; it is kept, renamed pvt.db.orphan-');
  expect(readdirSync(dir).some((f) => f.startsWith('pvt.db.orphan-'))).toBe(true);
});

describe('a crowded daemon socket says what is happening', () => {
  let profile: Profile;
  let daemon: DaemonProcess;
  const clients: RawClient[] = [];
  const silent: Socket[] = [];
  beforeAll(async () => {
    profile = await createProfile('Crowded');
    daemon = await startDaemon(profile.home.env);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of silent) s.destroy();
    daemon?.child.kill('SIGTERM');
    await daemon?.exited;
    profile?.home.cleanup();
  });

  test('the 65th client hears that the daemon is full (not "too many requests in flight")', async () => {
    for (let i = 0; i < 64; i++) clients.push(await RawClient.authed(profile));
    const extra = await RawClient.connect(profile.socket);
    extra.send({ auth: readFileSync(profile.cookie, 'utf8').trim(), v: PROTOCOL_VERSION });
    const answer = JSON.stringify(await extra.next());
    extra.close();
    expect(answer).toContain('DaemonFull');
    expect(answer).toContain('already serves 64 clients');
    expect(answer).not.toContain('in flight');
    // pvt status from another process hears the same, not "profile in use".
    const r = await runPvt(['status'], { env: profile.home.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already serves 64 clients');
    for (const c of clients.splice(0)) c.close();
  });

  test('a flood of silent connections: pvt status does not just say "profile in use"', async () => {
    for (let i = 0; i < 200; i++) {
      const s = createConnection(profile.socket);
      s.on('error', () => undefined);
      silent.push(s);
    }
    const r = await runPvt(['status'], { env: profile.home.env });
    // 200 silent connections fill the socket's 128 slots: the daemon cannot answer; the message says so.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not answer on its socket');
    expect(r.stderr).not.toMatch(/^pvt status: profile in use/m);
  });
});

// Another user's (or a shut) PVT_HOME said "no identity". Needs a second user: as root, run as nobody.
const canSwitchUser =
  process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;
if (!canSwitchUser) console.log('skip: needs root and runuser to run pvt as another user');

test.skipIf(!canSwitchUser)('an unreadable PVT_HOME says permission denied, not "no identity"', () => {
  const locked = mkdtempSync(join(tmpdir(), 'pvt-locked-'));
  try {
    chmodSync(locked, 0o700);
    const r = spawnSync(
      'runuser',
      ['-u', 'nobody', '--', 'env', `PVT_HOME=${locked}`, process.execPath, PVT_BIN, 'whoami'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot read ${locked}: permission denied`);
    expect(r.stderr).not.toContain('no identity');
  } finally {
    rmSync(locked, { recursive: true, force: true });
  }
});

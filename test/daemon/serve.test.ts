/**
 * One real `pvt daemon` process serving one profile; other processes (`pvt note`, `pvt log`, …) and
 * socket clients in this test talk to it over the real Unix socket: commands go through it while it
 * holds the lock, auth is enforced, bad frames cost only their own connection, events fan out.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PvtApi, PvtEvent } from '../../src/app/api.ts';
import { connectDaemon } from '../../src/daemon/client.ts';
import { PROTOCOL_VERSION } from '../../src/daemon/constants.ts';
import { runPvt } from '../helpers/cli.ts';
import {
  createProfile,
  type DaemonProcess,
  type Profile,
  RawClient,
  startDaemon,
  waitUntil,
} from './helpers.ts';

let profile: Profile;
let daemon: DaemonProcess;
const apis: PvtApi[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  profile = await createProfile('Ada Daemon');
  daemon = await startDaemon(profile.home.env);
}, 60_000);

afterAll(async () => {
  for (const api of apis) await api.close();
  for (const raw of raws) raw.close();
  if (daemon) {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  }
  profile?.home.cleanup();
});

async function client(): Promise<PvtApi> {
  const api = await connectDaemon({ profileDir: profile.dir });
  if (!api) throw new Error('no daemon answered');
  apis.push(api);
  return api;
}

async function raw(authed = true): Promise<RawClient> {
  const c = authed ? await RawClient.authed(profile) : await RawClient.connect(profile.socket);
  raws.push(c);
  return c;
}

describe('pvt daemon serving a profile', () => {
  test('prints one serving line naming the profile and the socket', () => {
    expect(daemon.stderr()).toBe(`pvt daemon: serving default on ${profile.socket}\n`);
  });

  test('commands from other processes go through the daemon while it holds the profile lock', async () => {
    expect(readFileSync(`${profile.dir}/lock`, 'utf8').trim()).toBe(String(daemon.pid));
    const text = `through the daemon ${randomBytes(4).toString('hex')}`;
    const note = await runPvt(['note', text], { env: profile.home.env });
    expect(note.stderr).toBe('');
    expect(note.code).toBe(0);
    const log = await runPvt(['log', '--self', '--json'], { env: profile.home.env });
    expect(log.code).toBe(0);
    expect((JSON.parse(log.stdout) as { body: string }[]).map((m) => m.body)).toContain(text);
    const who = await runPvt(['whoami', '--json'], { env: profile.home.env });
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ displayName: 'Ada Daemon', dataDir: profile.dir });
    // Still the daemon's lock: nothing opened the profile in-process.
    expect(readFileSync(`${profile.dir}/lock`, 'utf8').trim()).toBe(String(daemon.pid));
  });

  test('errors keep their code and message through the socket', async () => {
    const empty = await runPvt(['note', '--json', '   '], { env: profile.home.env });
    expect(empty.code).toBe(2);
    expect(JSON.parse(empty.stderr)).toEqual({
      error: { code: 'EmptyMessage', message: 'message is empty' },
    });
    const big = await runPvt(['note', '-'], { env: profile.home.env, input: 'x'.repeat(9000) });
    expect(big.code).toBe(2);
    expect(big.stderr).toBe('pvt note: message too long: 9000 bytes, the limit is 8192 bytes\n');
  });

  test('status --json reports the running daemon and its other clients', async () => {
    await client();
    const r = await runPvt(['status', '--json'], { env: profile.home.env });
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as {
      profile: Record<string, unknown>;
      daemon: Record<string, unknown>;
      network: Record<string, unknown>;
    };
    expect(status.profile).toMatchObject({
      name: 'default',
      displayName: 'Ada Daemon',
      dataDir: profile.dir,
    });
    expect(status.profile.fingerprint).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    expect(status.daemon).toMatchObject({ running: true, pid: daemon.pid, socket: profile.socket });
    expect(status.daemon.clients).toBeGreaterThanOrEqual(1);
    expect(status.daemon.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(status.network).toMatchObject({ online: true });
    expect(status.network.peerId).toMatch(/^12D3KooW/);
    const addresses = status.network.addresses as string[];
    expect(addresses.length).toBeGreaterThan(0);
    for (const a of addresses) expect(a).toContain('/ip4/127.0.0.1/');
    const text = await runPvt(['status'], { env: profile.home.env });
    expect(text.stdout).toMatch(new RegExp(`daemon: +running, pid ${daemon.pid}, up \\d+s`));
    expect(text.stdout).toContain(`network:     online as ${status.network.peerId}`);
  });

  test('socket and cookie are 0600; the cookie is 32 random bytes in hex', () => {
    expect(statSync(profile.socket).isSocket()).toBe(true);
    expect(statSync(profile.socket).mode & 0o777).toBe(0o600);
    expect(statSync(profile.cookie).mode & 0o777).toBe(0o600);
    expect(readFileSync(profile.cookie, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  test('a client with a wrong cookie, or none, is refused and the daemon keeps serving', async () => {
    const wrong = await raw(false);
    wrong.send({ auth: randomBytes(32).toString('hex'), v: PROTOCOL_VERSION });
    expect(await wrong.next()).toEqual({
      error: { code: 'DaemonAuthFailed', message: 'the daemon refused this client: wrong cookie' },
    });
    await wrong.closed;

    const skipper = await raw(false);
    skipper.send({ id: 1, method: 'profile', params: [] });
    expect(await skipper.next()).toMatchObject({ error: { code: 'DaemonAuthFailed' } });
    expect(await skipper.next()).toBeUndefined();
    await skipper.closed;

    const api = await client();
    expect((await api.profile()).displayName).toBe('Ada Daemon');
  });

  test('garbage, invalid UTF-8 and oversize frames close only their own connection', async () => {
    const survivor = await client();
    const authedSurvivor = await raw();

    const garbage = await raw(false);
    garbage.send('this is not json\n');
    expect(await garbage.next()).toMatchObject({ error: { code: 'DaemonBadFrame' } });
    await garbage.closed;

    const notUtf8 = await raw();
    notUtf8.send(Buffer.from([0xff, 0xfe, 0x7b, 0x0a]));
    expect(await notUtf8.next()).toMatchObject({
      error: { code: 'DaemonBadFrame', message: 'malformed frame: not UTF-8' },
    });
    await notUtf8.closed;

    const array = await raw();
    array.send('[1,2,3]\n');
    expect(await array.next()).toMatchObject({ error: { code: 'DaemonBadFrame' } });
    await array.closed;

    const huge = await raw();
    huge.send(Buffer.alloc(2 * 1024 * 1024, 0x61)); // 2 MiB, no newline: refused before it ends
    expect(await huge.next()).toMatchObject({ error: { code: 'DaemonFrameTooLarge' } });
    await huge.closed;

    expect((await survivor.profile()).displayName).toBe('Ada Daemon');
    authedSurvivor.send({ id: 7, method: 'conversations', params: [] });
    expect(await authedSurvivor.next()).toMatchObject({ id: 7, result: [{ id: 'self' }] });
  });

  test('unknown methods and bad params get an error answer; the connection stays', async () => {
    const c = await raw();
    c.send({ id: 1, method: 'launchMissiles', params: [] });
    expect(await c.next()).toMatchObject({ id: 1, error: { code: 'DaemonUnknownMethod' } });
    c.send({ id: 2, method: 'sendNote', params: [42] });
    expect(await c.next()).toMatchObject({
      id: 2,
      error: { code: 'DaemonBadParams', message: 'bad parameters for sendNote: parameter 1 expected string' },
    });
    c.send({ id: 3, method: 'messages', params: ['self', { limit: 0 }] });
    expect(await c.next()).toMatchObject({ id: 3, error: { code: 'InternalError', name: 'RangeError' } });
    c.send({ id: 4, method: 'profile' });
    expect(await c.next()).toMatchObject({ id: 4, result: { displayName: 'Ada Daemon' } });
  });

  test('two subscribers both receive the message event of a note sent by a third client', async () => {
    const a = await client();
    const b = await client();
    const seenA: PvtEvent[] = [];
    const seenB: PvtEvent[] = [];
    a.subscribe((e) => seenA.push(e));
    b.subscribe((e) => seenB.push(e));
    const quiet = await raw(); // authenticated but not subscribed: gets no events
    await a.conversations(); // the subscribe request was sent before this one: it is in effect now
    await b.conversations();

    const text = `fan-out ${randomBytes(4).toString('hex')}`;
    const r = await runPvt(['note', text], { env: profile.home.env });
    expect(r.code).toBe(0);
    const hasNote = (events: PvtEvent[]) =>
      events.some(
        (e) => e.type === 'message' && e.message.body === text && e.message.conversationId === 'self',
      );
    await waitUntil(() => hasNote(seenA) && hasNote(seenB), 'both subscribers to get the message event');

    quiet.send({ id: 1, method: 'daemon.status' });
    expect(await quiet.next()).toMatchObject({ id: 1, result: { pid: daemon.pid } });
  });
});

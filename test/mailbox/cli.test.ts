/**
 * The mailbox as a user runs it, across processes: `pvt daemon --mailbox` serves /pvt/mailbox/1.0.0 on
 * a real socket (a client node deposits, fetches and deletes there), `pvt mailbox serve off|on` changes
 * the running daemon and is remembered across restarts, `pvt mailbox add|remove|list` keeps the user's
 * own list with clear errors; the mailbox's database and logs hold no canary text and no PeerId or name
 * of whoever deposited.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MailboxSession } from '../../src/net/mailbox/client.ts';
import { openEnvelope, sealEnvelopes } from '../../src/protocol/mailbox/envelope.ts';
import { mailboxIdOf } from '../../src/protocol/mailbox/pow.ts';
import { directionKeys, slotFor } from '../../src/protocol/mailbox/tokens.ts';
import { createProfile, type DaemonProcess, type Profile, startDaemon } from '../daemon/helpers.ts';
import { runPvt } from '../helpers/cli.ts';
import { cleanupDirs, startTestNode, type TestNode } from './helpers.ts';

const rng = (n: number) => new Uint8Array(randomBytes(n));
let host: Profile;
let user: Profile;
let daemon: DaemonProcess | undefined;
const nodes: TestNode[] = [];

async function stopDaemon(): Promise<void> {
  if (!daemon) return;
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  daemon = undefined;
}

async function json(profile: Profile, args: string[]): Promise<Record<string, unknown>> {
  const r = await runPvt([...args, '--json'], { env: profile.home.env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  host = await createProfile('Mailbox Host');
  user = await createProfile('Mailbox User');
}, 60_000);

afterAll(async () => {
  await stopDaemon();
  for (const n of nodes) await n.close().catch(() => undefined);
  cleanupDirs();
  host?.home.cleanup();
  user?.home.cleanup();
});

/** The daemon's first address with /p2p/, as `pvt status --json` prints it. */
async function daemonAddress(): Promise<string> {
  const status = await json(host, ['status']);
  const addresses = (status.network as { addresses: string[] }).addresses;
  expect(addresses.length).toBeGreaterThan(0);
  return addresses[0] as string;
}

function locatorOf(address: string) {
  const ma = multiaddr(address);
  const peerId = ma.getComponents().findLast((c) => c.name === 'p2p')?.value as string;
  return { peerId: peerIdFromString(peerId).toMultihash().bytes, addrs: [ma.decapsulateCode(421).bytes] };
}

describe('pvt mailbox', () => {
  test('pvt daemon --mailbox serves deposits, fetches and deletes; its files keep no canary, name or PeerId', async () => {
    daemon = await startDaemon(host.home.env, ['--mailbox']);
    const view = await json(host, ['mailbox', 'list']);
    expect(view).toMatchObject({ serving: true, serveSetting: false, mine: [] });
    const address = await daemonAddress();
    const client = await startTestNode();
    nodes.push(client);
    const locator = locatorOf(address);
    const channel = await client.service.direct.open(locator);
    const session = new MailboxSession({
      channel,
      mailboxId: mailboxIdOf(locator.peerId),
      rng,
      now: Date.now,
    });
    const keys = directionKeys(rng(32), rng(32), rng(32));
    const canary = `canary-${randomBytes(8).toString('hex')}`;
    const slot = slotFor(keys, 4242);
    for (const e of sealEnvelopes(keys.envelopeKey, 4242, new TextEncoder().encode(canary), rng)) {
      expect(await session.deposit(slot.token, e)).toBe(true);
    }
    const got = await session.fetch([slot.fetchCap]);
    expect(got.length).toBe(1);
    const opened = openEnvelope(keys.envelopeKey, 4242, got[0]?.envelope as Uint8Array);
    expect(new TextDecoder().decode(opened.data)).toBe(canary);
    expect(await session.delete(slot.deleteCap, [got[0]?.hash as Uint8Array])).toBe(1);
    // Another envelope stays, so the database has a row to inspect.
    const [kept] = sealEnvelopes(keys.envelopeKey, 4242, new TextEncoder().encode(canary), rng);
    await session.deposit(slot.token, kept as Uint8Array);
    await channel.close();
    const served = await json(host, ['mailbox', 'list']);
    expect((served.served as { envelopes: number }).envelopes).toBe(1);
    await stopDaemon();

    const files = [
      join(host.dir, 'mailbox.db'),
      ...readdirSync(join(host.dir, 'logs')).map((f) => join(host.dir, 'logs', f)),
    ];
    const clientPeer = client.libp2p.peerId;
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from(canary)), f).toBe(false);
      expect(bytes.includes(Buffer.from(clientPeer.toString())), f).toBe(false);
      expect(bytes.includes(Buffer.from(clientPeer.toMultihash().bytes)), f).toBe(false);
      expect(bytes.includes(Buffer.from('Mailbox User')), f).toBe(false);
    }
  });

  test('serve off|on changes the running daemon and is remembered', async () => {
    daemon = await startDaemon(host.home.env);
    expect(await json(host, ['mailbox', 'list'])).toMatchObject({ serving: false, serveSetting: false });
    const client = await startTestNode();
    nodes.push(client);
    const locator = locatorOf(await daemonAddress());
    await expect(client.service.direct.open(locator)).rejects.toThrow(/mailbox/);
    expect(await json(host, ['mailbox', 'serve', 'on'])).toMatchObject({ serving: true, serveSetting: true });
    const channel = await client.service.direct.open(locator);
    const session = new MailboxSession({
      channel,
      mailboxId: mailboxIdOf(locator.peerId),
      rng,
      now: Date.now,
    });
    expect((await session.info()).difficulty).toBeGreaterThan(0);
    await channel.close();
    await stopDaemon();
    daemon = await startDaemon(host.home.env);
    expect(await json(host, ['mailbox', 'list'])).toMatchObject({ serving: true, serveSetting: true });
    expect(await json(host, ['mailbox', 'serve', 'off'])).toMatchObject({
      serving: false,
      serveSetting: false,
    });
    await expect(client.service.direct.open(locator)).rejects.toThrow(/mailbox/);
    await stopDaemon();
  });

  test('add, list and remove the mailboxes of a profile, with clear errors', async () => {
    const somebody = await startTestNode();
    nodes.push(somebody);
    const address = `/ip4/127.0.0.1/tcp/4001/p2p/${somebody.libp2p.peerId}`;
    const added = await json(user, ['mailbox', 'add', address]);
    expect(added.mine).toEqual([{ address, peerId: address.split('/p2p/')[1] }]);
    const again = await runPvt(['mailbox', 'add', address], { env: user.home.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already in your list');
    const bad = await runPvt(['mailbox', 'add', '/ip4/127.0.0.1/tcp/4001'], { env: user.home.env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no /p2p/PEERID');
    const junk = await runPvt(['mailbox', 'add', 'not an address'], { env: user.home.env });
    expect(junk.stderr).toContain('is not a multiaddr');
    const usage = await runPvt(['mailbox', 'serve', 'maybe'], { env: user.home.env });
    expect(usage.code).toBe(2);
    const list = await runPvt(['mailbox', 'list'], { env: user.home.env });
    expect(list.stdout).toContain(address);
    expect(list.stdout).toContain('serving a mailbox for others: no');
    const removed = await json(user, ['mailbox', 'remove', address.split('/p2p/')[1] as string]);
    expect(removed.mine).toEqual([]);
    const missing = await runPvt(['mailbox', 'remove', address], { env: user.home.env });
    expect(missing.stderr).toContain('no such mailbox');
  });
});

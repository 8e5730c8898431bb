/**
 * Offline delivery end to end, real daemons on loopback, deposits and fetches through onion circuits:
 * three relays, one mailbox, Ann and Ben. Ben names the mailbox (`pvt mailbox add`), Ann learns it from
 * Ben's address update; Ben's daemon stops; Ann sends 50 messages, which all show "stored" (in Ben's
 * mailbox); Ben starts again and fetches: all 50 arrive exactly once and in order, receipts come back and
 * Ann sees every one delivered. The mailbox's database and logs hold no message text, no name and no
 * PeerId of Ann or Ben.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peerIdFromString } from '@libp2p/peer-id';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../daemon/helpers.ts';
import { runPvt } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { bootstrapAll, inviteCode, type Node, pvtJson, startNode, stopNodes } from '../onion/helpers.ts';

const ENV = { PVT_MAILBOX_POLL_MS: '1500' };
const nodes: Node[] = [];
let relays: Node[];
let mailbox: Node;
let ann: Node;
let ben: Node;
const canary = `canary-${randomBytes(6).toString('hex')}`;
const COUNT = 50;

interface Message {
  body: string;
  direction: 'in' | 'out';
  state: string;
}

beforeAll(async () => {
  relays = await Promise.all(['R1', 'R2', 'R3'].map((n) => startNode(`Relay ${n}`, true, ENV)));
  nodes.push(...relays);
  mailbox = await startNode('Mailbox Keeper', false, ENV);
  nodes.push(mailbox);
  ann = await startNode('Ann Example', false, ENV);
  ben = await startNode('Ben Example', false, ENV);
  nodes.push(ann, ben);
}, 180_000);
afterAll(() => stopNodes(nodes), 60_000);

async function restart(node: Node, args: string[] = []): Promise<void> {
  node.daemon = await startDaemon({ ...node.profile.home.env, ...ENV }, args);
}

describe('offline delivery through a mailbox reached over onion circuits', () => {
  test("Ann and Ben pair; each learns the other's mailbox (Ann's from the join, Ben's from an update)", async () => {
    expect((await pvtJson(mailbox, ['mailbox', 'serve', 'on'])).serving).toBe(true);
    // Ann names the mailbox before inviting: Ben learns it right after joining.
    await pvtJson(ann, ['mailbox', 'add', mailbox.addr]);
    for (const n of [ann, ben]) await bootstrapAll(n, relays);
    const joined = await pvtJson<{ contact: { name: string } }>(ben, [
      'join',
      await inviteCode(ann),
      '--name',
      'Ann',
    ]);
    expect(joined.contact.name).toBe('Ann');
    const added = await pvtJson<{ mine: { peerId: string }[] }>(ben, ['mailbox', 'add', mailbox.addr]);
    expect(added.mine[0]?.peerId).toBe(mailbox.peerId);
    await until(
      "Ann to know Ben's mailbox",
      async () => {
        const v = await pvtJson<{ contacts: { name: string; mailboxes: number }[] }>(ann, [
          'mailbox',
          'list',
        ]);
        return v.contacts.some((c) => c.mailboxes === 1) ? true : undefined;
      },
      30_000,
    );
    await until(
      "Ben to know Ann's mailbox",
      async () => {
        const v = await pvtJson<{ contacts: { name: string; mailboxes: number }[] }>(ben, [
          'mailbox',
          'list',
        ]);
        return v.contacts.some((c) => c.name === 'Ann' && c.mailboxes === 1) ? true : undefined;
      },
      30_000,
    );
  }, 120_000);

  test('Ben stopped: 50 messages wait in his mailbox, shown as stored', async () => {
    ben.daemon.child.kill('SIGTERM');
    await ben.daemon.exited;
    const benName = (await pvtJson<{ name: string }[]>(ann, ['contacts']))[0]?.name as string;
    for (let i = 0; i < COUNT; i++) {
      const r = await runPvt(['send', benName, `${canary} #${String(i).padStart(2, '0')}`], {
        env: ann.profile.home.env,
      });
      expect(r.code).toBe(0);
    }
    const sentAt = performance.now();
    const stored = await until(
      'all 50 stored in the mailbox',
      async () => {
        const log = await pvtJson<Message[]>(ann, ['log', benName, '--limit', '100']);
        const out = log.filter((m) => m.direction === 'out');
        return out.length === COUNT && out.every((m) => m.state === 'stored') ? out : undefined;
      },
      120_000,
    );
    console.log(
      `after the last send, all 50 shown stored (deposited through circuits) within ${Math.round(performance.now() - sentAt)} ms`,
    );
    expect(stored.map((m) => m.body)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `${canary} #${String(i).padStart(2, '0')}`),
    );
    const held = await pvtJson<{ served: { envelopes: number } }>(mailbox, ['mailbox', 'list']);
    expect(held.served.envelopes).toBeGreaterThanOrEqual(COUNT);
    // They went through circuits: the relays opened circuits and carried cells.
    const served = await Promise.all(
      relays.map((r) => pvtJson<{ relay: { counters: { circuitsOpened: number } } }>(r, ['relay', 'status'])),
    );
    expect(served.reduce((n, s) => n + s.relay.counters.circuitsOpened, 0)).toBeGreaterThan(0);
  }, 180_000);

  test('Ben starts: all 50 arrive exactly once, in order; Ann sees them delivered', async () => {
    const startedAt = performance.now();
    await restart(ben);
    const received = await until(
      'all 50 at Ben',
      async () => {
        const log = await pvtJson<Message[]>(ben, ['log', 'Ann', '--limit', '200']);
        const inbound = log.filter((m) => m.direction === 'in');
        return inbound.length >= COUNT ? inbound : undefined;
      },
      120_000,
    );
    console.log(
      `Ben's daemon started → all 50 fetched through circuits and stored: ${Math.round(performance.now() - startedAt)} ms`,
    );
    expect(received.map((m) => m.body)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `${canary} #${String(i).padStart(2, '0')}`),
    );
    const benName = (await pvtJson<{ name: string }[]>(ann, ['contacts']))[0]?.name as string;
    await until(
      'Ann to see all 50 delivered',
      async () => {
        const log = await pvtJson<Message[]>(ann, ['log', benName, '--limit', '100']);
        const out = log.filter((m) => m.direction === 'out');
        return out.length === COUNT && out.every((m) => m.state === 'delivered') ? true : undefined;
      },
      60_000,
    );
    // Still exactly once after more polls (fetched envelopes were deleted).
    await new Promise((r) => setTimeout(r, 4000));
    const again = await pvtJson<Message[]>(ben, ['log', 'Ann', '--limit', '200']);
    expect(again.filter((m) => m.direction === 'in').length).toBe(COUNT);
    await until(
      'the mailbox emptied',
      async () => {
        const held = await pvtJson<{ served: { envelopes: number } }>(mailbox, ['mailbox', 'list']);
        return held.served.envelopes === 0 ? true : undefined;
      },
      30_000,
    );
  }, 180_000);

  test("the mailbox's database and logs hold no text, name or PeerId of Ann or Ben", async () => {
    mailbox.daemon.child.kill('SIGTERM');
    await mailbox.daemon.exited;
    const files = [
      join(mailbox.profile.dir, 'mailbox.db'),
      ...readdirSync(join(mailbox.profile.dir, 'logs')).map((f) => join(mailbox.profile.dir, 'logs', f)),
    ];
    // (Names of at least 8 bytes: a 3-byte string turns up by chance in megabytes of ciphertext.)
    const needles = [canary, 'Ann Example', 'Ben Example', ann.peerId, ben.peerId].map((s) => Buffer.from(s));
    needles.push(
      Buffer.from(peerIdFromString(ann.peerId).toMultihash().bytes),
      Buffer.from(peerIdFromString(ben.peerId).toMultihash().bytes),
    );
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const n of needles)
        expect(bytes.includes(n), `${f} holds ${n.toString().slice(0, 20)}`).toBe(false);
    }
  });
});

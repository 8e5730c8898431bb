/**
 * kill -9 around the mailbox, real daemons on loopback (the direct mailbox transport, which this test
 * names: PVT_MAILBOX_TRANSPORT=direct — circuits are exercised by offline.test.ts): a mailbox, Ann and
 * Ben. Each kill is a SIGKILL on a progress counter (PVT_TEST_MAILBOX_KILL: the daemon kills itself
 * right after its N-th deposit, or its N-th fetched frame stored), never on a timer. Ben is away; Ann's
 * daemon is killed after 5 deposits and, restarted, after 12; restarted again it deposits the rest.
 * Ben's daemon reads all 20 in one fetch and stores them in one commit (the frames of a read are handed
 * together): it is killed once after handing 6 of them to the inbound path (before that commit) and,
 * restarted, once after 14 were stored (after the commit, before anything was deleted) — Ann away
 * meanwhile, so all of it comes from the mailbox; restarted again it reads them again, drops them as
 * duplicates and deletes them. In the end: 0 lost, 0 duplicated (counted),
 * in order, all delivered at Ann, the mailbox empty.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon, TEST_NETWORK_FLAGS } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { inviteCode, type Node, pvtJson, startNode, stopNodes } from '../onion/helpers.ts';

const ENV = { PVT_MAILBOX_TRANSPORT: 'direct', PVT_MAILBOX_POLL_MS: '1000' };
const COUNT = 20;
const body = (i: number) => `crash test #${String(i).padStart(2, '0')}`;
const nodes: Node[] = [];
const children = new Set<ChildProcess>();
let mailbox: Node;
let ann: Node;
let ben: Node;
let benName = '';

interface Message {
  body: string;
  direction: 'in' | 'out';
  state: string;
}

beforeAll(async () => {
  mailbox = await startNode('Keeper', false, ENV);
  ann = await startNode('Ann Crash', false, ENV);
  ben = await startNode('Ben Crash', false, ENV);
  nodes.push(mailbox, ann, ben);
}, 120_000);
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stopNodes(nodes);
}, 60_000);

async function kill9(node: Node): Promise<void> {
  node.daemon.child.kill('SIGKILL');
  await node.daemon.exited;
}
async function restart(node: Node): Promise<void> {
  node.daemon = await startDaemon({ ...node.profile.home.env, ...ENV });
}
/** Runs the node's daemon until it SIGKILLs itself at the progress point `kill` (e.g. "deposits:6"). */
async function runUntilKilled(node: Node, kill: string): Promise<void> {
  const child = spawn(process.execPath, [PVT_BIN, 'daemon', ...TEST_NETWORK_FLAGS], {
    env: { ...process.env, NO_COLOR: '1', ...node.profile.home.env, ...ENV, PVT_TEST_MAILBOX_KILL: kill },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  children.add(child);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_c, s) => resolve(s)),
  );
  children.delete(child);
  expect(signal).toBe('SIGKILL');
}
const held = async () =>
  (await pvtJson<{ served: { envelopes: number } }>(mailbox, ['mailbox', 'list'])).served.envelopes;
const inbound = async () =>
  (await pvtJson<Message[]>(ben, ['log', 'Ann', '--limit', '200'])).filter((m) => m.direction === 'in');

describe('kill -9 during deposits and during fetches', () => {
  test('setup: pair, Ben names the mailbox, Ann learns it, Ben goes away', async () => {
    expect((await pvtJson(mailbox, ['mailbox', 'serve', 'on'])).serving).toBe(true);
    await pvtJson(ben, ['join', await inviteCode(ann), '--name', 'Ann']);
    await pvtJson(ben, ['mailbox', 'add', mailbox.addr]);
    await until("Ann to know Ben's mailbox", async () => {
      const v = await pvtJson<{ contacts: { mailboxes: number }[] }>(ann, ['mailbox', 'list']);
      return v.contacts.some((c) => c.mailboxes === 1) ? true : undefined;
    });
    benName = (await pvtJson<{ name: string }[]>(ann, ['contacts']))[0]?.name as string;
    await kill9(ben);
  }, 90_000);

  test('Ann killed twice while depositing: after a restart the rest goes in, nothing twice', async () => {
    // Queued while Ann's daemon is down (durable, nothing sent), so each start deposits from the first.
    await kill9(ann);
    for (let i = 0; i < COUNT; i++) {
      const r = await runPvt(['send', benName, body(i), '--wait', '0'], { env: ann.profile.home.env });
      expect(r.code).toBe(0);
    }
    // Each run counts its deposits from 0; the second deposits the first ones again (the same
    // envelopes: the mailbox keeps one copy) and more. A deposit retried after a circuit failed (under
    // load) counts twice at Ann but is one envelope at the mailbox, hence "at most".
    await runUntilKilled(ann, 'deposits:5');
    const first = await held();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(5);
    await runUntilKilled(ann, 'deposits:12');
    const second = await held();
    expect(second).toBeGreaterThan(first);
    expect(second).toBeLessThanOrEqual(12);
    await restart(ann);
    const log = await until(
      'all 20 stored',
      async () => {
        const l = await pvtJson<Message[]>(ann, ['log', benName, '--limit', '100']);
        const out = l.filter((m) => m.direction === 'out');
        return out.length === COUNT && out.every((m) => m.state === 'stored') ? out : undefined;
      },
      90_000,
    );
    expect(log.map((m) => m.body)).toEqual(Array.from({ length: COUNT }, (_, i) => body(i)));
    // One envelope per message: nothing was stored twice.
    expect(await held()).toBe(COUNT);
  }, 180_000);

  test('Ben killed twice while fetching: every message exactly once, in order; all delivered', async () => {
    // Ann away too, so everything Ben gets comes from the mailbox (not from Ann's resends once he is
    // back); his receipts wait for her.
    ann.daemon.child.kill('SIGTERM');
    await ann.daemon.exited;
    // Killed before the read's commit: nothing stored. Killed after it: all of the read stored.
    for (const [point, storedThen] of [
      ['handed:6', 0],
      ['stored:14', COUNT],
    ] as const) {
      await runUntilKilled(ben, point);
      const stored = await inbound();
      expect(stored.map((m) => m.body)).toEqual(Array.from({ length: storedThen }, (_, i) => body(i)));
      // Killed before deleting: the mailbox still holds everything.
      expect(await held()).toBe(COUNT);
    }
    await restart(ben);
    await restart(ann);
    await until('all 20 at Ben', async () => ((await inbound()).length >= COUNT ? true : undefined), 60_000);
    await until('the mailbox emptied', async () => ((await held()) === 0 ? true : undefined), 30_000);
    const bodies = (await inbound()).map((m) => m.body);
    console.log(`Ben: ${bodies.length} received, ${new Set(bodies).size} distinct, of ${COUNT} sent`);
    expect(bodies).toEqual(Array.from({ length: COUNT }, (_, i) => body(i)));
    await until(
      'Ann to see all delivered',
      async () => {
        const l = await pvtJson<Message[]>(ann, ['log', benName, '--limit', '100']);
        const out = l.filter((m) => m.direction === 'out');
        return out.length === COUNT && out.every((m) => m.state === 'delivered') ? true : undefined;
      },
      60_000,
    );
  }, 180_000);
});

/**
 * Offline joins survive restarts (docs/protocol/mailbox.md, "Offline join"; src/app/offline-join.ts),
 * real daemons on loopback, the mailbox dialled directly (PVT_MAILBOX_TRANSPORT=direct: circuits are
 * exercised by offline-join.test.ts). Ann (inviter) names the mailbox and is away;
 * - Ben runs `pvt join`: stderr says the request waits in the inviter's mailbox; Ctrl+C only stops
 *   waiting (`pvt contacts` and `pvt status --json` show the pending join); Ben's daemon is SIGKILLed
 *   while waiting for message 2 and started again; Ann comes back: the join completes on both sides
 *   with the same SAS, and nothing is left pending;
 * - Cy joins and stops (its daemon too); Ann comes back, answers (message 2) and is SIGKILLed before
 *   message 3 can arrive; Cy comes back (reads message 2, sends 3), then Ann: the join completes;
 * - Dee has no daemon: `pvt join` runs the join in its own process; Ctrl+C ends it (exit 130) with the
 *   join kept; Dee's daemon, started later, finishes it once Ann is back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PendingJoinView } from '../../src/app/api.ts';
import { JOIN_WAITING_LINE } from '../../src/cli/commands/join.ts';
import { decodeInviteText } from '../../src/protocol/invite/invite-text.ts';
import { startDaemon, TEST_NETWORK_FLAGS } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { inviteCode, type Node, pvtJson, startNode, stopNodes } from '../onion/helpers.ts';

const ENV = { PVT_MAILBOX_TRANSPORT: 'direct', PVT_MAILBOX_POLL_MS: '1000' };
const nodes: Node[] = [];
let mailbox: Node;
let ann: Node;
let ben: Node;
let cy: Node;
let dee: Node;

interface Contact {
  name: string;
  sas?: string | null;
}

beforeAll(async () => {
  [mailbox, ann] = await Promise.all([
    startNode('Mailbox Keeper', false, ENV),
    startNode('Ann Example', false, ENV),
  ]);
  [ben, cy] = await Promise.all([startNode('Ben Example', false, ENV), startNode('Cy Example', false, ENV)]);
  dee = await startNode('Dee Example', false, ENV);
  nodes.push(mailbox, ann, ben, cy, dee);
  expect((await pvtJson(mailbox, ['mailbox', 'serve', 'on'])).serving).toBe(true);
  await pvtJson(ann, ['mailbox', 'add', mailbox.addr]);
}, 120_000);
afterAll(() => stopNodes(nodes), 60_000);

async function stop(node: Node, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  node.daemon.child.kill(signal);
  await node.daemon.exited;
}

async function restart(node: Node): Promise<void> {
  node.daemon = await startDaemon({ ...node.profile.home.env, ...ENV });
}

const invite = (node: Node): Promise<string> => inviteCode(node, [], ENV);

function spawnPvt(node: Node, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [PVT_BIN, ...args], {
    env: { ...process.env, ...node.profile.home.env, ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

/** `pvt join CODE --name Ann` until it says the request waits in the mailbox, then Ctrl+C. */
async function joinAndStopWaiting(node: Node, code: string): Promise<string> {
  const r = spawnPvt(node, ['join', code, '--name', 'Ann', ...TEST_NETWORK_FLAGS]);
  let ended = false;
  void r.exited.then(() => {
    ended = true;
  });
  await until(
    'the progress line on stderr',
    async () => {
      if (r.err().includes(JOIN_WAITING_LINE)) return true;
      if (ended) throw new Error(`pvt join ended early: ${r.err()}`);
      return undefined;
    },
    60_000,
  );
  r.child.kill('SIGINT');
  expect(await r.exited).toBe(130);
  return r.err();
}

async function pending(node: Node): Promise<PendingJoinView[]> {
  return (await pvtJson<{ pendingJoins: PendingJoinView[] }>(node, ['status'])).pendingJoins;
}

/** How many times the node's log records `event` (the log outlives restarts). */
function logCount(node: Node, event: string): number {
  try {
    return readFileSync(node.log, 'utf8').split(`"event":"${event}"`).length - 1;
  } catch {
    return 0;
  }
}

async function contactsOf(node: Node, count: number): Promise<Contact[]> {
  return until(
    `${node.name} to have ${count} contact(s)`,
    async () => {
      const list = await pvtJson<Contact[]>(node, ['contacts']);
      return list.length === count ? list : undefined;
    },
    60_000,
  );
}

describe('offline joins across restarts', () => {
  test('the joiner stops waiting, its daemon is SIGKILLed and restarted: the join completes when the inviter is back', async () => {
    const code = await invite(ann);
    await stop(ann);
    const stderr = await joinAndStopWaiting(ben, code);
    expect(stderr).toContain('the join is kept');
    const listed = await runPvt(['contacts'], { env: ben.profile.home.env });
    expect(listed.stdout).toContain("joining Ann… (waiting in the inviter's mailbox)");
    const before = await pending(ben);
    expect(before).toMatchObject([{ role: 'joiner', name: 'Ann', step: 'waiting-for-inviter', sas: null }]);

    // The pending join is sealed on disk: neither the invite's secret nor its code is there in clear.
    const secret = Buffer.from(decodeInviteText(code).secret);
    const files = readdirSync(ben.profile.dir).filter((n) => n.startsWith('pvt.db'));
    expect(files).toContain('pvt.db');
    for (const f of files) {
      const bytes = readFileSync(join(ben.profile.dir, f));
      expect(bytes.includes(secret), f).toBe(false);
      expect(bytes.includes(Buffer.from(code)), f).toBe(false);
    }

    await stop(ben, 'SIGKILL');
    await restart(ben);
    expect((await pending(ben)).map((p) => p.id)).toEqual([before[0]?.id]);
    await restart(ann);
    const [atBen] = await contactsOf(ben, 1);
    const [atAnn] = await contactsOf(ann, 1);
    expect(atBen?.name).toBe('Ann');
    expect(atBen?.sas).toMatch(/^\d{3} \d{3}$/);
    expect(atAnn?.sas).toBe(atBen?.sas);
    // Ben stopped waiting, so `pvt contacts` is where he finds the code to compare, and how to confirm.
    const listedAfter = await runPvt(['contacts'], { env: ben.profile.home.env });
    expect(listedAfter.stdout).toContain(
      `compare this code with Ann: ${atBen?.sas} — if it matches: pvt verify Ann --confirm`,
    );
    await until('nothing pending at Ben', async () => ((await pending(ben)).length === 0 ? true : undefined));
    await until('nothing pending at Ann', async () => ((await pending(ann)).length === 0 ? true : undefined));
  }, 120_000);

  test('the inviter is SIGKILLed after answering (message 2): the join completes after its restart', async () => {
    const code = await invite(ann);
    await stop(ann);
    await joinAndStopWaiting(cy, code);
    await stop(cy); // Cy cannot send message 3 before Ann is killed
    const answered = logCount(ann, 'invite.mailbox_answered');
    await restart(ann);
    await until(
      'Ann to answer through the mailbox',
      async () => (logCount(ann, 'invite.mailbox_answered') > answered ? true : undefined),
      60_000,
    );
    expect(await pending(ann)).toMatchObject([{ role: 'inviter', step: 'answering' }]);
    await stop(ann, 'SIGKILL');

    await restart(cy);
    await until(
      'Cy to read message 2 and show the SAS',
      async () => ((await pending(cy))[0]?.step === 'waiting-for-confirmation' ? true : undefined),
      60_000,
    );
    const sas = (await pending(cy))[0]?.sas;
    expect(sas).toMatch(/^\d{3} \d{3}$/);
    await restart(ann);
    const [atCy] = await contactsOf(cy, 1);
    expect(atCy?.name).toBe('Ann');
    expect(atCy?.sas).toBe(sas);
    const atAnn = await contactsOf(ann, 2);
    expect(atAnn.map((c) => c.sas)).toContain(sas);
    await until('nothing pending at Cy', async () => ((await pending(cy)).length === 0 ? true : undefined));
    await until('nothing pending at Ann', async () => ((await pending(ann)).length === 0 ? true : undefined));
  }, 120_000);

  test('without a daemon: Ctrl+C ends pvt join with the join kept; the daemon started later finishes it', async () => {
    await stop(dee);
    const code = await invite(ann);
    await stop(ann);
    const stderr = await joinAndStopWaiting(dee, code);
    expect(stderr).toContain('the join is kept');
    const listed = await runPvt(['contacts'], { env: { ...dee.profile.home.env, ...ENV } });
    expect(listed.stdout).toContain("joining Ann… (waiting in the inviter's mailbox)");
    await restart(dee);
    await restart(ann);
    const [atDee] = await contactsOf(dee, 1);
    expect(atDee?.name).toBe('Ann');
    const atAnn = await contactsOf(ann, 3);
    expect(atAnn.map((c) => c.sas)).toContain(atDee?.sas);
  }, 120_000);
});

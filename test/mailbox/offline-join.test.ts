/**
 * Offline join end to end (docs/protocol/mailbox.md, "Offline join"), real daemons on loopback, the
 * handshake's messages waiting in the inviter's mailbox, reached through onion circuits: three relays,
 * one mailbox, Ann (inviter), Ben and Cy (joiners). Ann names the mailbox, creates an invite (it carries
 * the mailbox) and stops her daemon; Ben runs `pvt join CODE`, which deposits the request in Ann's
 * mailbox and waits; Ann starts later; the handshake completes through the mailbox: both have the
 * contact, both see the same SAS, and a message goes each way. Then the invite, now used, is tried by Cy
 * while Ann is away again: Cy's join is refused with "already used" once Ann comes back; and an invite
 * that expires while Cy's request waits (Ann away) ends Cy's join with "expired"; finally Cy stops
 * waiting (Ctrl+C on `pvt join`) and Cy's daemon completes the join once Ann is back.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PendingJoinView } from '../../src/app/api.ts';
import { startDaemon } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { bootstrapAll, inviteCode, type Node, pvtJson, startNode, stopNodes } from '../onion/helpers.ts';

const ENV = { PVT_MAILBOX_POLL_MS: '1000' };
const nodes: Node[] = [];
let relays: Node[];
let mailbox: Node;
let ann: Node;
let ben: Node;
let cy: Node;
let code = '';

interface Contact {
  name: string;
  sas?: string | null;
}
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
  cy = await startNode('Cy Example', false, ENV);
  nodes.push(ann, ben, cy);
}, 180_000);
afterAll(() => stopNodes(nodes), 60_000);

async function stop(node: Node): Promise<void> {
  node.daemon.child.kill('SIGTERM');
  await node.daemon.exited;
}

async function restart(node: Node): Promise<void> {
  node.daemon = await startDaemon({ ...node.profile.home.env, ...ENV });
}

const invite = (node: Node, args: string[] = []): Promise<string> => inviteCode(node, args);

/**
 * Waits until the joiner's daemon has fallen back to the mailbox — its join is stored as pending, and the
 * mailbox holds envelopes — failing at once with the CLI's error if `pvt join` ended. (The mailbox alone
 * is no sign: envelopes of earlier tests stay there, e.g. a request for an invite that expired.)
 */
async function requestDeposited(
  joiner: Node,
  joining: Promise<{ code: number | null; stderr: string }>,
): Promise<void> {
  let ended: string | undefined;
  void joining.then((r) => {
    ended = `pvt join ended early (${r.code}): ${r.stderr}`;
  });
  await until(
    'the join request in the mailbox',
    async () => {
      if (ended) throw new Error(ended);
      const { pendingJoins } = await pvtJson<{ pendingJoins: PendingJoinView[] }>(joiner, ['status']);
      if (!pendingJoins.some((p) => p.role === 'joiner')) return undefined;
      return (await heldByMailbox()) > 0 ? true : undefined;
    },
    60_000,
  );
}

async function heldByMailbox(): Promise<number> {
  return (await pvtJson<{ served: { envelopes: number } }>(mailbox, ['mailbox', 'list'])).served.envelopes;
}

describe('joining while the inviter is away', () => {
  test('Ann creates an invite that names her mailbox, then stops', async () => {
    expect((await pvtJson(mailbox, ['mailbox', 'serve', 'on'])).serving).toBe(true);
    await pvtJson(ann, ['mailbox', 'add', mailbox.addr]);
    for (const n of [ann, ben, cy]) await bootstrapAll(n, relays);
    code = await invite(ann);
    await stop(ann);
  }, 120_000);

  test('Ben joins; Ann starts later; both have the contact and the same SAS; a message each way', async () => {
    const joining = runPvt(['join', code, '--name', 'Ann', '--json'], {
      env: ben.profile.home.env,
      timeoutMs: 150_000,
    });
    await requestDeposited(ben, joining);
    await restart(ann);
    const r = await joining;
    expect(r.code, r.stderr).toBe(0);
    const joined = JSON.parse(r.stdout) as { contact: Contact; sas: string };
    expect(joined.contact.name).toBe('Ann');
    expect(joined.sas).toMatch(/^\d{3} \d{3}$/);
    const annSide = await until(
      'Ann to have the contact',
      async () => (await pvtJson<Contact[]>(ann, ['contacts']))[0],
      60_000,
    );
    expect(annSide.sas).toBe(joined.sas);
    const benSide = (await pvtJson<Contact[]>(ben, ['contacts']))[0];
    expect(benSide?.sas).toBe(joined.sas);

    expect((await runPvt(['send', 'Ann', 'hello from ben'], { env: ben.profile.home.env })).code).toBe(0);
    expect((await runPvt(['send', annSide.name, 'hello from ann'], { env: ann.profile.home.env })).code).toBe(
      0,
    );
    await until(
      'both messages received',
      async () => {
        const atAnn = await pvtJson<Message[]>(ann, ['log', annSide.name]);
        const atBen = await pvtJson<Message[]>(ben, ['log', 'Ann']);
        return atAnn.some((m) => m.direction === 'in' && m.body === 'hello from ben') &&
          atBen.some((m) => m.direction === 'in' && m.body === 'hello from ann')
          ? true
          : undefined;
      },
      60_000,
    );
  }, 180_000);

  test('the used invite, tried through the mailbox, is refused clearly', async () => {
    await stop(ann);
    const joining = runPvt(['join', code, '--json'], { env: cy.profile.home.env, timeoutMs: 150_000 });
    await requestDeposited(cy, joining);
    await restart(ann);
    const r = await joining;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('already used');
    expect(await pvtJson<Contact[]>(cy, ['contacts'])).toEqual([]);
    expect((await pvtJson<Contact[]>(ann, ['contacts'])).length).toBe(1);
  }, 180_000);

  test('an invite that expires while the request waits in the mailbox is refused clearly', async () => {
    const short = await invite(ann, ['--expires', '12s']);
    await stop(ann);
    const r = await runPvt(['join', short, '--json'], { env: cy.profile.home.env, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('expired');
    expect(await pvtJson<Contact[]>(cy, ['contacts'])).toEqual([]);
  }, 90_000);

  test('a joiner who stops waiting: its daemon completes the join when the inviter comes back', async () => {
    await restart(ann);
    const later = await invite(ann);
    await stop(ann);
    const joining = spawn(process.execPath, [PVT_BIN, 'join', later, '--name', 'Ann', '--json'], {
      env: { ...process.env, ...cy.profile.home.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gaveUp = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      joining.on('close', (code) => resolve({ code, stderr: 'see the daemon log' })),
    );
    await requestDeposited(cy, gaveUp);
    joining.kill('SIGINT');
    await gaveUp;
    await restart(ann);
    const atCy = await until(
      "Cy's daemon to finish the join",
      async () => (await pvtJson<Contact[]>(cy, ['contacts']))[0],
      60_000,
    );
    expect(atCy.name).toBe('Ann');
    const atAnn = await until(
      'Ann to have Cy',
      async () => {
        const list = await pvtJson<Contact[]>(ann, ['contacts']);
        return list.length === 2 ? list : undefined;
      },
      60_000,
    );
    expect(atAnn.map((c) => c.sas)).toContain(atCy.sas);
  }, 120_000);
});

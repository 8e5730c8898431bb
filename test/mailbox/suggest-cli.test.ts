/**
 * Mailbox suggestions across processes (docs/mailbox.md, "Suggestions"): three `pvt daemon` processes
 * on loopback. A relay turns its mailbox on; Ann, who knows the relay from her bootstrap list, sees it in
 * `pvt mailbox suggest` (from "relay", reached lately) and adds it by the printed address. Ben, a contact
 * of Ann who does not relay, turns his mailbox on; his next address update carries his descriptor and
 * Ann's suggestions name him ("contact Ben"); she adds him too. `pvt mailbox list` recommends two while
 * she has fewer, and stops once she has two; chosen mailboxes are no longer suggested; Ben turning his
 * mailbox off withdraws the offer. Then `pvt chat` in tmux, attached to Ann's daemon: after Ben's code
 * comparison (answered "later"), the TUI offers Ben's mailbox and "1" adds it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MailboxSuggestions } from '../../src/app/api.ts';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { until } from '../helpers/until.ts';
import { bootstrapAll, inviteCode, type Node, pvtJson, startNodes, stopNodes } from '../onion/helpers.ts';

const nodes: Node[] = [];
const sessions: TmuxSession[] = [];
const RECOMMENDED = 'at least two mailboxes are recommended';

beforeAll(async () => {
  nodes.push(
    ...(await startNodes([
      { name: 'Relay One', relay: true },
      { name: 'Ann Example', relay: false },
      { name: 'Ben Example', relay: false },
    ])),
  );
}, 240_000);
afterAll(async () => {
  for (const s of sessions) s.kill();
  await stopNodes(nodes);
}, 30_000);

async function pair(inviter: Node, joiner: Node, alias: string): Promise<void> {
  const joined = await pvtJson<{ contact: { name: string } }>(joiner, [
    'join',
    await inviteCode(inviter),
    '--name',
    alias,
  ]);
  expect(joined.contact.name).toBe(alias);
}

async function text(node: Node, args: string[]): Promise<string> {
  const r = await runPvt(args, { env: node.profile.home.env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

test('a relay serving a mailbox and a contact serving one are suggested; each is added by its printed address', async () => {
  const [relay, ann, ben] = nodes as [Node, Node, Node];

  // Nothing to suggest yet; the list recommends two.
  expect(await pvtJson<MailboxSuggestions>(ann, ['mailbox', 'suggest'])).toEqual({
    chosen: 0,
    recommended: 2,
    suggest: true,
    candidates: [],
  });
  expect(await text(ann, ['mailbox', 'list'])).toContain(RECOMMENDED);
  expect(await text(ann, ['mailbox', 'suggest'])).toContain('no mailbox to suggest');

  // The relay serves a mailbox; Ann knows the relay (its descriptor now names the service).
  await pvtJson(relay, ['mailbox', 'serve', 'on']);
  await bootstrapAll(ann, [relay]);
  const fromRelay = await until(
    'the relay in Ann’s suggestions',
    async () => {
      const s = await pvtJson<MailboxSuggestions>(ann, ['mailbox', 'suggest']);
      return s.candidates.find((c) => c.peerId === relay.peerId);
    },
    45_000,
    500,
  );
  expect(fromRelay).toMatchObject({ from: 'relay', contact: null, reachable: true });
  expect(fromRelay.address).toBe(`${relay.addr}`);
  const printed = await text(ann, ['mailbox', 'suggest']);
  expect(printed).toContain('relay · reached');
  expect(printed).toContain(fromRelay.address);
  await text(ann, ['mailbox', 'add', fromRelay.address]);
  const afterRelay = await pvtJson<MailboxSuggestions>(ann, ['mailbox', 'suggest']);
  expect(afterRelay.chosen).toBe(1);
  expect(afterRelay.candidates.some((c) => c.peerId === relay.peerId)).toBe(false);
  expect(await text(ann, ['mailbox', 'list'])).toContain(RECOMMENDED);

  // Ben becomes Ann's contact, then serves a mailbox (he does not relay): Ann hears it from him.
  await pair(ann, ben, 'Ann');
  await pvtJson(ben, ['mailbox', 'serve', 'on']);
  const fromBen = await until(
    'Ben in Ann’s suggestions',
    async () => {
      const s = await pvtJson<MailboxSuggestions>(ann, ['mailbox', 'suggest']);
      return s.candidates.find((c) => c.peerId === ben.peerId);
    },
    45_000,
    500,
  );
  expect(fromBen).toMatchObject({ from: 'contact', contact: 'Ben Example', reachable: true });
  expect(fromBen.address.endsWith(`/p2p/${ben.peerId}`)).toBe(true);
  expect(await text(ann, ['mailbox', 'suggest'])).toContain('contact Ben Example · reached');
  await text(ann, ['mailbox', 'add', fromBen.address]);

  const list = await pvtJson<{ mine: { peerId: string }[] }>(ann, ['mailbox', 'list']);
  expect(list.mine.map((m) => m.peerId)).toEqual([relay.peerId, ben.peerId]);
  expect(await text(ann, ['mailbox', 'list'])).not.toContain(RECOMMENDED);
  const done = await pvtJson<MailboxSuggestions>(ann, ['mailbox', 'suggest']);
  expect(done.chosen).toBe(2);
  expect(done.candidates.filter((c) => c.peerId === ben.peerId || c.peerId === relay.peerId)).toEqual([]);

  // Ben turns his mailbox off: his next address update carries no descriptor, and Ann forgets the offer
  // (she keeps her choice; only the suggestion goes).
  await text(ann, ['mailbox', 'remove', ben.peerId]);
  await pvtJson(ben, ['mailbox', 'serve', 'off']);
  await until(
    'Ben gone from Ann’s suggestions',
    async () => {
      const s = await pvtJson<MailboxSuggestions>(ann, ['mailbox', 'suggest']);
      return s.candidates.some((c) => c.peerId === ben.peerId) ? undefined : true;
    },
    45_000,
    500,
  );
}, 180_000);

test.skipIf(!tmuxAvailable())(
  'the TUI attached to the daemon offers the contact’s mailbox; 1 adds it',
  async () => {
    const [relay, ann, ben] = nodes as [Node, Node, Node];
    // Ann has one mailbox (the relay's); Ben serves his again, and Ann hears it.
    await pvtJson(ben, ['mailbox', 'serve', 'on']);
    await until(
      'Ben back in Ann’s suggestions',
      async () => {
        const s = await pvtJson<MailboxSuggestions>(ann, ['mailbox', 'suggest']);
        return s.candidates.some((c) => c.peerId === ben.peerId) ? true : undefined;
      },
      45_000,
      500,
    );
    const tui = new TmuxSession(`${process.execPath} ${PVT_BIN} chat`, {
      width: 120,
      height: 32,
      env: { PVT_HOME: ann.profile.home.dir, TERM: 'xterm-256color' },
    });
    sessions.push(tui);
    // Ben joined while no TUI ran: his code comparison comes first; answered later, the offer follows.
    await tui.waitFor('Compare this code with Ben Example', 30_000);
    await new Promise((r) => setTimeout(r, 1500)); // the prompt ignores keys in its first moments
    tui.type('l');
    const offered = await tui.waitFor('Choose mailboxes?', 30_000);
    expect(offered).toContain('You have 1; 2 are recommended');
    expect(offered).toMatch(/1\. contact Ben Example · reached lately/);
    tui.type('1');
    await tui.waitFor('mailbox added: contact Ben Example', 15_000);
    await tui.waitForGone('Choose mailboxes?', 15_000);
    const list = await pvtJson<{ mine: { peerId: string }[] }>(ann, ['mailbox', 'list']);
    expect(list.mine.map((m) => m.peerId)).toEqual([relay.peerId, ben.peerId]);
    tui.typeLine('/quit');
    await tui.waitFor('[exited 0]');
  },
  90_000,
);

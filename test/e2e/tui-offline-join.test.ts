/**
 * End-to-end: an offline join seen in `pvt chat` (docs/tui.md, contacts pane; docs/protocol/mailbox.md,
 * "Offline join"). Real daemons on loopback, the mailbox dialled directly (PVT_MAILBOX_TRANSPORT=direct).
 * Ann (inviter) names a mailbox, makes an invite and goes away; Ben, in `pvt chat` attached to his
 * daemon, types `/join CODE as Ann`: the panel says the request waits in the inviter's mailbox, Esc only
 * stops waiting, and the contacts pane keeps "joining Ann… (waiting in the inviter's mailbox)". Ann comes
 * back: the join completes in the background — the line goes, Ann's row appears, the code comparison
 * opens with the code Ann has too, and y verifies her.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../daemon/helpers.ts';
import { PVT_BIN } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { until } from '../helpers/until.ts';
import { inviteCode, type Node, pvtJson, startNode, stopNodes } from '../onion/helpers.ts';

const hasTmux = tmuxAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');

const ENV = { PVT_MAILBOX_TRANSPORT: 'direct', PVT_MAILBOX_POLL_MS: '1000' };
const nodes: Node[] = [];
const sessions: TmuxSession[] = [];
let mailbox: Node;
let ann: Node;
let ben: Node;

beforeAll(async () => {
  if (!hasTmux) return;
  [mailbox, ann] = await Promise.all([
    startNode('Mailbox Keeper', false, ENV),
    startNode('Ann Example', false, ENV),
  ]);
  nodes.push(mailbox, ann);
  ben = await startNode('Ben Example', false, ENV);
  nodes.push(ben);
  expect((await pvtJson(mailbox, ['mailbox', 'serve', 'on'])).serving).toBe(true);
  await pvtJson(ann, ['mailbox', 'add', mailbox.addr]);
}, 120_000);

afterAll(async () => {
  for (const s of sessions) s.kill();
  await stopNodes(nodes);
}, 60_000);

const invite = (node: Node): Promise<string> => inviteCode(node, [], ENV);

/** The contacts pane (left of the divider) as one line: wrapped rows joined by spaces. */
function pane(screen: string): string {
  return screen
    .split('\n')
    .filter((l) => l.includes('│'))
    .map((l) => l.split('│')[0]!.trim())
    .filter(Boolean)
    .join(' ');
}

describe.skipIf(!hasTmux)('pvt chat and an offline join', () => {
  test('the pending join stays in the contacts pane after Esc; completed in the background: the code comparison', async () => {
    const code = await invite(ann);
    ann.daemon.child.kill('SIGTERM');
    await ann.daemon.exited;

    const s = new TmuxSession(`${process.execPath} ${PVT_BIN} chat`, {
      width: 100,
      height: 30,
      env: { ...ben.profile.home.env, TERM: 'xterm-256color' },
    });
    sessions.push(s);
    await s.waitFor('Ben Example ·', 20_000);
    s.typeLine(`/join ${code} as Ann`);
    await s.waitFor('your request waits in its mailbox', 60_000);
    s.keys('Escape');
    let screen = await s.waitFor('stopped waiting');
    screen = await s.waitFor(/joining Ann…/);
    expect(pane(screen)).toContain("joining Ann… (waiting in the inviter's mailbox)");

    ann.daemon = await startDaemon({ ...ann.profile.home.env, ...ENV });
    screen = await s.waitFor('Compare this code with Ann', 60_000);
    const sas = /Compare this code with Ann: (\d{3} \d{3})/.exec(screen)?.[1];
    expect(sas).toMatch(/^\d{3} \d{3}$/);
    const atAnn = await until(
      'Ann to have Ben',
      async () => (await pvtJson<{ name: string; sas?: string | null }[]>(ann, ['contacts']))[0],
      60_000,
    );
    expect(atAnn.sas).toBe(sas);

    await s.waitFor('[y] it matches');
    s.type('y');
    screen = await s.waitFor('✓ Ann is verified');
    expect(pane(screen)).not.toContain('joining');
    expect(pane(screen)).toMatch(/✓ Ann/);
    s.typeLine('/quit');
    await s.waitFor('[exited 0]');
  }, 150_000);
});

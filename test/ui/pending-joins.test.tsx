/**
 * Offline joins in the TUI (docs/protocol/mailbox.md, "Offline join"): after Esc on a join that waits in
 * the inviter's mailbox, the contacts pane keeps a dimmed "joining Ann… (waiting in the inviter's
 * mailbox)" — from `pendingJoins()` at start and from `join-pending` / `join-ended` events — which goes
 * away when the join ends; a join completed in the background adds the contact and asks for the code
 * comparison like any join. Also: the /contacts panel lists them, names are sanitized, the inviter's
 * side, a narrow pane, and a stale `pendingJoins()` answer never brings back a join that ended.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { PendingJoinView } from '../../src/app/api.ts';
import { joiningRows } from '../../src/ui/components/ContactsPane.tsx';
import { reducePendingJoins } from '../../src/ui/state/pending-joins.ts';
import { CodedError, ContactsPvt, contactsLauncher, SAMPLE_CODE } from './contacts-api.ts';
import { renderApp, sleep, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
const SAS_KEYS = '[y] it matches · [n] it differs · [l]ater';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

async function open(api: ContactsPvt, size: { columns?: number; rows?: number } = {}): Promise<Tui> {
  const t = renderApp(contactsLauncher(api), { columns: 100, rows: 30, ...size, initialPassphrase: PASS });
  await t.waitFor('? help');
  await t.waitFor((s) => !s.includes('loading…'));
  return t;
}

/** The contacts pane (left of the divider) as one line of text: wrapped rows joined by spaces. */
function pane(screen: string): string {
  return screen
    .split('\n')
    .filter((l) => l.includes('│'))
    .map((l) => l.split('│')[0]!.trim())
    .filter(Boolean)
    .join(' ');
}

function joinView(over: Partial<PendingJoinView> = {}): PendingJoinView {
  return {
    id: 'j1',
    role: 'joiner',
    name: 'Ann',
    step: 'waiting-for-inviter',
    sas: null,
    since: 1_000,
    expiresAt: Date.now() + 3_600_000,
    ...over,
  };
}

const WAITING = "joining Ann… (waiting in the inviter's mailbox)";

describe('pending joins in the contacts pane', () => {
  test('after Esc the join stays visible; completed in the background: gone, the contact is there, the code comparison shows', async () => {
    const api = new ContactsPvt();
    api.joinImpl = (_code, o) =>
      new Promise((_resolve, reject) => {
        api.setPending(joinView({ name: o?.alias ?? null }));
        o?.signal?.addEventListener('abort', () => reject(new CodedError('JoinInterrupted', 'aborted')));
      });
    tui = await open(api);
    expect(pane(tui.screen())).not.toContain('joining');
    await tui.type(`/join ${SAMPLE_CODE} as Ann\r`);
    await tui.waitFor('the inviter is away: your request waits in its mailbox');
    await tui.press('escape');
    let s = await tui.waitFor('stopped waiting');
    expect(pane(s)).toContain(WAITING);
    expect(pane(s)).toMatch(/Note to self joining Ann/);

    // The inviter answered: the join moves on a step (the code is known), still one entry.
    api.setPending(joinView({ step: 'waiting-for-confirmation', sas: '271 828' }));
    s = await tui.waitFor((x) => pane(x).includes('code 271 828'));
    expect(pane(s)).toContain("joining Ann… (code 271 828; waiting for the inviter's confirmation)");
    expect(pane(s).match(/joining Ann/g)).toHaveLength(1);

    // Completed while the user does something else: the contact appears and the comparison is asked.
    api.completePending('j1', { name: 'Ann' }, '271 828');
    s = await tui.waitFor('Compare this code with Ann: 271 828');
    s = await tui.waitFor(SAS_KEYS);
    await tui.type('y');
    s = await tui.waitFor('✓ Ann is verified');
    expect(api.calls.verify).toEqual([{ name: 'Ann', decision: 'confirm' }]);
    expect(pane(s)).not.toContain('joining');
    expect(pane(s)).toMatch(/✓ Ann +offline/);
  });

  test('a join pending at start is read from pendingJoins(); one that fails goes away without a contact', async () => {
    const api = new ContactsPvt([{ name: 'Grace', verification: 'verified', path: 'lan' }]);
    api.setPending(joinView());
    api.setPending(joinView({ id: 'j2', role: 'inviter', name: null, step: 'answering', since: 2_000 }));
    tui = await open(api);
    const s = await tui.waitFor((x) => pane(x).includes('answering through your mailbox'));
    const text = pane(s);
    // Conversations first, then the joins, oldest first.
    expect(text).toMatch(
      /Grace +LAN joining Ann… \(waiting in the inviter's mailbox\) someone is joining with your invite… \(answering through your mailbox\)$/,
    );
    // The /contacts panel lists them under the contacts.
    await tui.type('/contacts\r');
    const panel = await tui.waitFor('Contacts (1)');
    expect(panel).toContain(`… ${WAITING}`);
    await tui.press('escape');
    await tui.waitFor((x) => !x.includes('Contacts (1)'));

    api.endPending('j1');
    const after = await tui.waitFor((x) => !pane(x).includes('joining Ann'));
    expect(pane(after)).toContain('someone is joining');
    api.endPending('j2');
    const none = await tui.waitFor((x) => !pane(x).includes('joining'));
    expect(none).not.toContain('Compare this code');
    expect(pane(none)).toMatch(/^Conversations > Note to self ✓ Grace +LAN$/);
  });

  test('a join that ends without a contact out of sight says who and why in the status line', async () => {
    const api = new ContactsPvt([]);
    api.setPending(joinView());
    api.setPending(joinView({ id: 'j2', role: 'inviter', name: null, step: 'answering', since: 2_000 }));
    tui = await open(api);
    await tui.waitFor((x) => pane(x).includes('answering through your mailbox'));
    api.endPending('j1', 'the invite expired before the join completed');
    const s = await tui.waitFor('ended without a contact');
    expect(s).toContain('Joining Ann ended without a contact: the invite expired');
    expect(pane(s)).not.toContain('joining Ann');
    api.endPending('j2', 'the joiner did not answer\u001b[2J while another join was waiting');
    const t = await tui.waitFor('A join with your invite ended');
    expect(t).not.toContain('\u001b[2J');
    // A completed join says nothing of the kind (its contact and code comparison show instead).
    expect(pane(t)).not.toContain('joining');
  });

  test('the name is sanitized: no escape sequence or bidi override reaches the terminal', async () => {
    const api = new ContactsPvt();
    api.setPending(joinView({ name: 'A\u001b]0;owned\u0007n\u202en\u001b[2J' }));
    tui = await open(api);
    const s = await tui.waitFor((x) => pane(x).includes('joining'));
    expect(pane(s)).toContain("(waiting in the inviter's mailbox)");
    const frame = tui.lastFrame();
    expect(frame).not.toContain('\u001b]0;');
    expect(frame).not.toContain('\u202e');
    expect(frame).not.toContain('\u001b[2J');
    expect(frame).not.toContain('owned\u0007');
  });

  test('a stale pendingJoins() answer does not bring back a join that ended while it was read', async () => {
    const api = new ContactsPvt();
    let calls = 0;
    let release: (() => void) | undefined;
    api.pendingJoinsImpl = () => {
      calls++;
      if (calls > 1) return Promise.resolve([]);
      // The first read answers with j1, but only after j1 has ended.
      return new Promise((resolve) => {
        release = () => resolve([joinView()]);
      });
    };
    tui = await open(api);
    await sleep(20);
    api.endPending('j1');
    release?.();
    await sleep(50);
    expect(calls).toBe(2);
    expect(pane(tui.screen())).not.toContain('joining');
    // The events still count.
    api.setPending(joinView({ id: 'j3', name: 'Cy' }));
    await tui.waitFor((x) => pane(x).includes('joining Cy…'));
  });

  test('a narrow pane wraps the line; more joins than half the pane end with "+N more joins"', async () => {
    const api = new ContactsPvt();
    for (let i = 0; i < 6; i++) api.setPending(joinView({ id: `j${i}`, name: `N${i}`, since: i }));
    tui = await open(api, { columns: 60, rows: 15 });
    const s = await tui.waitFor((x) => pane(x).includes('more joins'));
    const rows = s.split('\n').filter((l) => l.includes('│'));
    // The pane is 16 cells wide: nothing crosses the divider.
    for (const r of rows) expect(r.indexOf('│')).toBe(16);
    expect(pane(s)).toContain("joining N0… (waiting in the inviter's mailbox)");
    expect(pane(s)).toMatch(/\+\d more joins$/);
    expect(pane(s)).toContain('Note to self');
    // The /contacts panel: a row each while they leave half the panel, then how many more.
    api.setPending(joinView({ id: 'j6', name: 'N6', since: 6 }));
    api.setPending(joinView({ id: 'j7', name: 'N7', since: 7 }));
    await tui.type('/contacts\r');
    const panel = await tui.waitFor('more joins');
    expect(panel).toContain("… joining N0… (waiting in the inviter's mailbox)");
    expect(panel).toContain('… joining N4…');
    expect(panel).not.toContain('joining N5');
    expect(panel).toContain('… and 3 more joins');
    expect(panel).toContain('No contacts yet');
  });
});

describe('pending joins, pure parts', () => {
  test('the reducer adds, moves on a step, sorts oldest first and removes', () => {
    let s = reducePendingJoins([], { type: 'loaded', joins: [joinView({ id: 'b', since: 5 })] });
    s = reducePendingJoins(s, {
      type: 'event',
      event: { type: 'join-pending', join: joinView({ id: 'a', since: 1 }) },
    });
    expect(s.map((j) => j.id)).toEqual(['a', 'b']);
    s = reducePendingJoins(s, {
      type: 'event',
      event: { type: 'join-pending', join: joinView({ id: 'b', since: 5, sas: '1 2' }) },
    });
    expect(s.map((j) => [j.id, j.sas])).toEqual([
      ['a', null],
      ['b', '1 2'],
    ]);
    const same = reducePendingJoins(s, { type: 'event', event: { type: 'join-ended', id: 'zz' } });
    expect(same).toBe(s);
    s = reducePendingJoins(s, { type: 'event', event: { type: 'join-ended', id: 'a' } });
    expect(s.map((j) => j.id)).toEqual(['b']);
  });

  test('joiningRows keeps whole joins within the room and says how many more', () => {
    const joins = [joinView({ id: 'a' }), joinView({ id: 'b', name: 'Bo' })];
    const wide = joiningRows(joins, 60, 10);
    expect(wide).toEqual([`  ${WAITING}`, "  joining Bo… (waiting in the inviter's mailbox)"]);
    const cut = joiningRows(joins, 60, 1);
    expect(cut).toEqual(['  +2 more joins']);
    expect(joiningRows(joins, 60, 2)).toHaveLength(2);
    const three = [...joins, joinView({ id: 'c', name: 'Cy' })];
    expect(joiningRows(three, 60, 2)).toEqual([`  ${WAITING}`, '  +2 more joins']);
    expect(joiningRows(joins, 60, 0)).toEqual([]);
  });
});

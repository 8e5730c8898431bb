/**
 * The main screen with contacts: the contacts pane (verification marks, unread counts, path badges that
 * follow online/offline events), switching conversations (Tab, Shift+Tab, Alt+↑/↓) with markRead, the
 * message pane per conversation, sending to a contact with pending → sent → delivered, the network
 * status line, the bell for a contact's message, and runTui handing the network options to the launcher.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { NAT_OFF } from '../../src/net/nat/status.ts';
import { runTui } from '../../src/ui/run-tui.tsx';
import { type ContactSeed, ContactsPvt, contactsLauncher } from './contacts-api.ts';
import { renderApp, sleep, stripAnsi, TestStdin, TestStdout, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

async function open(
  api: ContactsPvt,
  size: { columns?: number; rows?: number; bell?: boolean } = {},
): Promise<Tui> {
  const t = renderApp(contactsLauncher(api), { columns: 100, rows: 30, ...size, initialPassphrase: PASS });
  await t.waitFor('? help');
  await t.waitFor((s) => !s.includes('loading…'));
  return t;
}

/** The contacts pane's row for a name (left of the divider). */
function row(screen: string, name: string): string {
  const line = screen.split('\n').find((l) => l.split('│')[0]?.includes(` ${name}`));
  return line?.split('│')[0] ?? '';
}

const GRACE_AND_BOB: readonly ContactSeed[] = [
  { name: 'Grace', verification: 'verified', path: 'lan' },
  { name: 'Bob', verification: 'unverified', path: 'offline' },
  { name: 'Mallory', verification: 'rejected', path: 'direct' },
];

describe('contacts pane', () => {
  test('marks, unread counts and path badges; the status line counts contacts and connections', async () => {
    const api = new ContactsPvt(GRACE_AND_BOB.map((c) => (c.name === 'Bob' ? { ...c, unread: 2 } : c)));
    tui = await open(api, { columns: 100, rows: 30 });
    const s = await tui.waitFor('Mallory');
    // pvt chat opens where the news is: Bob's unread messages (then read).
    expect(row(s, 'Bob')).toMatch(/^> \? Bob +offline +$/);
    expect(row(s, 'Grace')).toMatch(/^ {2}✓ Grace +LAN +$/);
    await tui.press('shift+tab', 'shift+tab');
    await tui.waitFor(/> Note to self/);
    expect(row(s, 'Mallory')).toMatch(/^ {2}✗ Mallory +direct +$/);
    expect(s).toContain('3 contacts, 2 connected · port mapping off');

    api.setPath('Bob', 'direct');
    api.setPath('Grace', 'offline');
    const after = await tui.waitFor((x) => /Bob +direct/.test(row(x, 'Bob')));
    expect(row(after, 'Grace')).toMatch(/Grace +offline/);
    expect(after).toContain('3 contacts, 2 connected · port mapping off');
    api.setPath('Mallory', 'offline');
    await tui.waitFor('3 contacts, 1 connected');

    api.setNetwork({ online: false, peerId: null, addresses: [], nat: NAT_OFF });
    await tui.waitFor('3KQ7-9XWA · offline');
  });

  test('narrow panes use short badges, cut long names and never spill over the divider', async () => {
    const api = new ContactsPvt([
      { name: 'Grace Hopper the Admiral', verification: 'verified', path: 'direct', unread: 12 },
      { name: 'Al', path: 'lan', unread: 1234 },
    ]);
    tui = await open(api, { columns: 60, rows: 15 });
    const s = await tui.waitFor('dir');
    const grace = row(s, 'Gra');
    // Opened on the first conversation with unread messages (so read); Al keeps its count.
    expect(grace).toMatch(/^> ✓ Gra.*… dir $/);
    expect(grace).toHaveLength(16);
    await tui.press('shift+tab');
    const top = await tui.waitFor(/> Note to self/);
    expect(row(top, 'Gra')).toMatch(/^ {2}✓ Gra.*… dir $/);
    expect(row(top, 'Al')).toMatch(/^ {2}\? Al +999\+ LAN $/);
    await tui.press('tab', 'tab');
    const al = row(await tui.waitFor((x) => row(x, 'Al').startsWith('> ')), 'Al');
    expect(al).toMatch(/^> \? Al +LAN $/);
  });

  test('with no contacts the status line says how to add one', async () => {
    tui = await open(new ContactsPvt());
    await tui.waitFor('no contacts yet (/invite) · port mapping off');
  });
});

describe('conversations', () => {
  test('Tab, Shift+Tab and Alt+↑/↓ switch; opening marks read; each conversation shows its own messages', async () => {
    const api = new ContactsPvt(GRACE_AND_BOB, ['my note']);
    tui = await open(api);
    await tui.waitFor('my note ✓');
    api.receiveFrom('Grace', 'hello from Grace');
    await tui.waitFor((s) => /Grace +1 LAN/.test(row(s, 'Grace')));
    expect(tui.screen()).not.toContain('hello from Grace');

    await tui.press('tab');
    let s = await tui.waitFor(/\d\d:\d\d» hello from Grace/);
    expect(row(s, 'Grace')).toMatch(/^> ✓ Grace +LAN +$/);
    expect(s).not.toContain('my note');
    expect(s).toContain('Message Grace · Enter sends');
    expect(api.calls.markRead).toContain(api.byName('Grace').id);

    // A message in the conversation on screen is read at once; one elsewhere counts as unread.
    api.receiveFrom('Grace', 'are you there?');
    await tui.waitFor('» are you there?');
    await sleep(20);
    expect(row(tui.screen(), 'Grace')).not.toMatch(/ 1 LAN/);
    api.receiveFrom('Bob', 'psst');
    await tui.waitFor((x) => /Bob +1 offline/.test(row(x, 'Bob')));

    await tui.press('tab');
    s = await tui.waitFor((x) => row(x, 'Bob').startsWith('> ') && x.includes('» psst'));
    expect(s).toContain('not verified yet: /verify Bob');
    await tui.press('alt+down');
    s = await tui.waitFor((x) => row(x, 'Mallory').startsWith('> '));
    expect(s).toContain('chat with Mallory is refused (the codes differed) · /remove Mallory');
    await tui.press('alt+down');
    await tui.waitFor((x) => x.includes('> Note to self') && x.includes('my note ✓'));
    await tui.press('shift+tab');
    await tui.waitFor((x) => row(x, 'Mallory').startsWith('> '));
    await tui.press('alt+up');
    await tui.waitFor((x) => row(x, 'Bob').startsWith('> '));
  });

  test('sending to a contact: api.send, then pending ⋯ → sent ✓ → delivered ✓✓, or failed ✗ with the reason; a refused send says why', async () => {
    const api = new ContactsPvt(GRACE_AND_BOB);
    tui = await open(api, { columns: 90, rows: 24 });
    await tui.press('tab');
    await tui.waitFor('Message Grace');
    await tui.type('hi Grace\r');
    await tui.waitFor('hi Grace ⋯');
    expect(api.calls.send).toEqual([{ name: 'Grace', text: 'hi Grace' }]);
    expect(api.notes).toEqual([]);
    const sent = (await api.contactMessages(api.byName('Grace').id)).find((m) => m.body === 'hi Grace')!;
    api.setState(sent.id, 'stored');
    // In Grace's mailbox (she is away): an envelope, not yet a check mark.
    await tui.waitFor('hi Grace ✉');
    api.setState(sent.id, 'sent');
    await tui.waitFor('hi Grace ✓');
    api.setState(sent.id, 'delivered');
    await tui.waitFor('hi Grace ✓✓');
    await tui.type('second\r');
    await tui.waitFor('second ⋯');
    const second = (await api.contactMessages(api.byName('Grace').id)).find((m) => m.body === 'second')!;
    api.setState(second.id, 'failed', 'not sent: you rejected this contact');
    await tui.waitFor('second ✗ not sent: you rejected this contact');

    await tui.press('shift+tab', 'shift+tab');
    await tui.waitFor('chat with Mallory is refused');
    await tui.type('anyone?\r');
    await tui.waitFor('! not sent: chat with "Mallory" is refused');
    expect(api.calls.send).toHaveLength(2);
  });

  test('a removed conversation on screen goes back to the notes', async () => {
    const api = new ContactsPvt(GRACE_AND_BOB, ['kept note']);
    tui = await open(api);
    await tui.press('tab');
    await tui.waitFor('Message Grace');
    await api.removeContact(api.byName('Grace').id);
    const s = await tui.waitFor((x) => x.includes('> Note to self') && x.includes('kept note ✓'));
    expect(row(s, 'Grace')).toBe('');
  });

  test('the bell rings for a contact message', async () => {
    const api = new ContactsPvt(GRACE_AND_BOB);
    tui = await open(api, { bell: true });
    api.receiveFrom('Grace', 'ding');
    await tui.waitFor((x) => /Grace +1 LAN/.test(row(x, 'Grace')));
    expect(tui.bells()).toBe(1);
  });
});

describe('runTui', () => {
  test('opens the profile with the network options it is given', async () => {
    const api = new ContactsPvt();
    const launcher = contactsLauncher(api);
    const stdout = new TestStdout(100, 30);
    const stdin = new TestStdin();
    const network = { port: 4242, mdns: false, loopbackOnly: true };
    const done = runTui({
      launcher,
      color: false,
      bell: false,
      initialPassphrase: PASS,
      network,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
    });
    const deadline = Date.now() + 3000;
    while (!stripAnsi(stdout.writes.join('')).includes('? help') && Date.now() < deadline) await sleep(5);
    await sleep(20);
    stdin.write('/quit\r');
    expect(await done).toBe(0);
    expect(launcher.opens).toEqual([{ passphrase: PASS, network }]);
  });
});

/**
 * End-to-end: the real `pvt chat` in tmux on a fresh PVT_HOME, driven with send-keys and read with
 * capture-pane, as a person would use it: onboarding with a passphrase, three notes (one typed as a
 * burst "text\r" in one send-keys call), quit, restart, a wrong passphrase, the right one, the notes.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { PVT_BIN, tempHome } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';

const hasTmux = tmuxAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');

const PASS = 'tmux test passphrase 42';
const home = tempHome(PASS);
const sessions: TmuxSession[] = [];
afterAll(() => {
  for (const s of sessions) s.kill();
  home.cleanup();
});

function startChat(extraEnv: Record<string, string> = {}): TmuxSession {
  const s = new TmuxSession(`${process.execPath} ${PVT_BIN} chat --loopback --no-mdns`, {
    width: 100,
    height: 30,
    env: { PVT_HOME: home.dir, TERM: 'xterm-256color', ...extraEnv },
  });
  sessions.push(s);
  return s;
}

describe.skipIf(!hasTmux)('pvt chat in tmux', () => {
  test('onboarding, three notes, quit, wrong then right passphrase, notes still there', async () => {
    const s = startChat();
    await s.waitFor('Your display name:');
    s.typeLine('Ada Tester');
    await s.waitFor('Choose a passphrase:');
    s.typeLine('short');
    await s.waitFor('too short');
    s.typeLine(PASS);
    await s.waitFor('Repeat the passphrase:');
    s.typeLine(PASS);
    const main = await s.waitFor('Ada Tester ·', 20_000);
    expect(main).toContain('Note to self');
    expect(main).toContain('? help');

    s.type('first note');
    s.keys('Enter');
    await s.waitFor('first note');
    s.type('second note 🙂 with émoji');
    s.keys('Enter');
    await s.waitFor('second note 🙂');
    s.typeLine('third note sent as one burst');
    const withThree = await s.waitFor('third note sent as one burst');
    const order = ['first note', 'second note 🙂', 'third note sent as one burst'].map((t) =>
      withThree.indexOf(t),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(withThree).toMatch(/\d\d:\d\d {2}first note/);

    s.typeLine('/frobnicate');
    await s.waitFor('unknown command /frobnicate');
    // The rejected line stays in the composer for correction; clear it.
    s.keys('C-u');
    await s.waitForGone('› /frobnicate');
    s.type('?');
    await s.waitFor('Esc closes this help');
    s.keys('Escape');
    await s.waitForGone('Esc closes this help');
    // Let the terminal's Escape timeout pass, so the next "/" is not read as Alt+/.
    await new Promise((r) => setTimeout(r, 300));

    s.typeLine('/quit');
    await s.waitFor('[exited 0]');

    const again = startChat();
    await again.waitFor('Passphrase:', 15_000);
    again.typeLine('not the passphrase');
    await again.waitFor('wrong passphrase', 15_000);
    again.typeLine(PASS);
    const reopened = await again.waitFor('third note sent as one burst', 15_000);
    expect(reopened).toContain('first note');
    expect(reopened).toContain('second note 🙂 with émoji');
    again.keys('C-c');
    await again.waitFor('[exited 0]');
  }, 90_000);

  test('a too-small terminal says how big it must be', async () => {
    const s = startChat({ PVT_PASSPHRASE_FILE: home.passFile });
    await s.waitFor('Ada Tester ·', 20_000);
    s.resize(50, 12);
    await s.waitFor('terminal too small: need at least 60×15');
    s.resize(100, 30);
    await s.waitFor('? help');
    s.keys('C-d');
    await s.waitFor('[exited 0]');
  }, 60_000);
});

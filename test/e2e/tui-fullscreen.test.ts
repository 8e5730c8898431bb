/**
 * End-to-end: the real `pvt chat` in tmux, started from a shell with 60 lines of its own output, over a
 * profile with 5,000 notes. It runs on the alternate screen (#{alternate_on} 1), and after /quit, Ctrl+C
 * and kill -TERM the shell's scrollback is exactly what it was (content and size, also after resizes)
 * and no message text is anywhere in `capture-pane -S -`. Inside: PgUp and Home reach note #1, /search
 * finds a word in note #3, and an unbracketed `tmux paste-buffer` of 5 lines is one draft, then one note.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PVT_BIN, ROOT, tempHome } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';

const hasTmux = tmuxAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');

const PASS = 'fullscreen test passphrase';
const home = tempHome(PASS);
const sessions: TmuxSession[] = [];
const NODE = process.execPath;
// Typed through two short variables so the command line never wraps, however long the checkout's path is.
const CHAT = '"$N" "$P" chat --loopback --no-mdns';

beforeAll(() => {
  if (!hasTmux) return;
  execFileSync(NODE, [PVT_BIN, 'init', '--name', 'Ada'], { env: { ...process.env, ...home.env } });
  execFileSync(NODE, [`${ROOT}test/helpers/seed-notes.ts`, home.dir, 'default', PASS, '5000', '3=quokka'], {
    env: { ...process.env, ...home.env },
    timeout: 60_000,
  });
}, 90_000);

afterAll(() => {
  for (const s of sessions) s.kill();
  home.cleanup();
});

async function shellWithHistory(): Promise<TmuxSession> {
  const s = new TmuxSession('bash --norc --noprofile', {
    width: 100,
    height: 30,
    env: { ...home.env, TERM: 'xterm-256color', PS1: '$ ', N: NODE, P: PVT_BIN },
  });
  sessions.push(s);
  for (let i = 1; i <= 60; i += 20) {
    s.typeLine(`for i in $(seq ${i} ${i + 19}); do echo shell-line-$i; done`);
    await s.waitFor(`shell-line-${i + 19}`);
  }
  return s;
}

/** The pid of the program the pane's bash runs (pvt chat), found under the pane's process. */
function pvtUnder(root: number): number {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/u));
  let level = [String(root)];
  for (let depth = 0; depth < 4; depth++) {
    const shells = rows.filter((r) => level.includes(r[0]!) && r[2] === 'bash').map((r) => r[0]!);
    const child = rows.find((r) => shells.includes(r[1]!) && r[2] !== 'bash');
    if (child) return Number(child[0]);
    level = rows.filter((r) => level.includes(r[1]!)).map((r) => r[0]!);
  }
  throw new Error('pvt chat is not running in the pane');
}

const alternate = (s: TmuxSession): string => s.format('#{alternate_on}');

async function waitUntil(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts pvt chat from the shell; returns the scrollback as it was just before. */
async function startChat(s: TmuxSession): Promise<{ history: string; size: number }> {
  s.type(CHAT);
  await s.waitFor('--no-mdns');
  const before = { history: s.scrollback(true), size: Number(s.format('#{history_size}')) };
  s.keys('Enter');
  await s.waitFor('seed note 5000 ✓', 30_000);
  expect(alternate(s)).toBe('1');
  return before;
}

/** After pvt is gone: the shell's scrollback is what it was, and nothing of the conversation is left. */
async function expectRestored(s: TmuxSession, before: { history: string; size: number }): Promise<void> {
  await waitUntil(() => alternate(s) === '0', `the alternate screen to be left:\n${s.screen()}`);
  await s.waitFor(/^\$ ?$/mu);
  const after = s.scrollback();
  expect(after.startsWith(before.history.replace(/\n+$/u, ''))).toBe(true);
  // At most the command line and the new prompt were added (they scroll the full screen by a line each).
  const size = Number(s.format('#{history_size}'));
  expect(size).toBeGreaterThanOrEqual(before.size);
  expect(size).toBeLessThanOrEqual(before.size + 2);
  expect(after).not.toMatch(/seed note|quokka|pasted line|Note to self/u);
}

describe.skipIf(!hasTmux)('pvt chat full screen in tmux', () => {
  test('alternate screen; PgUp and Home reach #1; /search; a 5-line paste is one note; /quit restores the scrollback', async () => {
    const s = await shellWithHistory();
    const before = await startChat(s);

    s.keys('PPage');
    let screen = await s.waitFor(/▼ [\d,]+ newer/);
    expect(screen).not.toContain('seed note 5000 ✓');
    s.keys('Home');
    screen = await s.waitFor(/ seed note 1 ✓/);
    expect(screen).not.toContain('▲');
    s.keys('End');
    await s.waitFor('seed note 5000 ✓');
    // PgUp alone also gets there, loading pages as it goes (5,000 one-row notes, 20 rows a page).
    for (let i = 0; i < 270; i++) s.keys('PPage');
    await s.waitFor(/ seed note 1 ✓/, 30_000);
    s.keys('End');
    await s.waitFor('seed note 5000 ✓');

    s.typeLine('/search quokka');
    screen = await s.waitFor('found "quokka" in message #3', 30_000);
    expect(screen).toContain('seed note 3 quokka');
    s.keys('Escape');

    // Resizing lays the screen out again; the shell's scrollback is not touched.
    s.resize(80, 24);
    await s.waitFor(/─┴─/u);
    s.resize(120, 40);
    await new Promise((r) => setTimeout(r, 300));
    s.resize(100, 30);
    await new Promise((r) => setTimeout(r, 300));

    s.paste('pasted line 1\npasted line 2\npasted line 3\npasted line 4\npasted line 5\n');
    await s.waitFor('pasted 5 lines as one draft');
    expect(s.screen()).not.toMatch(/pasted line 1 ✓/u);
    s.keys('Enter');
    screen = await s.waitFor('pasted line 5 ✓');
    // One note of five lines: the time only on its first row, the others indented under it.
    expect(screen).toMatch(/\d\d:\d\d {2}pasted line 1\n.*│ {8}pasted line 2/u);

    s.typeLine('/quit');
    await expectRestored(s, before);
    s.kill();
  }, 120_000);

  test('Ctrl+C and kill -TERM also leave the alternate screen and the scrollback as it was', async () => {
    const s = await shellWithHistory();
    let before = await startChat(s);
    s.keys('C-c');
    await expectRestored(s, before);

    before = await startChat(s);
    // pvt chat is the child of the pane's bash (sh → bash → pvt).
    const pid = pvtUnder(s.panePid());
    process.kill(Number(pid), 'SIGTERM');
    await expectRestored(s, before);
    s.kill();
  }, 90_000);
});

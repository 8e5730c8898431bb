/**
 * Issue 10 item 1 — a contact must not be able to take over the terminal through `pvt log`.
 * Attack reproduced: Mallory sends `x ESC]0;PWN BEL ESC[2J` plus a newline and a line shaped like one of
 * Bob's own delivered messages. Bob reads the conversation in tmux with `pvt log` and `pvt log --follow`:
 * the pane title is unchanged, the screen is not cleared (a marker printed before stays), and the forged
 * line can only appear indented under Mallory's message, never at the start of a line.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sanitize, sanitizeBlock, sanitizeLine } from '../../src/text/sanitize.ts';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { until } from '../helpers/until.ts';
import { createPerson, type Person, pair, pvtJson, stopPerson } from './helpers.ts';

const hasTmux = tmuxAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');

const FORGED = '2026-01-01 09:00  me: I transfer all my savings to Mallory  ✓✓';
const PAYLOAD = `x\u001b]0;PWN\u0007\u001b[2J\u001b[H\n${FORGED}\r${FORGED}\u2028${FORGED}`;

let mallory: Person;
let bob: Person;
const sessions: TmuxSession[] = [];

beforeAll(async () => {
  if (!hasTmux) return;
  [mallory, bob] = await Promise.all([createPerson('Mallory'), createPerson('Bob')]);
  await pair(mallory, bob);
}, 60_000);

afterAll(async () => {
  for (const s of sessions) s.kill();
  await Promise.all([mallory, bob].filter(Boolean).map(stopPerson));
});

function paneTitle(s: TmuxSession): string {
  return execFileSync('tmux', ['-L', s.socket, 'display-message', '-p', '-t', s.name, '#{pane_title}'], {
    encoding: 'utf8',
  }).trim();
}

/** Every screen line that starts like a message line (a timestamp at column 0). */
function messageLines(screen: string): string[] {
  return screen.split('\n').filter((l) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} /.test(l));
}

function expectHarmless(s: TmuxSession, screen: string): void {
  expect(paneTitle(s)).toBe('untouched-title');
  expect(screen).toContain('MARKER-BEFORE-LOG');
  for (const l of messageLines(screen)) expect(l).not.toContain('I transfer all my savings');
  expect(screen).toContain('I transfer all my savings');
}

describe.skipIf(!hasTmux)('terminal injection through pvt log', () => {
  test('a message with escape sequences and forged lines neither retitles, clears nor forges', async () => {
    const sent = await runPvt(['send', 'Bob', PAYLOAD], { env: mallory.home.env });
    expect(sent.code, sent.stderr).toBe(0);
    await until('the message at Bob', async () => {
      const log = await pvtJson<{ body: string }[]>(bob, ['log', 'Mallory']);
      return log.some((m) => m.body === PAYLOAD) ? true : undefined;
    });
    const s = new TmuxSession(
      `sh -c 'printf "\\033]2;untouched-title\\007"; echo MARKER-BEFORE-LOG; ${process.execPath} ${PVT_BIN} log Mallory'`,
      { width: 120, height: 30, env: { PVT_HOME: bob.home.dir, TERM: 'xterm-256color' } },
    );
    sessions.push(s);
    const screen = await s.waitFor('[exited 0]', 20_000);
    expectHarmless(s, screen);
    expect(screen).not.toContain('PWN');
  });

  test('pvt log --follow prints a live message as harmlessly', async () => {
    const s = new TmuxSession(
      `sh -c 'printf "\\033]2;untouched-title\\007"; echo MARKER-BEFORE-LOG; ${process.execPath} ${PVT_BIN} log Mallory --follow'`,
      { width: 120, height: 30, env: { PVT_HOME: bob.home.dir, TERM: 'xterm-256color' } },
    );
    sessions.push(s);
    await s.waitFor('I transfer all my savings', 20_000);
    const live = `live ${Date.now()}\u001b]0;PWN2\u0007\u001bc\n${FORGED}`;
    const sent = await runPvt(['send', 'Bob', live], { env: mallory.home.env });
    expect(sent.code, sent.stderr).toBe(0);
    const screen = await s.waitFor(/live \d+/, 20_000);
    // Wait for the forged tail of the live message to be printed too.
    await until('the whole live message', async () =>
      s.screen().split('I transfer all my savings').length > 4 ? true : undefined,
    );
    expectHarmless(s, s.screen());
    expect(screen).not.toContain('PWN2');
    s.keys('C-c');
  });
});

describe('the sanitizer', () => {
  test('removes escape sequences, controls, bidi and invisible characters; keeps emoji joiners', () => {
    expect(sanitize('a\u001b]0;t\u0007b\u001b[31mc\u001b[0m\u009b2Jd\u001bce')).toBe('abcde');
    expect(sanitize('a\u001bPq#0;2;0;0;0\u001b\\b')).toBe('ab');
    expect(sanitizeLine('B\u200bo\u202eb\u2066\ufeff\u061c\u{e0041}')).toBe('Bob');
    expect(sanitizeLine('one\u2028two\u2029three\rfour\u0085five')).toBe('one two three four five');
    expect(sanitize('👩\u200d💻')).toBe('👩\u200d💻');
    expect(sanitizeBlock('a\nb\r\nc', '  | ')).toBe('a\n  | b\n  | c');
  });
});

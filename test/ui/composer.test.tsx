/**
 * The composer: Enter sends through sendNote, bursts are split on "\r", history, new lines, editing
 * keys, bracketed paste, slash commands and quitting with Ctrl+D.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createMemoryLauncher, type MemoryLauncher } from '../helpers/memory-api.ts';
import { composerText, openMain, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

function launcher(notes: number | string[] = 0): MemoryLauncher {
  return createMemoryLauncher({ state: 'passphrase', passphrase: PASS, notes });
}

const composer = composerText;

describe('composer', () => {
  test('typing then Enter sends a note through sendNote and prints it in the history', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('hello there');
    expect(composer(tui.screen())).toBe('hello there');
    await tui.press('enter');
    await tui.waitFor(/\d\d:\d\d {2}hello there ✓/);
    expect(l.api?.notes).toEqual(['hello there']);
    expect(composer(tui.screen())).toContain('Write a note to yourself');
  });

  test('a line typed as one burst "hello\\r" is sent (tmux send-keys, SSH)', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('hello\r');
    await tui.waitFor('hello ✓');
    await tui.type('world\r');
    await tui.waitFor('world ✓');
    expect(l.api?.notes).toEqual(['hello', 'world']);
  });

  test('several lines in one read are a paste: one draft, never several sends; Enter sends one message', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('one\rtwo\rthree\rfour\rfive\r');
    await tui.waitFor('pasted 5 lines as one draft');
    expect(l.api?.notes).toEqual([]);
    expect(composer(tui.screen())).toBe('one\ntwo\nthree\nfour\nfive');
    await tui.press('enter');
    await tui.waitFor(() => l.api?.notes.length === 1);
    expect(l.api?.notes).toEqual(['one\ntwo\nthree\nfour\nfive']);
  });

  test('a paste over the message limit says so before sending, and Enter keeps it in the composer', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type(`${'y'.repeat(5000)}\r${'z'.repeat(5000)}\r`);
    await tui.waitFor('too long to send: 10,001 bytes');
    await tui.press('enter');
    await tui.waitFor('too long to send');
    expect(l.api?.notes).toEqual([]);
    expect(composer(tui.screen())).toContain('zzz');
  });

  test('empty and whitespace-only input is not sent', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('\r   \r');
    await tui.press('enter');
    expect(l.api?.notes).toEqual([]);
  });

  test('↑/↓ walk the history of what was sent, including earlier sessions', async () => {
    const l = launcher(['from yesterday']);
    tui = await openMain(l);
    await tui.type('first\r');
    await tui.waitFor('first ✓');
    await tui.type('second\r');
    await tui.waitFor('second ✓');
    await tui.type('draft');
    await tui.press('up');
    expect(composer(tui.screen())).toBe('second');
    await tui.press('up', 'up');
    expect(composer(tui.screen())).toBe('from yesterday');
    await tui.press('down');
    expect(composer(tui.screen())).toBe('first');
    await tui.press('down', 'down');
    expect(composer(tui.screen())).toBe('draft');
    await tui.press('ctrl+u', 'up', 'enter');
    await tui.waitFor(() => l.api?.notes.length === 3);
    expect(l.api?.notes).toEqual(['first', 'second', 'second']);
  });

  test('Alt+Enter, Ctrl+J and kitty Shift+Enter insert new lines; Enter sends all lines as one note', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('line one');
    await tui.press('alt+enter');
    await tui.type('line two');
    await tui.press('ctrl+j');
    await tui.type('line three');
    await tui.press('shift+enter (kitty)');
    await tui.type('line four');
    expect(composer(tui.screen())).toBe('line one\nline two\nline three\nline four');
    await tui.press('enter');
    await tui.waitFor('line four ✓');
    expect(l.api?.notes).toEqual(['line one\nline two\nline three\nline four']);
  });

  test('↑ inside a multi-line entry moves up a line before it recalls history', async () => {
    const l = launcher(['old']);
    tui = await openMain(l);
    await tui.type('ab');
    await tui.press('alt+enter');
    await tui.type('cd');
    await tui.press('up');
    await tui.type('X');
    expect(composer(tui.screen())).toBe('abX\ncd');
    await tui.press('up');
    expect(composer(tui.screen())).toBe('old');
  });

  test('editing keys: arrows, Home/End, Backspace/Delete, Ctrl+A/E/U/W', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('hello wide world');
    await tui.press('ctrl+w', 'backspace');
    expect(composer(tui.screen())).toBe('hello wide');
    await tui.press('left', 'left', 'left', 'left', 'backspace');
    expect(composer(tui.screen())).toBe('hellowide');
    await tui.type(' ');
    await tui.press('home');
    await tui.type('> ');
    await tui.press('end');
    await tui.type('!');
    expect(composer(tui.screen())).toBe('> hello wide!');
    await tui.press('ctrl+a', 'delete', 'delete', 'ctrl+e', 'backspace');
    expect(composer(tui.screen())).toBe('hello wide');
    await tui.press('left', 'left', 'left', 'left', 'ctrl+u');
    expect(composer(tui.screen())).toBe('wide');
    await tui.press('right', 'right');
    await tui.type('🙂');
    // One ← steps over the whole emoji (two UTF-16 units); Backspace then removes the "i".
    await tui.press('left', 'backspace');
    expect(composer(tui.screen())).toBe('w🙂de');
    await tui.press('enter');
    await tui.waitFor('w🙂de ✓');
  });

  test('a bracketed paste inserts its lines without sending', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('\u001b[200~pasted one\npasted two\r\u001b[201~');
    expect(composer(tui.screen())).toBe('pasted one\npasted two');
    expect(l.api?.notes).toEqual([]);
    await tui.press('enter');
    await tui.waitFor('pasted two ✓');
    expect(l.api?.notes).toEqual(['pasted one\npasted two']);
  });

  test('an unknown command is an error in the status line, not a note', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('/frobnicate now\r');
    await tui.waitFor('unknown command /frobnicate — /help lists commands');
    expect(l.api?.notes).toEqual([]);
    // The rejected line stays in the composer for correction.
    expect(composer(tui.screen())).toBe('/frobnicate now');
    await tui.press('ctrl+u', 'escape');
    await tui.waitFor('3KQ7-9XWA · offline');
    await tui.type('//frobnicate is a note\r');
    await tui.waitFor('/frobnicate is a note ✓');
  });

  test('an over-limit message is refused before sending and stays in the composer', async () => {
    const l = launcher();
    tui = await openMain(l);
    await tui.type('x'.repeat(9000));
    await tui.press('enter');
    await tui.waitFor('too long to send: 9,000 bytes');
    expect(l.api?.notes).toEqual([]);
    expect(composer(tui.screen())).toContain('xxxx');
  });

  test('/quit, and Ctrl+D on an empty composer, end the app', async () => {
    tui = await openMain(launcher());
    await tui.type('/quit\r');
    await tui.waitUntilExit();

    tui = await openMain(launcher());
    await tui.type('abc');
    await tui.press('home', 'ctrl+d');
    expect(composer(tui.screen())).toBe('bc');
    await tui.press('ctrl+u', 'end', 'backspace', 'backspace', 'ctrl+d');
    await tui.waitUntilExit();

    tui = await openMain(launcher());
    await tui.press('ctrl+c');
    await tui.waitUntilExit();
  });
});

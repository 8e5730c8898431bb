/**
 * Every key binding of the TUI in one place: turns what Ink's useInput reports into editor/app commands,
 * and lists the bindings for the help overlay. Also splits burst input: over SSH and tmux `send-keys`,
 * "hello\r" (or "hello\rworld\r") arrives in ONE useInput call with `key.return === false`, so a chunk of
 * text is cut at "\r" (submit), "\n" (new line) and control bytes here, never trusted as one insert.
 * Pure; must not know about the PvtApi or screens.
 */
import type { Key } from 'ink';

export type Command =
  | { readonly type: 'insert'; readonly text: string }
  | { readonly type: 'newline' }
  | { readonly type: 'submit' }
  | { readonly type: 'left' }
  | { readonly type: 'right' }
  | { readonly type: 'wordLeft' }
  | { readonly type: 'wordRight' }
  | { readonly type: 'lineStart' }
  | { readonly type: 'lineEnd' }
  | { readonly type: 'up' }
  | { readonly type: 'down' }
  | { readonly type: 'backspace' }
  | { readonly type: 'delete' }
  | { readonly type: 'killLineStart' }
  | { readonly type: 'killLineEnd' }
  | { readonly type: 'killWordBack' }
  /** Ctrl+D: quit when the composer is empty, else delete forward. */
  | { readonly type: 'eof' }
  /** Ctrl+C. */
  | { readonly type: 'interrupt' }
  | { readonly type: 'escape' }
  /** Ctrl+L: redraw the screen. */
  | { readonly type: 'redraw' }
  | { readonly type: 'tab' }
  /** Shift+Tab. */
  | { readonly type: 'backtab' }
  /** Alt+↑ / Alt+↓: previous / next conversation. */
  | { readonly type: 'prevConversation' }
  | { readonly type: 'nextConversation' }
  | { readonly type: 'pageUp' }
  | { readonly type: 'pageDown' }
  /** Home / End: line start / end in a non-empty composer, else the first / newest message. */
  | { readonly type: 'home' }
  | { readonly type: 'end' }
  /** Ctrl+Home / Ctrl+End (also Alt): the first / newest message, whatever the composer holds. */
  | { readonly type: 'historyTop' }
  | { readonly type: 'historyBottom' }
  /** Ctrl+F: search the conversation (next match when a search is active). */
  | { readonly type: 'search' };

/** What Ink reports for a key; the subset the bindings read. */
export type KeyInfo = Pick<
  Key,
  | 'upArrow'
  | 'downArrow'
  | 'leftArrow'
  | 'rightArrow'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'return'
  | 'escape'
  | 'ctrl'
  | 'shift'
  | 'tab'
  | 'backspace'
  | 'delete'
  | 'meta'
>;

const NO_KEY: KeyInfo = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
};

/** A key with no modifiers or special flags; tests build keys from it. */
export function plainKey(overrides: Partial<KeyInfo> = {}): KeyInfo {
  return { ...NO_KEY, ...overrides };
}

const CTRL_LETTERS: Readonly<Record<string, Command>> = {
  a: { type: 'lineStart' },
  e: { type: 'lineEnd' },
  b: { type: 'left' },
  f: { type: 'search' },
  p: { type: 'up' },
  n: { type: 'down' },
  h: { type: 'backspace' },
  // Legacy terminals send Ctrl+J as a bare "\n" (handled in splitBurst); the kitty protocol reports it.
  j: { type: 'newline' },
  u: { type: 'killLineStart' },
  k: { type: 'killLineEnd' },
  w: { type: 'killWordBack' },
  d: { type: 'eof' },
  c: { type: 'interrupt' },
  l: { type: 'redraw' },
};

const META_LETTERS: Readonly<Record<string, Command>> = {
  b: { type: 'wordLeft' },
  f: { type: 'wordRight' },
};

/** Commands for one useInput call, in order. */
export function commandsFor(input: string, key: KeyInfo): Command[] {
  if (key.return) return [key.meta || key.shift ? { type: 'newline' } : { type: 'submit' }];
  if (key.escape) return [{ type: 'escape' }];
  if (key.leftArrow) return [key.ctrl || key.meta ? { type: 'wordLeft' } : { type: 'left' }];
  if (key.rightArrow) return [key.ctrl || key.meta ? { type: 'wordRight' } : { type: 'right' }];
  if (key.upArrow) return [key.meta ? { type: 'prevConversation' } : { type: 'up' }];
  if (key.downArrow) return [key.meta ? { type: 'nextConversation' } : { type: 'down' }];
  if (key.home) return [key.ctrl || key.meta ? { type: 'historyTop' } : { type: 'home' }];
  if (key.end) return [key.ctrl || key.meta ? { type: 'historyBottom' } : { type: 'end' }];
  if (key.pageUp) return [{ type: 'pageUp' }];
  if (key.pageDown) return [{ type: 'pageDown' }];
  if (key.backspace) return [key.meta || key.ctrl ? { type: 'killWordBack' } : { type: 'backspace' }];
  if (key.delete) return [{ type: 'delete' }];
  if (key.tab) return [key.shift ? { type: 'backtab' } : { type: 'tab' }];
  if (key.ctrl) {
    const c = CTRL_LETTERS[input.toLowerCase()];
    return c ? [c] : [];
  }
  if (key.meta) {
    const c = META_LETTERS[input.toLowerCase()];
    return c ? [c] : [];
  }
  return splitBurst(input);
}

/**
 * Cuts a chunk of typed/sent text into commands: "\r" and "\r\n" submit, "\n" (Ctrl+J) is a new line,
 * a tab becomes spaces, DEL/BS erase, Ctrl+letter bytes act as their binding, other controls vanish.
 */
export function splitBurst(input: string): Command[] {
  const out: Command[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') out.push({ type: 'insert', text });
    text = '';
  };
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    const code = ch.charCodeAt(0);
    if (ch === '\r') {
      flush();
      out.push({ type: 'submit' });
      if (input[i + 1] === '\n') i++;
    } else if (ch === '\n') {
      flush();
      out.push({ type: 'newline' });
    } else if (ch === '\t') {
      text += '    ';
    } else if (code === 0x7f || code === 0x08) {
      flush();
      out.push({ type: 'backspace' });
    } else if (code < 0x20) {
      flush();
      const c = CTRL_LETTERS[String.fromCharCode(code + 96)];
      if (c) out.push(c);
    } else {
      text += ch;
    }
  }
  flush();
  return out;
}

/**
 * True when a chunk of input holds more than one line: a paste (or a script) — nobody types a line
 * break and more text within one read. "text\r" alone is a typed line with Enter (tmux send-keys, SSH).
 */
export function isPasteBurst(input: string): boolean {
  const text = input.replace(/\r\n?/gu, '\n');
  const at = text.indexOf('\n');
  return at !== -1 && /[^\n]/u.test(text.slice(at + 1));
}

/**
 * A pasted chunk as draft text: line breaks kept as new lines (never submits), a trailing line break
 * dropped, tabs as spaces, other control bytes removed.
 */
export function pastedText(input: string): string {
  return (
    input
      .replace(/\r\n?/gu, '\n')
      .replace(/\t/gu, '    ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control bytes is the point.
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/gu, '')
      .replace(/\n+$/u, '')
  );
}

export interface Binding {
  readonly keys: string;
  readonly action: string;
}

/** Shown by the help overlay; keep in step with `commandsFor`. Short, so two columns fit 80 cells. */
export const KEY_BINDINGS: readonly Binding[] = [
  { keys: 'Enter', action: 'send' },
  { keys: 'Alt+Enter', action: 'new line (Ctrl+J)' },
  { keys: 'Tab/Shift+Tab', action: 'next/prev conversation' },
  { keys: 'Alt+↓ / ↑', action: 'next/prev conversation' },
  { keys: '↑ / ↓', action: 'history / move line' },
  { keys: 'Ctrl+P / N', action: 'history / move line' },
  { keys: '← / →', action: 'move (Ctrl: by word)' },
  { keys: 'PgUp / PgDn', action: 'scroll the messages' },
  { keys: 'mouse wheel', action: 'scroll the messages' },
  { keys: 'Home / End', action: 'line start / end' },
  { keys: 'Ctrl+Home/End', action: 'first/newest message' },
  { keys: 'Ctrl+F', action: 'search; again: next' },
  { keys: 'Ctrl+A / E', action: 'line start / end' },
  { keys: 'Bksp / Del', action: 'delete left / right' },
  { keys: 'Ctrl+U / K', action: 'delete to start / end' },
  { keys: 'Ctrl+W', action: 'delete word (Alt+Bksp)' },
  { keys: '?', action: 'help (empty composer)' },
  { keys: 'y / n / l', action: 'answer a code check' },
  { keys: 'Esc', action: 'close panel / error' },
  { keys: 'Ctrl+D', action: 'quit (empty composer)' },
  { keys: 'Ctrl+C', action: 'quit' },
];

/**
 * The line editor as pure state transitions, shared by the composer (multi-line, with history of what
 * was sent) and the onboarding/unlock fields (single line). The cursor moves by grapheme, so an emoji or
 * an accented letter is one step. `apply` reports a submit or a command the editor does not own (quit,
 * help, escape…) to its container instead of acting on it. Knows nothing about Ink or the PvtApi.
 */
import type { Command } from '../keys.ts';

export interface EditorState {
  readonly text: string;
  /** UTF-16 offset, always on a grapheme boundary. */
  readonly cursor: number;
  /** Oldest first. */
  readonly history: readonly string[];
  /** Index into history while browsing it; null while editing the draft. */
  readonly historyIndex: number | null;
  /** The text that was being edited when history browsing began. */
  readonly draft: string;
}

export interface EditorOptions {
  /** Single-line fields drop newlines (and "up"/"down" do nothing). */
  readonly multiline: boolean;
}

export type EditorOutcome =
  | { readonly kind: 'edited' }
  | { readonly kind: 'submit'; readonly text: string }
  | { readonly kind: 'unhandled'; readonly command: Command };

/** Largest editor content; a giant paste is cut here (the app layer has its own, smaller, limit). */
export const MAX_EDITOR_CHARS = 32 * 1024;
export const HISTORY_LIMIT = 100;

export const emptyEditor: EditorState = { text: '', cursor: 0, history: [], historyIndex: null, draft: '' };

export function editorWith(text: string, history: readonly string[] = []): EditorState {
  return { text, cursor: text.length, history, historyIndex: null, draft: '' };
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function boundaries(text: string): number[] {
  const out: number[] = [];
  for (const s of segmenter.segment(text)) out.push(s.index);
  out.push(text.length);
  return out;
}

function prevBoundary(text: string, at: number): number {
  let prev = 0;
  for (const b of boundaries(text)) {
    if (b >= at) break;
    prev = b;
  }
  return prev;
}

function nextBoundary(text: string, at: number): number {
  for (const b of boundaries(text)) if (b > at) return b;
  return text.length;
}

function lineStartOf(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEndOf(text: string, at: number): number {
  const i = text.indexOf('\n', at);
  return i === -1 ? text.length : i;
}

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/u.test(ch);

function wordLeftOf(text: string, at: number): number {
  let i = at;
  while (i > 0 && isSpace(text[i - 1])) i--;
  while (i > 0 && !isSpace(text[i - 1])) i--;
  return i;
}

function wordRightOf(text: string, at: number): number {
  let i = at;
  while (i < text.length && isSpace(text[i])) i++;
  while (i < text.length && !isSpace(text[i])) i++;
  return i;
}

/** Graphemes between the start of the cursor's line and the cursor: the column for ↑/↓. */
function columnOf(text: string, at: number): number {
  const start = lineStartOf(text, at);
  return boundaries(text.slice(start, at)).length - 1;
}

function offsetAtColumn(text: string, lineStart: number, column: number): number {
  const end = lineEndOf(text, lineStart);
  const b = boundaries(text.slice(lineStart, end));
  return lineStart + (b[Math.min(column, b.length - 1)] ?? 0);
}

function replace(s: EditorState, from: number, to: number, insert: string): EditorState {
  return { ...s, text: s.text.slice(0, from) + insert + s.text.slice(to), cursor: from + insert.length };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/gu;

function cleanInsert(text: string, multiline: boolean): string {
  const t = text.replace(/\r\n?/gu, '\n').replace(/\t/gu, '    ').replace(CONTROL, '');
  return multiline ? t : t.replace(/\n/gu, ' ');
}

export function insertText(s: EditorState, raw: string, options: EditorOptions): EditorState {
  const room = MAX_EDITOR_CHARS - s.text.length;
  if (room <= 0) return s;
  let text = cleanInsert(raw, options.multiline);
  if (text.length > room) {
    const high = text.charCodeAt(room - 1);
    text = text.slice(0, high >= 0xd800 && high <= 0xdbff ? room - 1 : room);
  }
  if (text === '') return s;
  return replace(s, s.cursor, s.cursor, text);
}

function historyPrev(s: EditorState): EditorState {
  if (s.history.length === 0) return s;
  const index = s.historyIndex === null ? s.history.length - 1 : Math.max(0, s.historyIndex - 1);
  const text = s.history[index] ?? '';
  return {
    ...s,
    historyIndex: index,
    draft: s.historyIndex === null ? s.text : s.draft,
    text,
    cursor: text.length,
  };
}

function historyNext(s: EditorState): EditorState {
  if (s.historyIndex === null) return s;
  const index = s.historyIndex + 1;
  if (index >= s.history.length) {
    return { ...s, historyIndex: null, text: s.draft, cursor: s.draft.length, draft: '' };
  }
  const text = s.history[index] ?? '';
  return { ...s, historyIndex: index, text, cursor: text.length };
}

/** Remembers a submitted entry (not twice in a row) and starts a fresh draft. */
export function commit(s: EditorState, entry: string): EditorState {
  const last = s.history[s.history.length - 1];
  const history = entry === '' || entry === last ? s.history : [...s.history, entry].slice(-HISTORY_LIMIT);
  return { text: '', cursor: 0, history, historyIndex: null, draft: '' };
}

export function clear(s: EditorState): EditorState {
  return { ...s, text: '', cursor: 0, historyIndex: null, draft: '' };
}

export function apply(
  s: EditorState,
  command: Command,
  options: EditorOptions,
): { state: EditorState; outcome: EditorOutcome } {
  const edited = (state: EditorState) => ({ state, outcome: { kind: 'edited' } as const });
  const { text, cursor } = s;
  switch (command.type) {
    case 'insert':
      return edited(insertText(s, command.text, options));
    case 'newline':
      return edited(options.multiline ? replace(s, cursor, cursor, '\n') : s);
    case 'submit':
      return { state: s, outcome: { kind: 'submit', text } };
    case 'left':
      return edited({ ...s, cursor: prevBoundary(text, cursor) });
    case 'right':
      return edited({ ...s, cursor: nextBoundary(text, cursor) });
    case 'wordLeft':
      return edited({ ...s, cursor: wordLeftOf(text, cursor) });
    case 'wordRight':
      return edited({ ...s, cursor: wordRightOf(text, cursor) });
    case 'lineStart':
      return edited({ ...s, cursor: lineStartOf(text, cursor) });
    case 'lineEnd':
      return edited({ ...s, cursor: lineEndOf(text, cursor) });
    case 'up': {
      if (!options.multiline) return edited(s);
      const start = lineStartOf(text, cursor);
      if (start === 0) return edited(historyPrev(s));
      const prevStart = lineStartOf(text, start - 1);
      return edited({ ...s, cursor: offsetAtColumn(text, prevStart, columnOf(text, cursor)) });
    }
    case 'down': {
      if (!options.multiline) return edited(s);
      const end = lineEndOf(text, cursor);
      if (end === text.length) return edited(historyNext(s));
      return edited({ ...s, cursor: offsetAtColumn(text, end + 1, columnOf(text, cursor)) });
    }
    case 'backspace':
      return edited(cursor === 0 ? s : replace(s, prevBoundary(text, cursor), cursor, ''));
    case 'delete':
      return edited(cursor >= text.length ? s : replace(s, cursor, nextBoundary(text, cursor), ''));
    case 'eof':
      if (text === '') return { state: s, outcome: { kind: 'unhandled', command } };
      return edited(cursor >= text.length ? s : replace(s, cursor, nextBoundary(text, cursor), ''));
    case 'killLineStart': {
      const start = lineStartOf(text, cursor);
      if (start === cursor) return edited(cursor === 0 ? s : replace(s, cursor - 1, cursor, ''));
      return edited(replace(s, start, cursor, ''));
    }
    case 'killLineEnd': {
      const end = lineEndOf(text, cursor);
      if (end === cursor) return edited(cursor >= text.length ? s : replace(s, cursor, cursor + 1, ''));
      return edited(replace(s, cursor, end, ''));
    }
    case 'killWordBack':
      return edited(replace(s, wordLeftOf(text, cursor), cursor, ''));
    default:
      return { state: s, outcome: { kind: 'unhandled', command } };
  }
}

export function isBlank(s: EditorState): boolean {
  return s.text.trim() === '';
}

/**
 * The message pane as a viewport over the loaded window of a conversation: lays messages out into rows
 * (a day separator where the local date changes, the body wrapped by display width, cached per message
 * and width), places the view by an anchor that survives pages loaded above or below it (the first
 * visible message and a row inside it, or "follow the bottom"), scrolls by rows, and says what lies
 * outside the view ("▲ N older", "▼ N newer") and whether a page must be loaded. Pure; knows nothing
 * about Ink or the PvtApi.
 */
import type { MessageView } from '../../app/api.ts';
import { sanitize, wrapText } from '../format/text.ts';
import { dayKey, formatDay, formatTime, type TimeStyle } from '../format/time.ts';

/** "HH:MM" plus two spaces: where the body starts. */
export const BODY_INDENT = 7;
/** Room kept at the end of the last row for " ✓✓". */
const GLYPH_ROOM = 3;

export type ViewRow =
  | { readonly kind: 'day'; readonly key: string; readonly label: string }
  | {
      readonly kind: 'message';
      readonly key: string;
      readonly message: MessageView;
      /** Row of the message's body (0 = first, carries the time). */
      readonly line: number;
      readonly text: string;
      readonly last: boolean;
      readonly time: string;
    };

/** Where the view is: following the newest message, or from a row of a given message down. */
export type Anchor =
  | { readonly kind: 'bottom' }
  | { readonly kind: 'at'; readonly id: string; readonly row: number };

export const BOTTOM: Anchor = { kind: 'bottom' };

interface Block {
  readonly id: string;
  readonly rows: readonly ViewRow[];
}

const cache = new WeakMap<MessageView, { key: string; rows: readonly string[] }>();

/** The body rows of a message for a text column `width` cells wide (cached per message object). */
export function bodyRows(message: MessageView, width: number): readonly string[] {
  // One cell more than the 24-hour indent, so a 12-hour time (" 2:05p") fits too.
  const bodyWidth = Math.max(8, width - BODY_INDENT - 1 - GLYPH_ROOM);
  const key = String(bodyWidth);
  const hit = cache.get(message);
  if (hit && hit.key === key) return hit.rows;
  const wrapped = wrapText(sanitize(message.body), bodyWidth);
  const rows = wrapped.length > 0 ? wrapped : [''];
  cache.set(message, { key, rows });
  return rows;
}

function blocksOf(messages: readonly MessageView[], width: number, time: TimeStyle): Block[] {
  const blocks: Block[] = [];
  let day: string | null = null;
  for (const m of messages) {
    const rows: ViewRow[] = [];
    const d = dayKey(m.createdAt);
    if (d !== day) {
      rows.push({ kind: 'day', key: `day-${m.id}`, label: formatDay(m.createdAt) });
      day = d;
    }
    const body = bodyRows(m, width);
    const t = formatTime(m.createdAt, time);
    body.forEach((text, line) => {
      rows.push({
        kind: 'message',
        key: `${m.id}-${line}`,
        message: m,
        line,
        text,
        last: line === body.length - 1,
        time: t,
      });
    });
    blocks.push({ id: m.id, rows });
  }
  return blocks;
}

export interface WindowInfo {
  readonly messages: readonly MessageView[];
  /** Messages before the window in the store. */
  readonly older: number;
  /** Messages after the window in the store. */
  readonly newer: number;
}

export interface Frame {
  /** Exactly the rows to show (fewer only when the conversation is shorter than the pane). */
  readonly rows: readonly ViewRow[];
  /** Messages above the first visible row (in the window and in the store). */
  readonly above: number;
  /** Messages below the last visible row. */
  readonly below: number;
  /** The view reached the top of the window and older messages exist: load a page before it. */
  readonly needOlder: boolean;
  /** The view reached the bottom of the window and newer messages exist: load a page after it. */
  readonly needNewer: boolean;
  /** The anchor as it was applied (clamped; `bottom` once the view touches the end of everything). */
  readonly anchor: Anchor;
  /** Rows asked for beyond the loaded window (negative: above it), to apply once a page arrives. */
  readonly overshoot: number;
}

/** Rows of the window and where each message starts. */
function flatten(blocks: readonly Block[]): { rows: ViewRow[]; starts: Map<string, number> } {
  const rows: ViewRow[] = [];
  const starts = new Map<string, number>();
  for (const b of blocks) {
    starts.set(b.id, rows.length);
    rows.push(...b.rows);
  }
  return { rows, starts };
}

function messagesBefore(rows: readonly ViewRow[], index: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < index && i < rows.length; i++) {
    const r = rows[i]!;
    if (r.kind === 'message') seen.add(r.message.id);
  }
  // A message cut at the top counts as above only when its first row is hidden.
  const first = rows[index];
  if (first?.kind === 'message' && first.line > 0) seen.delete(first.message.id);
  return seen.size;
}

function messagesFrom(rows: readonly ViewRow[], index: number): number {
  const seen = new Set<string>();
  for (let i = index; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.kind === 'message') seen.add(r.message.id);
  }
  const prev = rows[index - 1];
  if (prev?.kind === 'message') seen.delete(prev.message.id);
  return seen.size;
}

function topOf(anchor: Anchor, total: number, height: number, starts: ReadonlyMap<string, number>): number {
  if (anchor.kind === 'bottom') return Math.max(0, total - height);
  const start = starts.get(anchor.id);
  return start === undefined ? Math.max(0, total - height) : start + anchor.row;
}

function anchorAt(rows: readonly ViewRow[], top: number, starts: ReadonlyMap<string, number>): Anchor {
  const r = rows[top];
  if (!r) return BOTTOM;
  const id = r.kind === 'message' ? r.message.id : r.key.slice('day-'.length);
  const start = starts.get(id) ?? top;
  return { kind: 'at', id, row: top - start };
}

/**
 * The frame for a pane `height` rows tall and `width` cells wide, with the view moved by `scroll` rows
 * (negative: up) from `anchor`. The result's anchor is what to keep for the next frame.
 */
export function frame(
  w: WindowInfo,
  anchor: Anchor,
  height: number,
  width: number,
  scroll = 0,
  time: TimeStyle = '24h',
): Frame {
  const { rows, starts } = flatten(blocksOf(w.messages, width, time));
  const total = rows.length;
  const maxTop = Math.max(0, total - height);
  let top = topOf(anchor, total, height, starts) + scroll;
  let needOlder = false;
  let needNewer = false;
  let overshoot = 0;
  if (top <= 0) {
    if (w.older > 0) overshoot = top;
    top = 0;
    needOlder = w.older > 0;
  }
  let next: Anchor;
  if (top >= maxTop) {
    if (w.newer > 0 && top > maxTop) overshoot = top - maxTop;
    top = maxTop;
    if (w.newer > 0) {
      needNewer = true;
      next = anchorAt(rows, top, starts);
    } else {
      next = BOTTOM;
    }
  } else {
    next = anchorAt(rows, top, starts);
  }
  // A short conversation stays at the bottom whatever was asked.
  if (total <= height && w.newer === 0) next = BOTTOM;
  const shown = rows.slice(top, top + height);
  return {
    rows: shown,
    above: w.older + messagesBefore(rows, top),
    below: w.newer + messagesFrom(rows, top + height),
    needOlder,
    needNewer,
    anchor: next,
    overshoot,
  };
}

/**
 * An anchor showing message `id` at the top of the view, or `context` rows under the top (a search hit:
 * clear of the "▲ older" marker, with what led up to it above).
 */
export function anchorOn(id: string, context = 0): Anchor {
  return { kind: 'at', id, row: -context };
}

/**
 * Turns a conversation's messages into what the message pane prints: day separators where the local
 * date changes, and the split between the finished part (printed once into <Static>, append-only) and
 * the live tail (outgoing messages still pending/sent, redrawn while their state changes). Also lays out
 * one message as rows of text measured in terminal cells. Pure; knows nothing about Ink.
 */
import { type MessageView, SELF_CONVERSATION } from '../../app/api.ts';
import { sanitize, wrapText } from '../format/text.ts';
import { dayKey, formatDay, formatTime } from '../format/time.ts';

export type TimelineItem =
  | { readonly kind: 'day'; readonly key: string; readonly label: string }
  | { readonly kind: 'message'; readonly key: string; readonly message: MessageView };

/** At most this many unfinished messages stay live; older ones are printed with their current state. */
export const MAX_LIVE_MESSAGES = 5;

/** "HH:MM" plus two spaces: where the body starts. */
export const BODY_INDENT = 7;
/** Room kept at the end of the last row for " ✓✓". */
const GLYPH_ROOM = 3;

export function isFinished(m: MessageView): boolean {
  // A message to a contact 'stored' in its mailbox is still on its way (a note's 'stored' is final).
  const waiting = m.state === 'stored' && m.conversationId !== SELF_CONVERSATION;
  return m.direction === 'in' || (m.state !== 'pending' && m.state !== 'sent' && !waiting);
}

/**
 * How many leading messages are final enough to print: up to the first unfinished one, but never
 * leaving more than MAX_LIVE_MESSAGES live, and never fewer than already printed (`floor`).
 */
export function printableCount(messages: readonly MessageView[], floor: number): number {
  let k = messages.findIndex((m) => !isFinished(m));
  if (k === -1) k = messages.length;
  return Math.min(messages.length, Math.max(k, messages.length - MAX_LIVE_MESSAGES, floor));
}

export function buildTimeline(messages: readonly MessageView[], previousDay: string | null): TimelineItem[] {
  const items: TimelineItem[] = [];
  let day = previousDay;
  for (const message of messages) {
    const d = dayKey(message.createdAt);
    if (d !== day) {
      items.push({ kind: 'day', key: `day-${d}-${message.id}`, label: formatDay(message.createdAt) });
      day = d;
    }
    items.push({ kind: 'message', key: `m-${message.id}`, message });
  }
  return items;
}

export function lastDay(messages: readonly MessageView[]): string | null {
  const last = messages[messages.length - 1];
  return last ? dayKey(last.createdAt) : null;
}

export interface MessageLayout {
  readonly time: string;
  /** Body rows, each at most `width - BODY_INDENT - 3` cells. */
  readonly rows: readonly string[];
}

/** Lays out a message for a text column `width` cells wide (timestamp + body + state glyph). */
export function layoutMessage(message: MessageView, width: number): MessageLayout {
  const bodyWidth = Math.max(8, width - BODY_INDENT - GLYPH_ROOM);
  const rows = wrapText(sanitize(message.body), bodyWidth);
  return { time: formatTime(message.createdAt), rows: rows.length > 0 ? rows : [''] };
}

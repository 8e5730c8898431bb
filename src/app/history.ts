/**
 * The history viewport's and search's side of the PvtApi: pages of a conversation around a seq cursor
 * with the counts outside them, and search by decrypt-and-scan — a bounded window of messages is opened
 * in memory, matched, and dropped; nothing about the query or the bodies is written anywhere (no index
 * of plaintext on disk: docs/decisions.md, issue 13). Validates its arguments; knows the store's paged
 * reads, nothing about the UI.
 */

import type { MessagePages } from '../store/message-pages.ts';
import type { StoredMessage } from '../store/profile-store.ts';
import type {
  MessagePage,
  MessagePageOptions,
  MessageState,
  MessageView,
  SearchOptions,
  SearchResult,
} from './api.ts';
import {
  DEFAULT_HISTORY_PAGE,
  DEFAULT_SEARCH_SCAN,
  FAILURE_TEXT,
  MAX_HISTORY_PAGE,
  MAX_SEARCH_SCAN,
  MAX_SEARCH_TEXT_CHARS,
} from './constants.ts';

export function messageView(m: StoredMessage): MessageView {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    direction: m.direction,
    body: m.body,
    createdAt: m.createdAt,
    state: m.state as MessageState,
    ...(m.failure ? { failure: FAILURE_TEXT[m.failure] ?? m.failure } : {}),
  };
}

function checkSeq(name: string, value: unknown): asserts value is number | undefined {
  if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)) {
    throw new RangeError(`"${name}" expected a non-negative integer seq, got ${String(value)}`);
  }
}

function checkLimit(name: string, value: unknown, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`"${name}" expected an integer 1..${max}, got ${String(value)}`);
  }
}

export function messagePage(
  pages: MessagePages,
  conversationId: string,
  o: MessagePageOptions = {},
): MessagePage {
  const limit = o.limit ?? DEFAULT_HISTORY_PAGE;
  checkLimit('limit', limit, MAX_HISTORY_PAGE);
  checkSeq('before', o.before);
  checkSeq('after', o.after);
  if (o.before !== undefined && o.after !== undefined) {
    throw new TypeError('"before" and "after" expected one or the other, got both');
  }
  const rows =
    o.after !== undefined
      ? pages.after(conversationId, o.after, limit)
      : pages.before(conversationId, o.before ?? Number.MAX_SAFE_INTEGER, limit);
  const first = rows[0];
  const last = rows.at(-1);
  const older = first
    ? pages.countBefore(conversationId, first.seq)
    : o.after !== undefined
      ? pages.countBefore(conversationId, o.after + 1)
      : pages.countBefore(conversationId, o.before ?? Number.MAX_SAFE_INTEGER);
  const newer = last
    ? pages.countAfter(conversationId, last.seq)
    : o.after !== undefined
      ? pages.countAfter(conversationId, o.after)
      : pages.countAfter(conversationId, (o.before ?? Number.MAX_SAFE_INTEGER) - 1);
  return { messages: rows.map(messageView), older, newer };
}

/** Case- and width-insensitive form for matching (NFKC, lower case). */
function fold(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase();
}

export function searchMessages(pages: MessagePages, conversationId: string, o: SearchOptions): SearchResult {
  if (typeof o?.text !== 'string' || o.text.trim() === '') {
    throw new TypeError('"text" expected a non-empty string');
  }
  if (o.text.length > MAX_SEARCH_TEXT_CHARS) {
    throw new RangeError(`"text" expected at most ${MAX_SEARCH_TEXT_CHARS} characters, got ${o.text.length}`);
  }
  const scanLimit = o.scanLimit ?? DEFAULT_SEARCH_SCAN;
  checkLimit('scanLimit', scanLimit, MAX_SEARCH_SCAN);
  checkSeq('before', o.before);
  const needle = fold(o.text);
  const start = o.before ?? Number.MAX_SAFE_INTEGER;
  // Small pages, newest first, so a match near the cursor is found without opening the whole window.
  const chunk = Math.min(scanLimit, 250);
  let cursor = start;
  let scanned = 0;
  while (scanned < scanLimit) {
    const rows = pages.before(conversationId, cursor, Math.min(chunk, scanLimit - scanned));
    if (rows.length === 0) break;
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i]!;
      scanned++;
      cursor = row.seq;
      if (fold(row.body).includes(needle)) {
        return {
          match: messageView(row),
          scanned,
          remaining: pages.countBefore(conversationId, row.seq),
          next: row.seq,
        };
      }
    }
  }
  return { match: null, scanned, remaining: pages.countBefore(conversationId, cursor), next: cursor };
}

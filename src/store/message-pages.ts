/**
 * Paged reads of one conversation's messages for a viewport over a long history: a page before or
 * after a seq cursor (by the (conversation_id, seq) unique index, so a page costs the same whether the
 * conversation holds 200 or 100,000 messages), how many lie before/after a cursor, and a scan window
 * for search (rows opened in memory one page at a time, never written anywhere). Reads only; knows
 * nothing about the UI or what a search matches.
 */

import { type MessageRaw, openMessageRow } from './messages-store.ts';
import type { StoredMessage } from './profile-store.ts';
import { type SqlAccess, statementCache } from './sql-access.ts';

export interface MessagePages {
  /** Up to `limit` messages with seq < before (the newest of them), ascending. */
  before(conversationId: string, before: number, limit: number): StoredMessage[];
  /** Up to `limit` messages with seq > after (the oldest of them), ascending. */
  after(conversationId: string, after: number, limit: number): StoredMessage[];
  countBefore(conversationId: string, seq: number): number;
  countAfter(conversationId: string, seq: number): number;
}

export function createMessagePages(sql: SqlAccess): MessagePages {
  const stmt = statementCache(sql.db);
  const open = (r: MessageRaw): StoredMessage => openMessageRow(sql.sealer, r);
  return {
    before(conversationId, before, limit) {
      const rows = sql.read('listing messages', () =>
        stmt('SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?').all(
          conversationId,
          before,
          limit,
        ),
      ) as MessageRaw[];
      return rows.reverse().map(open);
    },
    after(conversationId, after, limit) {
      const rows = sql.read('listing messages', () =>
        stmt('SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?').all(
          conversationId,
          after,
          limit,
        ),
      ) as MessageRaw[];
      return rows.map(open);
    },
    countBefore(conversationId, seq) {
      const r = sql.read('counting messages', () =>
        stmt('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND seq < ?').get(
          conversationId,
          seq,
        ),
      ) as { n: number };
      return r.n;
    },
    countAfter(conversationId, seq) {
      const r = sql.read('counting messages', () =>
        stmt('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND seq > ?').get(
          conversationId,
          seq,
        ),
      ) as { n: number };
      return r.n;
    },
  };
}

/**
 * The one store of the `messages` table (notes and contact messages alike): insert with the next
 * per-conversation seq (an id already stored returns the stored row), reads by id and by page, counts,
 * and state changes. The body is sealed to its table/column/row. Writes are statements for the caller's
 * transaction (the note store and the chat store each run their own); reads map failures to store
 * errors. Knows nothing about what a conversation is for, nor about protocols.
 */
import { openMessageBody, type Sealer } from './sealing.ts';
import { type SqlAccess, statementCache } from './sql-access.ts';

export interface MessageRow {
  readonly id: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly direction: 'out' | 'in';
  readonly state: string;
  readonly createdAt: number;
  readonly body: string;
  /** Why the message failed (a code such as 'rejected'), when its state is 'failed'. */
  readonly failure?: string;
}

/** A `messages` row as SQLite returns it. */
export type MessageRaw = {
  id: string;
  conversation_id: string;
  seq: number;
  direction: 'out' | 'in';
  state: string;
  created_at: number;
  sealed_body: Uint8Array;
  failure?: string | null;
};

export interface MessagesStore {
  /** In the caller's transaction. An id already stored returns the stored row with inserted false. */
  insert(m: Omit<MessageRow, 'seq' | 'failure'>): { row: MessageRow; inserted: boolean };
  byId(id: string): MessageRow | undefined;
  /** Ascending seq: the most recent `limit`, or those with seq < `before`. */
  page(conversationId: string, limit: number, before?: number): MessageRow[];
  count(conversationId: string): number;
  /** Highest seq of a conversation (0 when empty). */
  maxSeq(conversationId: string): number;
  /** In the caller's transaction; true when the state changed. */
  setState(id: string, state: string): boolean;
  /** Moves a message from `from` to `to` only (never downgrades); true when it moved. In-transaction. */
  advanceState(id: string, from: string, to: string): boolean;
  /** Outgoing messages not delivered yet become failed with `failure`; returns their ids. In-transaction. */
  failUndelivered(conversationId: string, failure: string): string[];
}

/** A row opened: its sealed body decrypted in memory (a damaged one shown as such). */
export function openMessageRow(sealer: Sealer, r: MessageRaw): MessageRow {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: r.seq,
    direction: r.direction,
    state: r.state,
    createdAt: r.created_at,
    body: openMessageBody(sealer, r.id, r.sealed_body),
    ...(r.failure ? { failure: r.failure } : {}),
  };
}

export function createMessagesStore(sql: SqlAccess): MessagesStore {
  const { db, sealer } = sql;
  const stmt = statementCache(db);
  const toRow = (r: MessageRaw): MessageRow => openMessageRow(sealer, r);
  return {
    insert(m) {
      const existing = stmt('SELECT * FROM messages WHERE id = ?').get(m.id) as MessageRaw | undefined;
      if (existing) return { row: toRow(existing), inserted: false };
      const { seq } = stmt(
        'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM messages WHERE conversation_id = ?',
      ).get(m.conversationId) as { seq: number };
      stmt(
        `INSERT INTO messages (id, conversation_id, seq, direction, state, created_at, sealed_body)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        m.id,
        m.conversationId,
        seq,
        m.direction,
        m.state,
        m.createdAt,
        sealer.sealText('messages', 'body', m.id, m.body),
      );
      return {
        row: {
          id: m.id,
          conversationId: m.conversationId,
          seq,
          direction: m.direction,
          state: m.state,
          createdAt: m.createdAt,
          body: m.body,
        },
        inserted: true,
      };
    },
    byId(id) {
      const r = sql.read('reading a message', () => stmt('SELECT * FROM messages WHERE id = ?').get(id)) as
        | MessageRaw
        | undefined;
      return r ? toRow(r) : undefined;
    },
    page(conversationId, limit, before) {
      const rows = sql.read('listing messages', () =>
        before === undefined
          ? stmt('SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?').all(
              conversationId,
              limit,
            )
          : stmt(
              'SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
            ).all(conversationId, before, limit),
      ) as MessageRaw[];
      return rows.reverse().map(toRow);
    },
    count(conversationId) {
      const r = sql.read('counting messages', () =>
        stmt('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?').get(conversationId),
      ) as { n: number };
      return r.n;
    },
    maxSeq(conversationId) {
      const r = sql.read('reading a conversation', () =>
        stmt('SELECT COALESCE(MAX(seq), 0) AS s FROM messages WHERE conversation_id = ?').get(conversationId),
      ) as { s: number };
      return r.s;
    },
    setState(id, state) {
      return (
        Number(
          stmt('UPDATE messages SET state = ? WHERE id = ? AND state != ?').run(state, id, state).changes,
        ) > 0
      );
    },
    advanceState(id, from, to) {
      return (
        Number(stmt('UPDATE messages SET state = ? WHERE id = ? AND state = ?').run(to, id, from).changes) > 0
      );
    },
    failUndelivered(conversationId, failure) {
      const rows = stmt(
        `UPDATE messages SET state = 'failed', failure = ?
         WHERE conversation_id = ? AND direction = 'out' AND state IN ('pending', 'sent', 'stored') RETURNING id`,
      ).all(failure, conversationId) as { id: string }[];
      return rows.map((r) => r.id);
    },
  };
}

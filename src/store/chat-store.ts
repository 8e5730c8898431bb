/**
 * The rows of contact conversations: messages (through messages-store.ts, the one store of the
 * `messages` table that notes use too), the outbox (what is not yet acknowledged, in send order, with
 * the encrypted wire form once produced), the inbox dedup table (hash of every accepted ratchet message
 * → the sender's message id, so a retransmission is re-acknowledged and never stored twice), read marks
 * for unread counts, and small network settings. Writes are statements for the caller's transaction;
 * reads map failures to store errors. Knows nothing about ratchets or the network.
 */
import { createMessagesStore, type MessageRow } from './messages-store.ts';
import { type SqlAccess, statementCache } from './sql-access.ts';

export type ChatMessageRow = MessageRow;

export type OutboxKind = 'text' | 'address';

export interface OutboxRow {
  /** Send order across the profile. */
  readonly seq: number;
  /** The payload's message id (hex); for text, also the id in `messages`. */
  readonly id: string;
  readonly contactId: string;
  readonly kind: OutboxKind;
  readonly createdAt: number;
  readonly attempts: number;
  /** The payload body for control messages (address updates); null for text (its body is in `messages`). */
  readonly payload: Uint8Array | null;
  /** The encrypted ratchet message, once produced (then resent as is, never re-encrypted). */
  readonly wire: Uint8Array | null;
}

type OutboxRaw = {
  seq: number;
  id: string;
  contact_id: string;
  kind: OutboxKind;
  created_at: number;
  attempts: number;
  sealed_payload: Uint8Array | null;
  sealed_wire: Uint8Array | null;
};

export interface ChatStore {
  // conversations (in-transaction)
  ensureConversation(id: string, title: string, nowMs: number): void;
  setConversationTitle(id: string, title: string): void;
  /** Deletes a conversation with its messages, read mark, outbox and dedup rows. */
  deleteConversation(id: string): void;
  // messages
  /** Inserts a message (next seq of its conversation); an existing id returns the stored row, inserted false. */
  insertMessage(m: Omit<ChatMessageRow, 'seq' | 'failure'>): { row: ChatMessageRow; inserted: boolean };
  setMessageState(id: string, state: string): boolean;
  /** Moves a message from `from` to `to` only (never downgrades delivered → sent); true when it moved. */
  advanceState(id: string, from: string, to: string): boolean;
  /**
   * Marks every outgoing message of a conversation that is not delivered yet as failed with `failure`
   * (a short code) and drops the contact's outbox; returns the ids that changed.
   */
  failUndelivered(conversationId: string, failure: string): string[];
  message(id: string): ChatMessageRow | undefined;
  // outbox
  enqueue(o: {
    id: string;
    contactId: string;
    kind: OutboxKind;
    createdAt: number;
    payload?: Uint8Array;
  }): void;
  /** The contact's unacknowledged items, oldest first. */
  outbox(contactId: string, limit: number): OutboxRow[];
  outboxItem(id: string): OutboxRow | undefined;
  setWire(id: string, wire: Uint8Array): void;
  countAttempt(id: string): void;
  /** Removes an acknowledged item; false when it was not there (a duplicate receipt). */
  dequeue(id: string, contactId: string): boolean;
  /** Drops a contact's address updates that were not encrypted yet (a newer one supersedes them). */
  dropStaleAddressUpdates(contactId: string): void;
  /** Contacts with anything in the outbox. */
  contactsWithOutbox(): string[];
  // inbox dedup
  seen(wireHash: string): { contactId: string; remoteId: string } | undefined;
  addSeen(wireHash: string, contactId: string, remoteId: string, atMs: number): void;
  pruneSeen(beforeMs: number): void;
  // read marks
  unread(conversationId: string): number;
  /** Time of the newest message of a conversation, or null. */
  lastActivity(conversationId: string): number | null;
  markRead(conversationId: string): void;
  /** Highest seq of a conversation (0 when empty). */
  maxSeq(conversationId: string): number;
  /** Inbound messages with seq > `seq`. */
  unreadAfter(conversationId: string, seq: number): number;
  /** Records the conversation read up to `seq` (never moves back); in the caller's transaction. */
  setReadSeq(conversationId: string, seq: number): void;
  // settings (in-transaction for set)
  setting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  /** Removes a setting (in the caller's transaction); nothing when absent. */
  deleteSetting(key: string): void;
}

export function createChatStore(sql: SqlAccess): ChatStore {
  const { db, sealer } = sql;
  const stmt = statementCache(db);
  // The one store of the messages table (notes use it too, through the profile store).
  const messages = createMessagesStore(sql);
  const toOutbox = (r: OutboxRaw): OutboxRow => ({
    seq: r.seq,
    id: r.id,
    contactId: r.contact_id,
    kind: r.kind,
    createdAt: r.created_at,
    attempts: r.attempts,
    payload: r.sealed_payload ? sealer.open('outbox', 'payload', r.id, r.sealed_payload) : null,
    wire: r.sealed_wire ? sealer.open('outbox', 'wire', r.id, r.sealed_wire) : null,
  });

  return {
    ensureConversation(id, title, nowMs) {
      if (stmt('SELECT 1 AS x FROM conversations WHERE id = ?').get(id)) return;
      stmt("INSERT INTO conversations (id, kind, sealed_title, created_at) VALUES (?, 'contact', ?, ?)").run(
        id,
        sealer.sealText('conversations', 'title', id, title),
        nowMs,
      );
    },
    setConversationTitle(id, title) {
      stmt('UPDATE conversations SET sealed_title = ? WHERE id = ?').run(
        sealer.sealText('conversations', 'title', id, title),
        id,
      );
    },
    deleteConversation(id) {
      stmt('DELETE FROM outbox WHERE contact_id = ?').run(id);
      stmt('DELETE FROM inbox_seen WHERE contact_id = ?').run(id);
      stmt('DELETE FROM messages WHERE conversation_id = ?').run(id);
      stmt('DELETE FROM conversation_reads WHERE conversation_id = ?').run(id);
      stmt('DELETE FROM conversations WHERE id = ?').run(id);
    },

    insertMessage: (m) => messages.insert(m),
    setMessageState: (id, state) => messages.setState(id, state),
    advanceState: (id, from, to) => messages.advanceState(id, from, to),
    failUndelivered(conversationId, failure) {
      const ids = messages.failUndelivered(conversationId, failure);
      stmt('DELETE FROM outbox WHERE contact_id = ?').run(conversationId);
      return ids;
    },
    message: (id) => messages.byId(id),

    enqueue(o) {
      stmt(
        `INSERT INTO outbox (id, contact_id, kind, created_at, attempts, sealed_payload, sealed_wire)
         VALUES (?, ?, ?, ?, 0, ?, NULL)`,
      ).run(
        o.id,
        o.contactId,
        o.kind,
        o.createdAt,
        o.payload ? sealer.seal('outbox', 'payload', o.id, o.payload) : null,
      );
    },
    outbox(contactId, limit) {
      const rows = sql.read('reading the outbox', () =>
        stmt('SELECT * FROM outbox WHERE contact_id = ? ORDER BY seq LIMIT ?').all(contactId, limit),
      ) as OutboxRaw[];
      return rows.map(toOutbox);
    },
    outboxItem(id) {
      const r = sql.read('reading the outbox', () => stmt('SELECT * FROM outbox WHERE id = ?').get(id)) as
        | OutboxRaw
        | undefined;
      return r ? toOutbox(r) : undefined;
    },
    setWire(id, wire) {
      stmt('UPDATE outbox SET sealed_wire = ? WHERE id = ?').run(sealer.seal('outbox', 'wire', id, wire), id);
    },
    countAttempt(id) {
      stmt('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?').run(id);
    },
    dequeue(id, contactId) {
      return (
        Number(stmt('DELETE FROM outbox WHERE id = ? AND contact_id = ?').run(id, contactId).changes) === 1
      );
    },
    dropStaleAddressUpdates(contactId) {
      stmt("DELETE FROM outbox WHERE contact_id = ? AND kind = 'address' AND sealed_wire IS NULL").run(
        contactId,
      );
    },
    contactsWithOutbox() {
      const rows = sql.read('reading the outbox', () =>
        stmt('SELECT DISTINCT contact_id FROM outbox').all(),
      ) as { contact_id: string }[];
      return rows.map((r) => r.contact_id);
    },

    seen(wireHash) {
      const r = sql.read('reading the inbox', () =>
        stmt('SELECT contact_id, remote_id FROM inbox_seen WHERE wire_hash = ?').get(wireHash),
      ) as { contact_id: string; remote_id: string } | undefined;
      return r ? { contactId: r.contact_id, remoteId: r.remote_id } : undefined;
    },
    addSeen(wireHash, contactId, remoteId, atMs) {
      stmt(
        'INSERT OR IGNORE INTO inbox_seen (wire_hash, contact_id, remote_id, received_at) VALUES (?, ?, ?, ?)',
      ).run(wireHash, contactId, remoteId, atMs);
    },
    pruneSeen(beforeMs) {
      sql.transaction('pruning the inbox', () => {
        stmt('DELETE FROM inbox_seen WHERE received_at < ?').run(beforeMs);
      });
    },

    unread(conversationId) {
      const r = sql.read('counting unread', () =>
        stmt(
          `SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND direction = 'in'
             AND seq > COALESCE((SELECT read_seq FROM conversation_reads WHERE conversation_id = ?), 0)`,
        ).get(conversationId, conversationId),
      ) as { n: number };
      return r.n;
    },
    lastActivity(conversationId) {
      const r = sql.read('reading activity', () =>
        stmt('SELECT MAX(created_at) AS t FROM messages WHERE conversation_id = ?').get(conversationId),
      ) as { t: number | null };
      return r.t;
    },
    markRead(conversationId) {
      sql.transaction('marking read', () => {
        stmt(
          `INSERT INTO conversation_reads (conversation_id, read_seq)
             VALUES (?, (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conversation_id = ?))
           ON CONFLICT (conversation_id) DO UPDATE SET read_seq = excluded.read_seq`,
        ).run(conversationId, conversationId);
      });
    },

    maxSeq: (conversationId) => messages.maxSeq(conversationId),
    unreadAfter(conversationId, seq) {
      const r = sql.read('counting unread', () =>
        stmt(
          `SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND direction = 'in' AND seq > ?`,
        ).get(conversationId, seq),
      ) as { n: number };
      return r.n;
    },
    setReadSeq(conversationId, seq) {
      stmt(
        `INSERT INTO conversation_reads (conversation_id, read_seq) VALUES (?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq)`,
      ).run(conversationId, seq);
    },

    setting(key) {
      const r = sql.read('reading settings', () =>
        stmt('SELECT value FROM net_settings WHERE key = ?').get(key),
      ) as { value: string } | undefined;
      return r?.value;
    },
    setSetting(key, value) {
      stmt(
        'INSERT INTO net_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ).run(key, value);
    },
    deleteSetting(key) {
      stmt('DELETE FROM net_settings WHERE key = ?').run(key);
    },
  };
}

/**
 * The unlocked profile's rows: the identity blob, conversations and messages, with every sensitive
 * value (identity, titles, bodies) sealed to its table/column/row. Each write is one transaction,
 * committed durably before the call returns; a failed write leaves nothing behind. Knows nothing about
 * files, keys or locks beyond the handles it is given, nor about protocols or the UI.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type Rng, toHex } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, MESSAGE_ID_BYTES, MESSAGE_ID_PATTERN } from './constants.ts';
import { closeDatabase, type DatabaseContext, runTransaction, storeFailure } from './database.ts';
import { ConversationNotFoundError, ProfileNotFoundError, StoreClosedError } from './errors.ts';
import type { ProfileLock } from './lock.ts';
import { createMessagesStore } from './messages-store.ts';
import type { Sealer } from './sealing.ts';
import type { SqlAccess } from './sql-access.ts';

export type KeyProtectionKind = 'keychain' | 'passphrase';

export interface StoredMessage {
  id: string;
  conversationId: string;
  seq: number;
  direction: 'out' | 'in';
  state: string;
  createdAt: number;
  body: string;
  /** Why the message failed (a code such as 'rejected'), when its state is 'failed'. */
  failure?: string;
}

export interface StoredConversation {
  id: string;
  kind: string;
  title: string;
  createdAt: number;
  lastActivityAt: number | null;
}

export interface AppendMessageInput {
  conversationId: string;
  direction: 'out' | 'in';
  body: string;
  state: string;
  createdAt: number;
  id?: string;
}

export interface ProfileStore {
  readonly dir: string;
  readonly keyProtection: KeyProtectionKind;
  /** The private identity, opened from its sealed form. */
  identityBlob(): Uint8Array;
  /** Creates the conversation if it does not exist (an existing one keeps its kind and title). */
  ensureConversation(id: string, kind: 'self' | 'contact', title: string, nowMs: number): void;
  /**
   * Appends a message, durable when this returns; assigns the next per-conversation seq and, when `id`
   * is absent, a random 128-bit hex id. An id already stored returns the stored row (idempotent).
   */
  appendMessage(m: AppendMessageInput): StoredMessage;
  /** Ascending seq: the most recent `limit` (default 200) messages, or those with seq < `before`. */
  listMessages(conversationId: string, o?: { limit?: number; before?: number }): StoredMessage[];
  countMessages(conversationId: string): number;
  /** Sets the delivery state of a message; an unknown id changes nothing. */
  setMessageState(id: string, state: string): void;
  conversations(): StoredConversation[];
  /** Checkpoints the WAL, closes the database, forgets the key, releases the lock. Idempotent. */
  close(): void;
  /** Handles for the stores of other layers' tables (contacts, outbox…): see sql-access.ts. */
  readonly sql: SqlAccess;
}

export interface SealedStoreInit {
  readonly db: DatabaseSync;
  readonly ctx: DatabaseContext;
  readonly sealer: Sealer;
  readonly lock: ProfileLock;
  readonly dir: string;
  readonly keyProtection: KeyProtectionKind;
  readonly rng: Rng;
  readonly logger: Logger;
}

type ConversationRow = {
  id: string;
  kind: string;
  sealed_title: Uint8Array;
  created_at: number;
  last: number | null;
};

const STATE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

function checkId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !MESSAGE_ID_PATTERN.test(value)) {
    throw new TypeError(`"${name}" expected 1–128 characters of [A-Za-z0-9_-], got ${JSON.stringify(value)}`);
  }
}
function checkState(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !STATE_PATTERN.test(value)) {
    throw new TypeError(`"state" expected a lowercase word, got ${JSON.stringify(value)}`);
  }
}
function checkTime(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`"${name}" expected a non-negative integer (ms), got ${String(value)}`);
  }
}

export function openSealedStore(init: SealedStoreInit): ProfileStore {
  const { db, ctx, sealer, lock, rng } = init;
  const log = init.logger;
  let closed = false;

  const live = () => {
    if (closed) throw new StoreClosedError();
  };
  const read = <T>(what: string, fn: () => T): T => {
    live();
    try {
      return fn();
    } catch (error) {
      throw storeFailure(ctx, what, error, true);
    }
  };
  const write = <T>(what: string, fn: () => T): T => {
    live();
    try {
      return runTransaction(db, ctx, what, fn);
    } catch (error) {
      log.warn('store.write_failed', { what, code: (error as { code?: string }).code ?? 'unknown' });
      throw error;
    }
  };

  const sql: SqlAccess = { db, sealer, rng, transaction: write, read };
  // The one store of the messages table (contact messages use it too, through the chat store).
  const messages = createMessagesStore(sql);
  const stmt = (text: string): StatementSync => db.prepare(text);
  const q = {
    identity: stmt('SELECT sealed_blob FROM identity WHERE id = 1'),
    conversationExists: stmt('SELECT 1 AS x FROM conversations WHERE id = ?'),
    insertConversation: stmt(
      'INSERT INTO conversations (id, kind, sealed_title, created_at) VALUES (?, ?, ?, ?)',
    ),
    conversations: stmt(
      `SELECT c.id, c.kind, c.sealed_title, c.created_at,
              (SELECT m.created_at FROM messages m WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1) AS last
         FROM conversations c ORDER BY c.created_at, c.id`,
    ),
  };

  return {
    dir: init.dir,
    keyProtection: init.keyProtection,
    sql,

    identityBlob() {
      const row = read('reading the identity', () => q.identity.get()) as
        | { sealed_blob: Uint8Array }
        | undefined;
      if (!row) throw new ProfileNotFoundError(init.dir);
      return sealer.open('identity', 'blob', '1', row.sealed_blob);
    },

    ensureConversation(id, kind, title, nowMs) {
      checkId('id', id);
      if (kind !== 'self' && kind !== 'contact')
        throw new TypeError(`"kind" expected 'self' | 'contact', got ${String(kind)}`);
      if (typeof title !== 'string') throw new TypeError(`"title" expected string, got ${typeof title}`);
      checkTime('nowMs', nowMs);
      if (read('reading conversations', () => q.conversationExists.get(id))) return;
      write('creating a conversation', () => {
        if (q.conversationExists.get(id)) return;
        q.insertConversation.run(id, kind, sealer.sealText('conversations', 'title', id, title), nowMs);
      });
    },

    appendMessage(m) {
      checkId('conversationId', m.conversationId);
      if (m.direction !== 'out' && m.direction !== 'in') {
        throw new TypeError(`"direction" expected 'out' | 'in', got ${String(m.direction)}`);
      }
      if (typeof m.body !== 'string') throw new TypeError(`"body" expected string, got ${typeof m.body}`);
      checkState(m.state);
      checkTime('createdAt', m.createdAt);
      if (m.id !== undefined) checkId('id', m.id);
      live();
      const id = m.id ?? toHex(rng(MESSAGE_ID_BYTES));
      return write('appending a message', () => {
        const existing = messages.byId(id);
        if (existing) return existing;
        if (!q.conversationExists.get(m.conversationId))
          throw new ConversationNotFoundError(m.conversationId);
        const { row } = messages.insert({
          id,
          conversationId: m.conversationId,
          direction: m.direction,
          state: m.state,
          createdAt: m.createdAt,
          body: m.body,
        });
        return { ...row };
      });
    },

    listMessages(conversationId, o = {}) {
      checkId('conversationId', conversationId);
      const limit = o.limit ?? DEFAULT_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new RangeError(`"limit" expected an integer 1..${MAX_LIST_LIMIT}, got ${limit}`);
      }
      if (o.before !== undefined && !Number.isSafeInteger(o.before)) {
        throw new RangeError(`"before" expected an integer seq, got ${o.before}`);
      }
      return messages.page(conversationId, limit, o.before).map((r) => ({ ...r }));
    },

    countMessages(conversationId) {
      checkId('conversationId', conversationId);
      return messages.count(conversationId);
    },

    setMessageState(id, state) {
      checkId('id', id);
      checkState(state);
      const known = write('updating a message state', () => {
        messages.setState(id, state);
        return messages.byId(id) !== undefined;
      });
      if (!known) log.debug('store.state_for_unknown_message');
    },

    conversations() {
      const rows = read('listing conversations', () => q.conversations.all()) as ConversationRow[];
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        title: sealer.openText('conversations', 'title', r.id, r.sealed_title),
        createdAt: r.created_at,
        lastActivityAt: r.last,
      }));
    },

    close() {
      if (closed) return;
      closed = true;
      try {
        closeDatabase(db);
      } finally {
        sealer.destroy();
        lock.release();
        log.info('store.closed');
      }
    },
  };
}

/**
 * The envelopes a mailbox keeps for others (docs/mailbox.md, "Store"): its own node:sqlite file
 * (`mailbox.db` in the profile directory, 0600), WAL, synchronous=FULL, exclusive lock, 16 KiB pages
 * (three 4 KiB envelopes per page). Rows hold only what the protocol shows a mailbox — token, envelope
 * hash, the opaque envelope, an expiry rounded up to the hour — never who deposited it. Deposits come in
 * batches committed as one transaction (the service's group commit); quotas (per token, total) are
 * enforced inside that transaction. Knows nothing about streams, proofs of work or who asks.
 */
import { closeSync, existsSync, renameSync, statSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Logger } from '../log/logger.ts';
import { openPrivateFileExclusive } from './permissions.ts';

/** application_id of mailbox.db ("pvtm"), so pvt never mistakes another file for it. */
export const MAILBOX_APPLICATION_ID = 0x7076746d;
const SCHEMA_VERSION = 1;
/** Stored expiry times are rounded up to this, so the file does not keep exact deposit times. */
const EXPIRY_GRANULARITY_MS = 60 * 60 * 1000;
/** The WAL file is truncated back to this size after checkpoints, in bytes. */
const WAL_LIMIT_BYTES = 8 * 1024 * 1024;

export type DepositOutcome = 'stored' | 'duplicate' | 'slotFull' | 'full';

export interface DepositItem {
  readonly token: Uint8Array;
  readonly hash: Uint8Array;
  readonly envelope: Uint8Array;
}

export interface FetchResult {
  /** Envelopes with the index of their token in the request, tokens in request order then arrival order. */
  readonly entries: { readonly tokenIndex: number; readonly envelope: Uint8Array }[];
  /** Envelopes after these that the same request would still match. */
  readonly remaining: number;
}

export interface MailboxStoreInit {
  readonly path: string;
  /** Envelopes kept at most, all tokens together. */
  readonly maxEnvelopes: number;
  /** Envelopes kept at most under one token. */
  readonly maxPerToken: number;
  /** How long an envelope is kept, in milliseconds. */
  readonly ttlMs: number;
  readonly logger: Logger;
}

export interface MailboxStore {
  /** Files a batch in one durable transaction; one outcome per item, in order. */
  depositMany(items: readonly DepositItem[], nowMs: number): DepositOutcome[];
  fetch(tokens: readonly Uint8Array[], skip: number, limit: number, nowMs: number): FetchResult;
  /** Deletes those envelopes of the token; returns how many were there. */
  delete(token: Uint8Array, hashes: readonly Uint8Array[]): number;
  /** Deletes expired envelopes; returns how many. */
  expire(nowMs: number): number;
  /** Envelopes held (expired ones not yet swept included). */
  count(): number;
  /** Bytes of the database files on disk (main file and WAL). */
  diskBytes(): number;
  close(): void;
}

function configure(db: DatabaseSync, fresh: boolean): void {
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  if (fresh) {
    db.exec('PRAGMA page_size = 16384');
    db.exec(`PRAGMA application_id = ${MAILBOX_APPLICATION_ID}`);
  }
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA trusted_schema = OFF');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA journal_size_limit = ${WAL_LIMIT_BYTES}`);
  db.exec('PRAGMA wal_autocheckpoint = 256');
}

function migrate(db: DatabaseSync): void {
  const { user_version: v } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (v > SCHEMA_VERSION)
    throw new Error(`mailbox.db schema ${v} is newer than this pvt (${SCHEMA_VERSION})`);
  if (v === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`
      CREATE TABLE envelopes (
        id INTEGER PRIMARY KEY,
        token BLOB NOT NULL,
        hash BLOB NOT NULL,
        expires_at INTEGER NOT NULL,
        envelope BLOB NOT NULL,
        UNIQUE (token, hash)
      );
      CREATE INDEX envelopes_by_token ON envelopes (token, id, expires_at);
      CREATE INDEX envelopes_by_expiry ON envelopes (expires_at);
    `);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** Opens (creating when absent) the mailbox database. A damaged file is moved aside and started afresh. */
export function openMailboxStore(init: MailboxStoreInit): MailboxStore {
  const log = init.logger.child('mailbox-store');
  let db: DatabaseSync;
  const open = (): DatabaseSync => {
    const fresh = !existsSync(init.path) || statSync(init.path).size === 0;
    if (fresh && !existsSync(init.path)) closeSync(openPrivateFileExclusive(init.path));
    const d = new DatabaseSync(init.path, { timeout: 0 });
    try {
      configure(d, fresh);
      const appId = (d.prepare('PRAGMA application_id').get() as { application_id: number }).application_id;
      if (appId !== MAILBOX_APPLICATION_ID) throw new Error('not a pvt mailbox database');
      const check = d.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
      if (check.map((r) => r.quick_check).join() !== 'ok') throw new Error('quick_check failed');
      migrate(d);
      return d;
    } catch (error) {
      d.close();
      throw error;
    }
  };
  try {
    db = open();
  } catch (error) {
    // The envelopes are only copies: senders keep every message until its receipt arrives.
    const aside = `${init.path}.damaged-${Date.now()}`;
    log.error('mailbox.store_damaged', { error: String((error as Error).message).slice(0, 100) });
    renameSync(init.path, aside);
    for (const s of ['-wal', '-shm']) if (existsSync(init.path + s)) renameSync(init.path + s, aside + s);
    db = open();
  }

  const cache = new Map<string, StatementSync>();
  const stmt = (text: string): StatementSync => {
    let s = cache.get(text);
    if (!s) {
      s = db.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
  let total = (stmt('SELECT COUNT(*) AS n FROM envelopes').get() as { n: number }).n;
  const expiry = (nowMs: number) =>
    Math.ceil((nowMs + init.ttlMs) / EXPIRY_GRANULARITY_MS) * EXPIRY_GRANULARITY_MS;
  const tx = <T>(fn: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };

  return {
    depositMany(items, nowMs) {
      const before = total;
      let added = 0;
      try {
        return tx(() => {
          const countToken = stmt('SELECT COUNT(*) AS n FROM envelopes WHERE token = ?');
          const insert = stmt(
            'INSERT OR IGNORE INTO envelopes (token, hash, expires_at, envelope) VALUES (?, ?, ?, ?)',
          );
          const expiresAt = expiry(nowMs);
          // Envelopes per token, counted once per batch and kept up to date while it is written.
          const perToken = new Map<string, number>();
          return items.map((item): DepositOutcome => {
            if (before + added >= init.maxEnvelopes) return 'full';
            const key = Buffer.from(item.token).toString('latin1');
            const n = perToken.get(key) ?? (countToken.get(item.token) as { n: number }).n;
            if (n >= init.maxPerToken) return 'slotFull';
            // A repeated envelope (same hash in the slot) is ignored by the unique index.
            if (Number(insert.run(item.token, item.hash, expiresAt, item.envelope).changes) === 0) {
              perToken.set(key, n);
              return 'duplicate';
            }
            perToken.set(key, n + 1);
            added++;
            return 'stored';
          });
        });
      } finally {
        // Committed or rolled back: recount only when it may have changed.
        if (added > 0) total = (stmt('SELECT COUNT(*) AS n FROM envelopes').get() as { n: number }).n;
      }
    },
    fetch(tokens, skip, limit, nowMs) {
      // Counts and ids come from the (token, id, expires_at) index alone; envelopes are read by id for
      // the page only.
      const count = stmt('SELECT COUNT(*) AS n FROM envelopes WHERE token = ? AND expires_at > ?');
      const idsOf = stmt(
        'SELECT id FROM envelopes WHERE token = ? AND expires_at > ? ORDER BY id LIMIT ? OFFSET ?',
      );
      const one = stmt('SELECT envelope FROM envelopes WHERE id = ?');
      const entries: FetchResult['entries'] = [];
      let matched = 0;
      let toSkip = skip;
      tokens.forEach((token, i) => {
        const n = (count.get(token, nowMs) as { n: number }).n;
        matched += n;
        if (entries.length >= limit) return;
        if (toSkip >= n) {
          toSkip -= n;
          return;
        }
        const ids = idsOf.all(token, nowMs, limit - entries.length, toSkip) as { id: number }[];
        toSkip = 0;
        for (const { id } of ids) {
          entries.push({ tokenIndex: i, envelope: (one.get(id) as { envelope: Uint8Array }).envelope });
        }
      });
      return { entries, remaining: Math.max(0, matched - skip - entries.length) };
    },
    delete(token, hashes) {
      if (hashes.length === 0) return 0;
      const n = tx(() => {
        const del = stmt('DELETE FROM envelopes WHERE token = ? AND hash = ?');
        let removed = 0;
        for (const h of hashes) removed += Number(del.run(token, h).changes);
        return removed;
      });
      total -= n;
      return n;
    },
    expire(nowMs) {
      const n = tx(() => Number(stmt('DELETE FROM envelopes WHERE expires_at <= ?').run(nowMs).changes));
      total -= n;
      if (n > 0) log.info('mailbox.expired', { count: n });
      return n;
    },
    count() {
      return total;
    },
    diskBytes() {
      let bytes = 0;
      for (const s of ['', '-wal']) if (existsSync(init.path + s)) bytes += statSync(init.path + s).size;
      return bytes;
    },
    close() {
      if (!db.isOpen) return;
      try {
        db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      } catch {
        // The WAL is replayed on the next open.
      }
      db.close();
    },
  };
}

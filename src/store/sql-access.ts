/**
 * The handles other stores of the same profile (contacts, invites, outbox — src/store/*-store.ts) need
 * to keep their own tables in pvt.db: the one connection, the column sealer and a transaction runner,
 * so that a ratchet state and the message it produced or consumed commit in one transaction. Only store
 * modules use it; the app layer sees the typed stores built on top. Knows nothing about what the rows mean.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Rng } from '../crypto/bytes.ts';
import type { Sealer } from './sealing.ts';

export interface SqlAccess {
  readonly db: DatabaseSync;
  readonly sealer: Sealer;
  readonly rng: Rng;
  /**
   * Runs `fn` in one BEGIN IMMEDIATE transaction, durable (synchronous=FULL) when it returns; any throw
   * rolls everything back and surfaces as a named store error. Not reentrant: `fn` must not call it.
   */
  transaction<T>(what: string, fn: () => T): T;
  /** Runs a read, mapping SQLite failures to named store errors; throws StoreClosedError once closed. */
  read<T>(what: string, fn: () => T): T;
}

/** A prepare-once cache: `stmt(sql)` returns the same prepared statement for the same text. */
export function statementCache(db: DatabaseSync): (text: string) => StatementSync {
  const cache = new Map<string, StatementSync>();
  return (text) => {
    let s = cache.get(text);
    if (!s) {
      s = db.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
}

/**
 * Offline joins in progress (docs/protocol/mailbox.md, "Offline join"; docs/messaging.md): one row per
 * join waiting in mailboxes, on either side, so that a restart resumes it. In clear: a row id (random
 * on the joiner's side; the invite id, already in clear in `invites`, on the inviter's), the role and
 * the creation and expiry times. Sealed: everything else — the handshake state (ephemeral keys,
 * chaining key), the message to (re)deposit, the invite (with its secret) on the joiner's side, names.
 * Knows nothing about the handshake or mailboxes: the app layer owns what the fields mean.
 */
import { type SqlAccess, statementCache } from './sql-access.ts';

export type PendingJoinRole = 'joiner' | 'inviter';

/** The sealed part, opaque to the store (a JSON object the app layer defines). */
export interface PendingJoinRow {
  readonly id: string;
  readonly role: PendingJoinRole;
  readonly createdAt: number;
  /** The invite's expiry (ms): the join cannot complete after it; the row is dropped then. */
  readonly expiresAt: number;
  readonly state: Readonly<Record<string, unknown>>;
}

type Raw = {
  id: string;
  role: PendingJoinRole;
  created_at: number;
  expires_at: number;
  sealed_state: Uint8Array;
};

const T = 'pending_joins';

export interface PendingJoinsStore {
  list(): PendingJoinRow[];
  get(id: string): PendingJoinRow | undefined;
  /** Inserts or replaces a row in its own transaction (durable on return). */
  put(row: PendingJoinRow): void;
  /** The same inside a caller's transaction (e.g. with the contact it completes). */
  putInTx(row: PendingJoinRow): void;
  /** Deletes a row in its own transaction. */
  remove(id: string): void;
  removeInTx(id: string): void;
}

export function createPendingJoinsStore(sql: SqlAccess): PendingJoinsStore {
  const { db, sealer } = sql;
  const stmt = statementCache(db);
  const toRow = (r: Raw): PendingJoinRow => ({
    id: r.id,
    role: r.role,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    state: JSON.parse(sealer.openText(T, 'state', r.id, r.sealed_state)) as Record<string, unknown>,
  });
  const putInTx = (row: PendingJoinRow): void => {
    stmt(
      `INSERT INTO pending_joins (id, role, created_at, expires_at, sealed_state) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, sealed_state = excluded.sealed_state`,
    ).run(
      row.id,
      row.role,
      row.createdAt,
      row.expiresAt,
      sealer.sealText(T, 'state', row.id, JSON.stringify(row.state)),
    );
  };
  const removeInTx = (id: string): void => {
    stmt('DELETE FROM pending_joins WHERE id = ?').run(id);
  };
  return {
    list() {
      const rows = sql.read('listing pending joins', () =>
        stmt('SELECT * FROM pending_joins ORDER BY created_at').all(),
      ) as Raw[];
      return rows.map(toRow);
    },
    get(id) {
      const r = sql.read('reading a pending join', () =>
        stmt('SELECT * FROM pending_joins WHERE id = ?').get(id),
      ) as Raw | undefined;
      return r ? toRow(r) : undefined;
    },
    put(row) {
      sql.transaction('storing a pending join', () => putInTx(row));
    },
    putInTx,
    remove(id) {
      sql.transaction('dropping a pending join', () => removeInTx(id));
    },
    removeInTx,
  };
}

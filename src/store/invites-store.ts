/**
 * The invites this profile created: id (hash of the secret — it travels in clear in a JoinRequest),
 * state open → consumed (single use), creation and expiry times in clear; the invite itself (its binary
 * form with the secret), the alias to give the joiner and the number of join attempts answered so far
 * sealed. Consuming is a statement meant to run in the same transaction that stores the new contact.
 * Knows nothing about the handshake.
 */
import { type SqlAccess, statementCache } from './sql-access.ts';

export interface InviteRow {
  readonly id: string;
  readonly state: 'open' | 'consumed';
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The binary invite (invite-code.ts encodeInviteBytes), secret included. */
  readonly invite: Uint8Array;
  readonly alias: string | null;
  /** Join attempts answered so far (each is one chance for a man in the middle holding the code). */
  readonly attempts: number;
}

type Raw = {
  id: string;
  state: 'open' | 'consumed';
  created_at: number;
  expires_at: number;
  sealed_invite: Uint8Array;
};

const T = 'invites';

/** The sealed column: binary invite (base64), alias, answered attempts. */
type SealedInvite = { i: string; a: string | null; n?: number };

export interface InvitesStore {
  get(id: string): InviteRow | undefined;
  /** Inserts an open invite in its own transaction (durable on return). */
  create(row: Omit<InviteRow, 'state' | 'attempts'>): void;
  /** Counts one more answered join attempt, durably (its own transaction); returns the new count. */
  recordAttempt(id: string): number;
  /** Marks an open invite consumed; false when it was not open (already used, or unknown). In-transaction. */
  consume(id: string, atMs: number): boolean;
  /** Deletes invites that expired before `beforeMs` (consumed ones included: their id has no more use). */
  pruneExpired(beforeMs: number): number;
  /** Ids of the invites not yet expired at `nowMs`, open or consumed (offline joins poll their slots). */
  liveIds(nowMs: number): string[];
}

export function createInvitesStore(sql: SqlAccess): InvitesStore {
  const { db, sealer } = sql;
  const stmt = statementCache(db);
  const open = (r: Raw): SealedInvite =>
    JSON.parse(sealer.openText(T, 'invite', r.id, r.sealed_invite)) as SealedInvite;
  const seal = (id: string, v: SealedInvite): Uint8Array =>
    sealer.sealText(T, 'invite', id, JSON.stringify(v));
  return {
    get(id) {
      const r = sql.read('reading an invite', () => stmt('SELECT * FROM invites WHERE id = ?').get(id)) as
        | Raw
        | undefined;
      if (!r) return undefined;
      const sealed = open(r);
      return {
        id: r.id,
        state: r.state,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        invite: new Uint8Array(Buffer.from(sealed.i, 'base64')),
        alias: sealed.a,
        attempts: sealed.n ?? 0,
      };
    },
    recordAttempt(id) {
      return sql.transaction('counting a join attempt', () => {
        const r = stmt('SELECT * FROM invites WHERE id = ?').get(id) as Raw | undefined;
        if (!r) return 0;
        const sealed = open(r);
        const n = (sealed.n ?? 0) + 1;
        stmt('UPDATE invites SET sealed_invite = ? WHERE id = ?').run(seal(id, { ...sealed, n }), id);
        return n;
      });
    },
    create(row) {
      const sealed = seal(row.id, { i: Buffer.from(row.invite).toString('base64'), a: row.alias, n: 0 });
      sql.transaction('storing an invite', () => {
        stmt(
          `INSERT INTO invites (id, state, created_at, expires_at, consumed_at, sealed_invite)
           VALUES (?, 'open', ?, ?, NULL, ?)`,
        ).run(row.id, row.createdAt, row.expiresAt, sealed);
      });
    },
    consume(id, atMs) {
      const r = stmt(
        "UPDATE invites SET state = 'consumed', consumed_at = ? WHERE id = ? AND state = 'open'",
      ).run(atMs, id);
      return Number(r.changes) === 1;
    },
    liveIds(nowMs) {
      const rows = sql.read('listing invites', () =>
        stmt('SELECT id FROM invites WHERE expires_at > ? ORDER BY created_at').all(nowMs),
      ) as { id: string }[];
      return rows.map((r) => r.id);
    },
    pruneExpired(beforeMs) {
      return Number(
        sql.transaction('pruning invites', () =>
          stmt('DELETE FROM invites WHERE expires_at < ?').run(beforeMs),
        ).changes,
      );
    },
  };
}

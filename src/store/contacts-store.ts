/**
 * The contacts table: one row per contact with its verification state and times in clear, and its local
 * name, peer identity, transport locator and ratchet session sealed (each to its own column and row).
 * Writes are statements meant to run inside the caller's `sql.transaction` (so a session and the message
 * it produced commit together); reads open the sealed columns. Knows nothing about protocols: the
 * session is opaque bytes, keys are bytes, addresses are strings.
 */
import { fromHex, toHex } from '../crypto/bytes.ts';
import { type SqlAccess, statementCache } from './sql-access.ts';

export type ContactVerification = 'unverified' | 'verified' | 'rejected';

/** What is known of a contact's person: the identity keys and the name it announced. */
export interface ContactPeer {
  readonly displayName: string;
  readonly signPublic: Uint8Array;
  readonly dhPublic: Uint8Array;
}

/** How to reach a contact's node: its transport PeerId (string form) and last known multiaddrs. */
export interface ContactTransport {
  readonly peerId: string;
  readonly addrs: readonly string[];
}

export interface ContactRow {
  readonly id: string;
  readonly name: string;
  readonly peer: ContactPeer;
  readonly transport: ContactTransport;
  readonly verification: ContactVerification;
  readonly createdAt: number;
  readonly lastSeenAt: number | null;
}

type Raw = {
  id: string;
  verification: ContactVerification;
  created_at: number;
  last_seen_at: number | null;
  sealed_name: Uint8Array;
  sealed_peer: Uint8Array;
  sealed_transport: Uint8Array;
};

const T = 'contacts';

export interface ContactsStore {
  /** Every contact, opened (sessions excluded). */
  all(): ContactRow[];
  /** The sealed session bytes of a contact (the ratchet state), opened. */
  session(id: string): Uint8Array;
  insert(row: ContactRow, session: Uint8Array): void;
  setSession(id: string, session: Uint8Array): void;
  setName(id: string, name: string): void;
  setVerification(id: string, verification: ContactVerification): void;
  setTransport(id: string, transport: ContactTransport): void;
  setPeer(id: string, peer: ContactPeer): void;
  setLastSeen(id: string, atMs: number): void;
  /** The short authentication string of the join, kept until the contact is verified or rejected. */
  setSas(id: string, sas: string | null): void;
  sas(id: string): string | null;
  /** Deletes the contact row only (the caller removes its outbox, messages and conversation). */
  delete(id: string): void;
}

function encodePeer(p: ContactPeer): string {
  return JSON.stringify({ n: p.displayName, s: toHex(p.signPublic), d: toHex(p.dhPublic) });
}
function decodePeer(json: string): ContactPeer {
  const o = JSON.parse(json) as { n: string; s: string; d: string };
  return { displayName: o.n, signPublic: fromHex(o.s), dhPublic: fromHex(o.d) };
}
function encodeTransport(t: ContactTransport): string {
  return JSON.stringify({ p: t.peerId, a: t.addrs });
}
function decodeTransport(json: string): ContactTransport {
  const o = JSON.parse(json) as { p: string; a: string[] };
  return { peerId: o.p, addrs: o.a };
}

export function createContactsStore(sql: SqlAccess): ContactsStore {
  const { db, sealer } = sql;
  const stmt = statementCache(db);
  const changed = (what: string, n: number | bigint) => {
    if (Number(n) !== 1) throw new Error(`${what}: no such contact`);
  };

  return {
    all() {
      const rows = sql.read('listing contacts', () =>
        stmt('SELECT * FROM contacts ORDER BY created_at, id').all(),
      ) as Raw[];
      return rows.map((r) => ({
        id: r.id,
        name: sealer.openText(T, 'name', r.id, r.sealed_name),
        peer: decodePeer(sealer.openText(T, 'peer', r.id, r.sealed_peer)),
        transport: decodeTransport(sealer.openText(T, 'transport', r.id, r.sealed_transport)),
        verification: r.verification,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
      }));
    },
    session(id) {
      const row = sql.read('reading a session', () =>
        stmt('SELECT sealed_session FROM contacts WHERE id = ?').get(id),
      ) as { sealed_session: Uint8Array } | undefined;
      if (!row) throw new Error('reading a session: no such contact');
      return sealer.open(T, 'session', id, row.sealed_session);
    },
    insert(row, session) {
      stmt(
        `INSERT INTO contacts (id, verification, created_at, last_seen_at, sealed_name, sealed_peer,
           sealed_transport, sealed_session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.id,
        row.verification,
        row.createdAt,
        row.lastSeenAt,
        sealer.sealText(T, 'name', row.id, row.name),
        sealer.sealText(T, 'peer', row.id, encodePeer(row.peer)),
        sealer.sealText(T, 'transport', row.id, encodeTransport(row.transport)),
        sealer.seal(T, 'session', row.id, session),
      );
    },
    setSession(id, session) {
      const r = stmt('UPDATE contacts SET sealed_session = ? WHERE id = ?').run(
        sealer.seal(T, 'session', id, session),
        id,
      );
      changed('saving a session', r.changes);
    },
    setName(id, name) {
      const r = stmt('UPDATE contacts SET sealed_name = ? WHERE id = ?').run(
        sealer.sealText(T, 'name', id, name),
        id,
      );
      changed('renaming a contact', r.changes);
    },
    setSas(id, sas) {
      stmt('UPDATE contacts SET sealed_sas = ? WHERE id = ?').run(
        sas === null ? null : sealer.sealText(T, 'sas', id, sas),
        id,
      );
    },
    sas(id) {
      const row = sql.read('reading a SAS', () =>
        stmt('SELECT sealed_sas FROM contacts WHERE id = ?').get(id),
      ) as { sealed_sas: Uint8Array | null } | undefined;
      return row?.sealed_sas ? sealer.openText(T, 'sas', id, row.sealed_sas) : null;
    },
    setVerification(id, verification) {
      const r = stmt('UPDATE contacts SET verification = ? WHERE id = ?').run(verification, id);
      changed('verifying a contact', r.changes);
    },
    setTransport(id, transport) {
      const r = stmt('UPDATE contacts SET sealed_transport = ? WHERE id = ?').run(
        sealer.sealText(T, 'transport', id, encodeTransport(transport)),
        id,
      );
      changed('saving addresses', r.changes);
    },
    setPeer(id, peer) {
      const r = stmt('UPDATE contacts SET sealed_peer = ? WHERE id = ?').run(
        sealer.sealText(T, 'peer', id, encodePeer(peer)),
        id,
      );
      changed('saving a contact', r.changes);
    },
    setLastSeen(id, atMs) {
      stmt('UPDATE contacts SET last_seen_at = ? WHERE id = ?').run(atMs, id);
    },
    delete(id) {
      stmt('DELETE FROM contacts WHERE id = ?').run(id);
    },
  };
}

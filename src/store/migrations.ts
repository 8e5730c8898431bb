/**
 * The versioned schema of pvt.db. Each migration runs once, in its own transaction, and is recorded in
 * schema_migrations. Released migrations are never edited: later work (contacts, sessions, outbox, inbox
 * dedup) appends new ones. Sensitive values live only in `sealed_*` BLOB columns (see sealing.ts); the
 * clear columns hold ids, counters, states and times. Knows nothing about how the SQL is executed.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'identity, conversations, messages',
    sql: `
      CREATE TABLE identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed_blob BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('self', 'contact')),
        sealed_title BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE messages (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        seq INTEGER NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        sealed_body BLOB NOT NULL,
        UNIQUE (conversation_id, seq)
      );
    `,
  },
  {
    version: 2,
    description: 'contacts, invites, outbox, inbox dedup, read marks, network settings (messaging)',
    sql: `
      CREATE TABLE contacts (
        id TEXT PRIMARY KEY REFERENCES conversations(id),
        verification TEXT NOT NULL CHECK (verification IN ('unverified', 'verified', 'rejected')),
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        sealed_name BLOB NOT NULL,
        sealed_peer BLOB NOT NULL,
        sealed_transport BLOB NOT NULL,
        sealed_session BLOB NOT NULL
      );
      CREATE TABLE invites (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('open', 'consumed')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER,
        sealed_invite BLOB NOT NULL
      );
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('text', 'address')),
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sealed_payload BLOB,
        sealed_wire BLOB
      );
      CREATE INDEX outbox_by_contact ON outbox (contact_id, seq);
      CREATE TABLE inbox_seen (
        wire_hash TEXT PRIMARY KEY,
        contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        remote_id TEXT NOT NULL,
        received_at INTEGER NOT NULL
      );
      CREATE INDEX inbox_seen_by_time ON inbox_seen (received_at);
      CREATE TABLE conversation_reads (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
        read_seq INTEGER NOT NULL
      );
      CREATE TABLE net_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'the SAS of a join kept (sealed) until the contact is verified or rejected',
    sql: `
      ALTER TABLE contacts ADD COLUMN sealed_sas BLOB;
    `,
  },
  {
    version: 4,
    description: 'why a message failed (a short code such as "rejected"; never message content)',
    sql: `
      ALTER TABLE messages ADD COLUMN failure TEXT;
    `,
  },
  {
    version: 5,
    description: 'offline joins in progress (sealed handshake state), resumed after a restart',
    sql: `
      CREATE TABLE pending_joins (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('joiner', 'inviter')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        sealed_state BLOB NOT NULL
      );
    `,
  },
];

/** Throws when versions are not 1, 2, 3, … in order (checked by tests and at open). */
export function assertMigrationsOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
}

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

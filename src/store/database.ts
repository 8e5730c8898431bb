/**
 * pvt.db through node:sqlite: refuses — without writing a byte — a file that is not an SQLite database,
 * is damaged, or belongs to another program (PRAGMA application_id); opens ours with synchronous=FULL,
 * foreign keys, WAL in exclusive locking mode (one connection, held until close; the kernel drops the
 * lock if the process dies); applies migrations; runs writes as transactions that either commit durably
 * or leave nothing behind. Knows nothing about sealing or what the rows mean.
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { PVT_APPLICATION_ID } from './constants.ts';
import {
  CorruptDatabaseError,
  ForeignDatabaseError,
  NewerSchemaError,
  StoreError,
  StoreReadError,
  StoreWriteError,
} from './errors.ts';
import { assertMigrationsOrdered, MIGRATIONS, type Migration } from './migrations.ts';
import { openPrivateFileExclusive } from './permissions.ts';

export { PVT_APPLICATION_ID };

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const HEADER_BYTES = 100;

// Primary SQLite result codes (extended codes carry them in the low byte).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_NOMEM = 7;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

export type SqliteFailure = 'busy' | 'corrupt' | 'full' | 'io' | 'other';

/** Classifies an error thrown by node:sqlite by its SQLite result code. */
export function sqliteFailure(error: unknown): SqliteFailure {
  const raw = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof raw !== 'number') return 'other';
  switch (raw & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return 'busy';
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return 'corrupt';
    case SQLITE_FULL:
      return 'full';
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
      return 'io';
    default:
      return 'other';
  }
}

export interface DatabaseContext {
  readonly path: string;
  /** The error to throw when another connection holds the database (e.g. ProfileInUseError). */
  readonly busyError: () => Error;
}

/** Maps a failure of `what` to the named error a caller should see. */
export function storeFailure(ctx: DatabaseContext, what: string, error: unknown, reading = false): Error {
  if (error instanceof StoreError || error instanceof TypeError || error instanceof RangeError) return error;
  const message = (error as Error)?.message ?? String(error);
  switch (sqliteFailure(error)) {
    case 'busy':
      return ctx.busyError();
    case 'corrupt':
      return new CorruptDatabaseError(ctx.path, message, error);
    case 'full':
      return new StoreWriteError(`${what}: the disk is full`, error);
    default:
      if (reading) return new StoreReadError(`${what}: ${message}`, error);
      return new StoreWriteError(`${what}: ${message}`, error);
  }
}

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** application_id as SQLite sees it (through the WAL), from a read-only connection. */
function applicationIdThroughWal(ctx: DatabaseContext): number {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(ctx.path, { readOnly: true, timeout: 0 });
    const row = db.prepare('PRAGMA application_id').get() as { application_id: number };
    return row.application_id;
  } catch (error) {
    throw storeFailure(ctx, 'reading the database header', error);
  } finally {
    db?.close();
  }
}

/**
 * What an existing file is, judged from its header without writing: an empty file ('empty', what a
 * crash right after creating it leaves), a pvt database ('pvt'), or a named error.
 */
export function classifyDatabaseFile(ctx: DatabaseContext): 'empty' | 'pvt' {
  const header = readHeader(ctx.path);
  if (header.length === 0) return 'empty';
  if (header.length < HEADER_BYTES || header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
    throw new CorruptDatabaseError(ctx.path, 'not an SQLite database');
  }
  const appId = header.readUInt32BE(68);
  if (appId === PVT_APPLICATION_ID) return 'pvt';
  // A database whose header change still sits in the WAL (a crash before the first checkpoint).
  const wal = `${ctx.path}-wal`;
  if (
    appId === 0 &&
    existsSync(wal) &&
    statSync(wal).size > 0 &&
    applicationIdThroughWal(ctx) === PVT_APPLICATION_ID
  ) {
    return 'pvt';
  }
  throw new ForeignDatabaseError(ctx.path);
}

function schemaVersion(db: DatabaseSync): number {
  const table = db
    .prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the schema to the latest version, one transaction per migration. A database newer than this
 * code is refused (NewerSchemaError) before anything is written.
 */
export function applyMigrations(
  db: DatabaseSync,
  ctx: DatabaseContext,
  migrations: readonly Migration[] = MIGRATIONS,
  nowMs: () => number = Date.now,
): number {
  assertMigrationsOrdered(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) throw new NewerSchemaError(ctx.path, current, latest);
  for (const m of migrations) {
    if (m.version <= current) continue;
    runTransaction(db, ctx, `schema migration ${m.version}`, () => {
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
      );
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, nowMs());
    });
  }
  return latest;
}

/**
 * Runs `fn` in a BEGIN IMMEDIATE transaction and commits (durable on return: synchronous=FULL). Any
 * failure rolls back — nothing half-written — and surfaces as a named error (StoreWriteError on a full
 * disk or I/O error, CorruptDatabaseError, the busy error, or the StoreError `fn` threw).
 */
export function runTransaction<T>(db: DatabaseSync, ctx: DatabaseContext, what: string, fn: () => T): T {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    throw storeFailure(ctx, what, error);
  }
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (error) {
    try {
      if (db.isTransaction) db.exec('ROLLBACK');
    } catch {
      // SQLite may already have rolled back (it does on some I/O errors).
    }
    throw storeFailure(ctx, what, error);
  }
}

function configure(db: DatabaseSync): void {
  db.exec('PRAGMA locking_mode = EXCLUSIVE'); // before WAL is touched: no -shm file, no shared memory
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA trusted_schema = OFF');
}

/**
 * Creates a new pvt database (the file must not exist), migrated to the latest schema. On failure the
 * files it created are removed again.
 */
export function createDatabase(ctx: DatabaseContext): DatabaseSync {
  let db: DatabaseSync | undefined;
  let created = false;
  try {
    closeSync(openPrivateFileExclusive(ctx.path)); // exactly 0600; SQLite gives -wal the same mode
    created = true;
    db = new DatabaseSync(ctx.path, { timeout: 0 });
    db.exec('PRAGMA synchronous = FULL');
    // Stamp the file as pvt's in the main file itself, before WAL mode, so the header says so from the start.
    db.exec(`PRAGMA application_id = ${PVT_APPLICATION_ID}`);
    configure(db);
    db.exec('PRAGMA journal_mode = WAL');
    applyMigrations(db, ctx);
    return db;
  } catch (error) {
    db?.close();
    if (created) for (const suffix of ['', '-wal', '-journal']) rmSync(ctx.path + suffix, { force: true });
    throw storeFailure(ctx, 'creating the database', error);
  }
}

/**
 * Opens an existing pvt database: header check (no writes), exclusive lock, `PRAGMA quick_check`,
 * WAL, migrations. CorruptDatabaseError / ForeignDatabaseError name the file and leave it untouched.
 */
export function openDatabase(ctx: DatabaseContext): DatabaseSync {
  if (!existsSync(ctx.path)) throw new CorruptDatabaseError(ctx.path, 'the file is missing');
  if (classifyDatabaseFile(ctx) === 'empty') throw new CorruptDatabaseError(ctx.path, 'the file is empty');
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(ctx.path, { timeout: 0 });
    configure(db);
    const rows = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
    const verdict = rows.map((r) => r.quick_check).join('; ');
    if (verdict !== 'ok') throw new CorruptDatabaseError(ctx.path, verdict.slice(0, 200));
    const mode = db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    if (mode.journal_mode !== 'wal') db.exec('PRAGMA journal_mode = WAL');
    applyMigrations(db, ctx);
    return db;
  } catch (error) {
    db?.close();
    throw storeFailure(ctx, 'opening the database', error);
  }
}

/** Checkpoints the WAL into the main file and closes. A failed checkpoint loses nothing (the WAL stays). */
export function closeDatabase(db: DatabaseSync): void {
  if (!db.isOpen) return;
  try {
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch {
    // Disk full or I/O error: the WAL is replayed on the next open.
  }
  db.close();
}

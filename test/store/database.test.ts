/**
 * pvt.db: creation (pragmas, application_id stamped in the main file), migrations (latest version on a
 * fresh file, idempotent re-open, one transaction each, a newer schema refused), and refusal of corrupt
 * and foreign files without changing a byte of them.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { PVT_APPLICATION_ID } from '../../src/store/constants.ts';
import {
  applyMigrations,
  classifyDatabaseFile,
  closeDatabase,
  createDatabase,
  type DatabaseContext,
  openDatabase,
} from '../../src/store/database.ts';
import {
  CorruptDatabaseError,
  ForeignDatabaseError,
  NewerSchemaError,
  ProfileInUseError,
} from '../../src/store/errors.ts';
import {
  assertMigrationsOrdered,
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  type Migration,
} from '../../src/store/migrations.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { type TempDir, tempDir } from './helpers.ts';

let tmp: TempDir;
let ctx: DatabaseContext;
beforeEach(() => {
  tmp = tempDir();
  ctx = { path: join(tmp.dir, 'pvt.db'), busyError: () => new ProfileInUseError(4242) };
});
afterEach(() => tmp.cleanup());

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const versions = (db: DatabaseSync) =>
  (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
    (r) => r.version,
  );

describe('database', () => {
  test('a fresh database is at the latest schema, WAL, synchronous=FULL, foreign keys on', () => {
    const db = createDatabase(ctx);
    expect(versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(versions(db).at(-1)).toBe(LATEST_SCHEMA_VERSION);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous).toBe(2);
    expect((db.prepare('PRAGMA foreign_keys').get() as { foreign_keys: number }).foreign_keys).toBe(1);
    expect((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id).toBe(
      PVT_APPLICATION_ID,
    );
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['conversations', 'identity', 'messages', 'schema_migrations']),
    );
    closeDatabase(db);
  });

  test('the main file carries the application_id even if the process dies before a checkpoint', () => {
    const db = createDatabase(ctx);
    // No close: the header of the main file must already say "pvt".
    const header = readFileSync(ctx.path).subarray(0, 100);
    expect(header.readUInt32BE(68)).toBe(PVT_APPLICATION_ID);
    expect(classifyDatabaseFile(ctx)).toBe('pvt');
    db.close();
  });

  test('a database whose application_id still sits in its WAL (written by the first release) is ours', () => {
    const early = new DatabaseSync(ctx.path);
    early.exec(
      `PRAGMA journal_mode = WAL; PRAGMA application_id = ${PVT_APPLICATION_ID}; CREATE TABLE t (x);`,
    );
    expect(readFileSync(ctx.path).readUInt32BE(68)).toBe(0); // the main file does not say so yet
    expect(classifyDatabaseFile(ctx)).toBe('pvt');
    early.close();
  });

  test('re-opening is idempotent: no migration runs twice and the data stays', () => {
    const db = createDatabase(ctx);
    db.prepare(
      "INSERT INTO conversations (id, kind, sealed_title, created_at) VALUES ('c', 'self', x'00', 1)",
    ).run();
    closeDatabase(db);
    for (let i = 0; i < 2; i++) {
      const again = openDatabase(ctx);
      expect(versions(again)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(again.prepare('SELECT COUNT(*) AS n FROM conversations').get()).toEqual({ n: 1 });
      closeDatabase(again);
    }
  });

  test('a schema newer than this code is refused with a clear error, and nothing is written', () => {
    const db = createDatabase(ctx);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
      LATEST_SCHEMA_VERSION + 1,
      1,
    );
    closeDatabase(db);
    const before = sha(ctx.path);
    const error = (() => {
      try {
        openDatabase(ctx);
      } catch (e) {
        return e as NewerSchemaError;
      }
    })();
    expect(error).toBeInstanceOf(NewerSchemaError);
    expect(error?.message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}`);
    expect(error?.message).toContain('update pvt');
    expect(sha(ctx.path)).toBe(before);
  });

  test('migrations apply in order, each in its own transaction: a failing one leaves the previous ones', () => {
    const db = createDatabase(ctx);
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST_SCHEMA_VERSION + 1, description: 'ok', sql: 'CREATE TABLE extra_a (x INTEGER);' },
      {
        version: LATEST_SCHEMA_VERSION + 2,
        description: 'fails halfway',
        sql: 'CREATE TABLE extra_b (x INTEGER); INSERT INTO no_such_table VALUES (1);',
      },
    ];
    expect(() => applyMigrations(db, ctx, extra)).toThrow();
    expect(versions(db).at(-1)).toBe(LATEST_SCHEMA_VERSION + 1);
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'extra_%'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(names).toEqual(['extra_a']); // extra_b was rolled back with its migration
    closeDatabase(db);
  });

  test('migration versions must be 1, 2, 3, …', () => {
    expect(() => assertMigrationsOrdered(MIGRATIONS)).not.toThrow();
    expect(() => assertMigrationsOrdered([{ version: 2, description: '', sql: '' }])).toThrow();
  });

  test('random bytes: CorruptDatabaseError naming the file, file unchanged', () => {
    writeFileSync(ctx.path, systemRng(8192), { mode: 0o600 });
    const before = sha(ctx.path);
    expect(() => openDatabase(ctx)).toThrow(CorruptDatabaseError);
    expect(() => openDatabase(ctx)).toThrow(ctx.path);
    expect(sha(ctx.path)).toBe(before);
  });

  test('a pvt database with damaged pages: CorruptDatabaseError, file unchanged', () => {
    const db = createDatabase(ctx);
    const ins = db.prepare(
      "INSERT INTO conversations (id, kind, sealed_title, created_at) VALUES (?, 'contact', ?, 1)",
    );
    for (let i = 0; i < 200; i++) ins.run(`c${i}`, systemRng(200));
    closeDatabase(db);
    const bytes = readFileSync(ctx.path);
    expect(bytes.length).toBeGreaterThan(3 * 4096);
    bytes.set(systemRng(4096), 2 * 4096); // overwrite page 3 with noise
    writeFileSync(ctx.path, bytes);
    const before = sha(ctx.path);
    const error = (() => {
      try {
        openDatabase(ctx);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(error?.message).toContain(ctx.path);
    expect(sha(ctx.path)).toBe(before);
  });

  test('a foreign SQLite database (application_id 0, other tables): ForeignDatabaseError, file unchanged', () => {
    const foreign = new DatabaseSync(ctx.path);
    foreign.exec("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');");
    foreign.close();
    const before = sha(ctx.path);
    const error = (() => {
      try {
        openDatabase(ctx);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ForeignDatabaseError);
    expect((error as ForeignDatabaseError).code).toBe('ForeignDatabase');
    expect(error?.message).toContain(ctx.path);
    expect(sha(ctx.path)).toBe(before);
  });

  test('a foreign database in WAL mode with an uncheckpointed WAL is still foreign', () => {
    const foreign = new DatabaseSync(ctx.path);
    foreign.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    // Left open (its WAL is not checkpointed) while pvt looks at it.
    const before = sha(ctx.path);
    expect(() => openDatabase(ctx)).toThrow(ForeignDatabaseError);
    expect(sha(ctx.path)).toBe(before);
    foreign.close();
  });

  test('a database held by another connection is "in use", not corrupt', () => {
    const db = createDatabase(ctx);
    expect(() => openDatabase(ctx)).toThrow(ProfileInUseError);
    closeDatabase(db);
  });

  test('an empty file is reported as such by open, and classified "empty" for creation', () => {
    writeFileSync(ctx.path, '', { mode: 0o600 });
    expect(classifyDatabaseFile(ctx)).toBe('empty');
    expect(() => openDatabase(ctx)).toThrow(/empty/);
  });
});

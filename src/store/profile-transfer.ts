/**
 * Moving a profile to another machine (`pvt export` / `pvt import`) and the rule that keeps its ratchet
 * sessions from forking: an export leaves a freeze marker (`exported.json`) in the old profile, and a
 * frozen profile does not start its network (nothing sent, nothing received) until the user lifts the
 * freeze on that copy (`pvt export --resume`) — see docs/decisions.md, issue 14. The export is a
 * consistent copy of the database (`VACUUM INTO`, taken under the profile lock) plus the master key,
 * sealed by export-file.ts; the import writes that database and protects the same master key anew
 * (keychain or passphrase), key.json last, as `createProfile` does. Knows nothing about the network.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Rng, wipe } from '../crypto/bytes.ts';
import { type Argon2Params, tuneArgon2id } from './argon2.ts';
import { fsyncDir, writeFileAtomic } from './atomic-file.ts';
import { closeDatabase, type DatabaseContext, openDatabase } from './database.ts';
import {
  CorruptDatabaseError,
  ProfileExistsError,
  ProfileInUseError,
  ProfileNotFoundError,
  StoreError,
} from './errors.ts';
import { type ExportHeader, openExport, sealExport } from './export-file.ts';
import { type KeychainBackend, osKeychain } from './keychain.ts';
import { acquireLock, readLockPid } from './lock.ts';
import { protectMasterKey, readKeyFile, unlockMasterKey } from './master-key.ts';
import { type ProfilePaths, profilePaths } from './paths.ts';
import { checkPrivate, ensurePrivateDir } from './permissions.ts';
import type { ProtectionOption } from './profile-store.ts';
import { createSealer } from './sealing.ts';

const FREEZE_FILE = 'exported.json';

export interface ExportFreeze {
  readonly exportId: string;
  readonly exportedAt: number;
}

/** This profile was exported and has not been resumed: it must not run its network. */
export class ProfileExportedError extends StoreError {
  readonly freeze: ExportFreeze;
  constructor(freeze: ExportFreeze) {
    super(
      'ProfileExported',
      `this profile was exported on ${new Date(freeze.exportedAt).toISOString()} (pvt export): this copy neither sends nor receives, so only the imported copy advances your encrypted sessions. To keep using this copy instead (and never import that export): pvt export --resume`,
    );
    this.freeze = freeze;
  }
}

/** The freeze marker of a profile, if it has one. */
export function readExportFreeze(dataDir: string, profile: string): ExportFreeze | undefined {
  const file = join(profilePaths(dataDir, profile).dir, FREEZE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const f = JSON.parse(readFileSync(file, 'utf8')) as Partial<ExportFreeze>;
    return { exportId: String(f.exportId ?? ''), exportedAt: Number(f.exportedAt ?? 0) };
  } catch {
    // A garbled marker still freezes: the safe side.
    return { exportId: '', exportedAt: 0 };
  }
}

/** Throws ProfileExportedError when the profile is frozen by an export. */
export function assertNotExported(dataDir: string, profile: string): void {
  const freeze = readExportFreeze(dataDir, profile);
  if (freeze) throw new ProfileExportedError(freeze);
}

/** Lifts the freeze (`pvt export --resume`); false when there was none. */
export function resumeExportedProfile(dataDir: string, profile: string): boolean {
  const paths = profilePaths(dataDir, profile);
  const file = join(paths.dir, FREEZE_FILE);
  if (!existsSync(file)) return false;
  rmSync(file);
  fsyncDir(paths.dir);
  return true;
}

function dbContext(paths: ProfilePaths): DatabaseContext {
  const busyError = () => {
    const pid = readLockPid(paths.lock);
    return new ProfileInUseError(pid === process.pid ? undefined : pid);
  };
  return { path: paths.db, busyError };
}

function checkIdentity(db: DatabaseSync, masterKey: Uint8Array, rng: Rng, dbPath: string): void {
  const sealer = createSealer(masterKey, rng);
  try {
    const row = db.prepare('SELECT sealed_blob FROM identity WHERE id = 1').get() as
      | { sealed_blob: Uint8Array }
      | undefined;
    if (!row) throw new CorruptDatabaseError(dbPath, 'it holds no identity');
    wipe(sealer.open('identity', 'blob', '1', row.sealed_blob));
  } finally {
    sealer.destroy();
  }
}

/** Without history: messages go, except those still waiting in the outbox (nothing unsent is lost). */
function dropHistory(file: string): void {
  const db = new DatabaseSync(file);
  try {
    db.exec(`
      PRAGMA foreign_keys = ON;
      BEGIN;
      DELETE FROM messages WHERE id NOT IN (SELECT id FROM outbox);
      UPDATE conversation_reads SET read_seq = COALESCE(
        (SELECT MAX(seq) FROM messages m WHERE m.conversation_id = conversation_reads.conversation_id), 0);
      COMMIT;
      VACUUM;
    `);
  } finally {
    db.close();
  }
}

export interface ExportOptions {
  readonly dataDir: string;
  readonly profile: string;
  /** The profile's own passphrase (passphrase-protected profiles). */
  readonly passphrase?: string;
  readonly exportPassphrase: string;
  readonly history: boolean;
  readonly rng: Rng;
  readonly nowMs: number;
  readonly keychain?: KeychainBackend;
  /** Argon2id parameters for the export's key wrap instead of tuning (tests). */
  readonly argon2?: Argon2Params;
  /** Saves the sealed file; called under the profile lock, before the freeze marker is written. */
  readonly save: (bytes: Uint8Array) => void;
}

/** Exports the profile (which must not be open elsewhere: ProfileInUseError) and freezes it. */
export async function exportProfile(o: ExportOptions): Promise<ExportHeader['exportId']> {
  const paths = profilePaths(o.dataDir, o.profile);
  if (!existsSync(paths.keyFile)) throw new ProfileNotFoundError(paths.dir);
  checkPrivate(paths.dataDir, paths.dir);
  const lock = acquireLock(paths.lock, o.rng);
  const ctx = dbContext(paths);
  const snapshot = join(paths.dir, `export-${process.pid}.tmp.db`);
  let masterKey: Uint8Array | undefined;
  let db: DatabaseSync | undefined;
  try {
    masterKey = await unlockMasterKey(readKeyFile(paths.keyFile), {
      passphrase: o.passphrase,
      keychain: o.keychain ?? osKeychain,
    });
    db = openDatabase(ctx);
    checkIdentity(db, masterKey, o.rng, paths.db);
    rmSync(snapshot, { force: true });
    db.prepare('VACUUM INTO ?').run(snapshot);
    closeDatabase(db);
    db = undefined;
    if (!o.history) dropHistory(snapshot);
    const database = new Uint8Array(readFileSync(snapshot));
    const { bytes, exportId } = await sealExport({
      masterKey,
      database,
      passphrase: o.exportPassphrase,
      argon2: o.argon2 ?? (await tuneArgon2id()),
      history: o.history,
      nowMs: o.nowMs,
      rng: o.rng,
    });
    wipe(database);
    o.save(bytes);
    const freeze: ExportFreeze = { exportId, exportedAt: o.nowMs };
    writeFileAtomic(join(paths.dir, FREEZE_FILE), `${JSON.stringify(freeze)}\n`, o.rng);
    return exportId;
  } finally {
    if (db) closeDatabase(db);
    for (const suffix of ['', '-wal', '-journal']) rmSync(snapshot + suffix, { force: true });
    lock.release();
    wipe(masterKey);
  }
}

export interface ImportOptions {
  readonly dataDir: string;
  readonly profile: string;
  readonly bytes: Uint8Array;
  readonly exportPassphrase: string;
  /** How the new copy protects the master key. */
  readonly protection: ProtectionOption;
  readonly rng: Rng;
  readonly keychain?: KeychainBackend;
}

/** Creates the profile from an export; ProfileExistsError when it already has an identity. */
export async function importProfile(o: ImportOptions): Promise<ExportHeader> {
  const contents = await openExport(o.bytes, o.exportPassphrase);
  const paths = profilePaths(o.dataDir, o.profile);
  const keychain = o.keychain ?? osKeychain;
  ensurePrivateDir(paths.dataDir);
  checkPrivate(paths.dataDir, paths.dir);
  ensurePrivateDir(paths.profilesDir);
  ensurePrivateDir(paths.dir);
  const lock = acquireLock(paths.lock, o.rng);
  let written = false;
  let undoKey: (() => Promise<void>) | undefined;
  try {
    if (existsSync(paths.keyFile) || existsSync(paths.db)) throw new ProfileExistsError(paths.dir);
    writeFileSync(paths.db, contents.database, { mode: 0o600, flag: 'wx' });
    written = true;
    fsyncDir(paths.dir);
    const db = openDatabase(dbContext(paths)); // checks it is a pvt database; migrates an older one
    try {
      checkIdentity(db, contents.masterKey, o.rng, paths.db);
    } finally {
      closeDatabase(db);
    }
    const protection = await protectMasterKey(
      paths.keyFile,
      contents.masterKey,
      o.protection.kind === 'passphrase'
        ? {
            kind: 'passphrase',
            passphrase: o.protection.passphrase,
            argon2: o.protection.argon2 ?? (await tuneArgon2id()),
          }
        : { kind: 'keychain' },
      o.rng,
      keychain,
    );
    undoKey = protection.undo;
    return contents.header;
  } catch (error) {
    if (written) {
      await undoKey?.().catch(() => undefined);
      rmSync(paths.keyFile, { force: true });
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(paths.db + suffix, { force: true });
    }
    throw error;
  } finally {
    lock.release();
    wipe(contents.masterKey);
  }
}

/**
 * The storage API the app layer uses: inspect, create and open a profile. Opening takes the profile
 * lock, checks permissions, recovers the master key (OS keychain or passphrase), opens the sealed
 * database and hands back a ProfileStore. Creating never overwrites: an existing identity is
 * ProfileExistsError; a foreign or corrupt file is refused by name. Knows nothing about protocols or the
 * UI: the identity blob is bytes it seals and returns.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { type Rng, wipe } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import { nullLogger } from '../log/logger.ts';
import { type Argon2Params, tuneArgon2id } from './argon2.ts';
import { fsyncDir } from './atomic-file.ts';
import {
  classifyDatabaseFile,
  closeDatabase,
  createDatabase,
  type DatabaseContext,
  openDatabase,
  runTransaction,
} from './database.ts';
import {
  CorruptDatabaseError,
  ProfileExistsError,
  ProfileInUseError,
  ProfileNotFoundError,
} from './errors.ts';
import { type KeychainBackend, osKeychain } from './keychain.ts';
import { acquireLock, type ProfileLock, readLockPid } from './lock.ts';
import { generateMasterKey, protectMasterKey, readKeyFile, unlockMasterKey } from './master-key.ts';
import { type ProfilePaths, profilePaths } from './paths.ts';
import { checkPrivate, ensurePrivateDir } from './permissions.ts';
import { openSealedStore, type ProfileStore } from './sealed-store.ts';
import { createSealer } from './sealing.ts';

export type { Argon2Params } from './argon2.ts';
export type {
  AppendMessageInput,
  KeyProtectionKind,
  ProfileStore,
  StoredConversation,
  StoredMessage,
} from './sealed-store.ts';

export interface OpenProfileOptions {
  readonly dataDir: string;
  readonly profile: string;
  readonly rng: Rng;
  readonly logger?: Logger;
  /** The keychain to use for keychain protection (default: the OS keychain). */
  readonly keychain?: KeychainBackend;
}

export type ProtectionOption =
  | { readonly kind: 'keychain' }
  | { readonly kind: 'passphrase'; readonly passphrase: string; readonly argon2?: Argon2Params };

export type ProfileInspection =
  | { state: 'absent' }
  | { state: 'present'; keyProtection: 'keychain' | 'passphrase' };

/** A profile is present when its key.json exists (KeyFileError if it is unreadable). */
export async function inspectProfile(o: { dataDir: string; profile: string }): Promise<ProfileInspection> {
  const paths = profilePaths(o.dataDir, o.profile);
  if (!existsSync(paths.keyFile)) return { state: 'absent' };
  checkPrivate(paths.dataDir, paths.dir);
  return { state: 'present', keyProtection: readKeyFile(paths.keyFile).protection };
}

function dbContext(paths: ProfilePaths): DatabaseContext {
  // SQLite's own lock refused us although we hold the pid lock: a takeover race; the owner's pid is unknown.
  const busyError = () => {
    const pid = readLockPid(paths.lock);
    return new ProfileInUseError(pid === process.pid ? undefined : pid);
  };
  return { path: paths.db, busyError };
}

const DB_SUFFIXES = ['', '-wal', '-shm', '-journal'];

function removeDatabaseFiles(db: string): void {
  for (const suffix of DB_SUFFIXES) rmSync(db + suffix, { force: true });
}

/**
 * A pvt.db without key.json is what a crash during creation leaves (the key file is written last). Its
 * key was never saved, so nothing in it can be read again; it is moved aside (never deleted) so a new
 * profile can be created. A foreign or corrupt file there is refused by name instead.
 */
function setAsideOrphanDatabase(paths: ProfilePaths, nowMs: number, log: Logger): void {
  if (!existsSync(paths.db)) return;
  classifyDatabaseFile(dbContext(paths)); // throws ForeignDatabaseError / CorruptDatabaseError
  const aside = `${paths.db}.orphan-${nowMs}`;
  for (const suffix of DB_SUFFIXES) {
    if (existsSync(paths.db + suffix)) renameSync(paths.db + suffix, aside + suffix);
  }
  fsyncDir(paths.dir);
  log.warn('store.orphan_database_set_aside');
}

export async function createProfile(
  o: OpenProfileOptions & { identityBlob: Uint8Array; createdAt: number; protection: ProtectionOption },
): Promise<ProfileStore> {
  if (!(o.identityBlob instanceof Uint8Array)) throw new TypeError('"identityBlob" expected Uint8Array');
  const paths = profilePaths(o.dataDir, o.profile);
  const log = (o.logger ?? nullLogger).child('store');
  const keychain = o.keychain ?? osKeychain;
  if (o.protection.kind === 'passphrase' && !o.protection.passphrase) {
    throw new TypeError('"passphrase" expected a non-empty string');
  }
  ensurePrivateDir(paths.dataDir);
  checkPrivate(paths.dataDir, paths.dir); // before creating anything inside
  ensurePrivateDir(paths.profilesDir);
  ensurePrivateDir(paths.dir);
  const lock = acquireLock(paths.lock, o.rng);
  const ctx = dbContext(paths);
  let masterKey: Uint8Array | undefined;
  let db: DatabaseSync | undefined;
  let undoKey: (() => Promise<void>) | undefined;
  let created = false;
  try {
    if (existsSync(paths.keyFile)) throw new ProfileExistsError(paths.dir);
    setAsideOrphanDatabase(paths, Date.now(), log);
    masterKey = generateMasterKey(o.rng);
    // Tune before touching the disk: it takes a moment and may be interrupted.
    const argon2 =
      o.protection.kind === 'passphrase' ? (o.protection.argon2 ?? (await tuneArgon2id())) : undefined;
    db = createDatabase(ctx); // removes what it created if it fails
    created = true;
    const sealer = createSealer(masterKey, o.rng);
    const sealed = sealer.seal('identity', 'blob', '1', o.identityBlob);
    const database = db;
    runTransaction(database, ctx, 'storing the identity', () => {
      database
        .prepare('INSERT INTO identity (id, sealed_blob, created_at) VALUES (1, ?, ?)')
        .run(sealed, o.createdAt);
    });
    // key.json last: until it exists the profile is "absent" and a retry starts over.
    const protection = await protectMasterKey(
      paths.keyFile,
      masterKey,
      o.protection.kind === 'passphrase'
        ? {
            kind: 'passphrase',
            passphrase: o.protection.passphrase,
            argon2: {
              memoryKiB: argon2!.memoryKiB,
              passes: argon2!.passes,
              parallelism: argon2!.parallelism,
            },
          }
        : { kind: 'keychain' },
      o.rng,
      keychain,
    );
    undoKey = protection.undo;
    log.info('store.created', {
      protection: o.protection.kind,
      ...(argon2 ? { argon2MemoryKiB: argon2.memoryKiB, argon2Passes: argon2.passes } : {}),
    });
    return openSealedStore({
      db,
      ctx,
      sealer,
      lock,
      dir: paths.dir,
      keyProtection: o.protection.kind,
      rng: o.rng,
      logger: log,
    });
  } catch (error) {
    if (db) closeDatabase(db);
    if (created) {
      // Everything this call wrote goes again; nothing else in the directory is touched.
      await undoKey?.().catch(() => undefined);
      rmSync(paths.keyFile, { force: true });
      removeDatabaseFiles(paths.db);
    }
    lock.release();
    log.warn('store.create_failed', { code: (error as { code?: string }).code ?? 'unknown' });
    throw error;
  } finally {
    wipe(masterKey);
  }
}

export async function openProfile(o: OpenProfileOptions & { passphrase?: string }): Promise<ProfileStore> {
  const paths = profilePaths(o.dataDir, o.profile);
  const log = (o.logger ?? nullLogger).child('store');
  if (!existsSync(paths.keyFile)) throw new ProfileNotFoundError(paths.dir);
  checkPrivate(paths.dataDir, paths.dir);
  const lock: ProfileLock = acquireLock(paths.lock, o.rng);
  const ctx = dbContext(paths);
  let masterKey: Uint8Array | undefined;
  let db: DatabaseSync | undefined;
  try {
    const keyFile = readKeyFile(paths.keyFile);
    masterKey = await unlockMasterKey(keyFile, {
      passphrase: o.passphrase,
      keychain: o.keychain ?? osKeychain,
    });
    db = openDatabase(ctx);
    const sealer = createSealer(masterKey, o.rng);
    try {
      // The key must open this database's identity: a key.json from another profile is refused here.
      const row = db.prepare('SELECT sealed_blob FROM identity WHERE id = 1').get() as
        | { sealed_blob: Uint8Array }
        | undefined;
      if (!row) throw new CorruptDatabaseError(paths.db, 'it holds no identity');
      wipe(sealer.open('identity', 'blob', '1', row.sealed_blob));
    } catch (error) {
      sealer.destroy();
      throw error;
    }
    const store = openSealedStore({
      db,
      ctx,
      sealer,
      lock,
      dir: paths.dir,
      keyProtection: keyFile.protection,
      rng: o.rng,
      logger: log,
    });
    log.info('store.opened', { protection: keyFile.protection });
    return store;
  } catch (error) {
    // Nothing is logged or written here: a failed open (wrong passphrase…) leaves the profile as it was.
    if (db) closeDatabase(db);
    lock.release();
    throw error;
  } finally {
    wipe(masterKey);
  }
}

/**
 * Shared fixtures for the store tests: private temp data dirs, fast Argon2id parameters, and a profile
 * factory. Tests never touch the user's real data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/log/logger.ts';
import type { Argon2Params } from '../../src/store/argon2.ts';
import type { KeychainBackend } from '../../src/store/keychain.ts';
import { createProfile, type ProfileStore } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';

/** Cheap Argon2id for tests that are not about the KDF's cost. */
export const FAST_ARGON2: Argon2Params = { memoryKiB: 256, passes: 1, parallelism: 1 };
export const PASSPHRASE = 'correct horse battery staple';

export interface TempDir {
  readonly dir: string;
  cleanup(): void;
}

/** A fresh 0700 directory under the system temp dir (mkdtemp creates it 0700). */
export function tempDir(prefix = 'pvt-store-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newProfile(
  dataDir: string,
  o: {
    profile?: string;
    identity?: Uint8Array;
    keychain?: KeychainBackend;
    logger?: Logger;
    passphrase?: string;
  } = {},
): Promise<ProfileStore> {
  return createProfile({
    dataDir,
    profile: o.profile ?? 'default',
    rng: systemRng,
    identityBlob: o.identity ?? new Uint8Array([1, 2, 3, 4]),
    createdAt: 1_700_000_000_000,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.keychain ? { keychain: o.keychain } : {}),
    protection: o.keychain
      ? { kind: 'keychain' }
      : { kind: 'passphrase', passphrase: o.passphrase ?? PASSPHRASE, argon2: FAST_ARGON2 },
  });
}

/**
 * The ProfileLauncher: everything before an identity is unlocked — inspect a profile, probe the
 * keychain, create an identity (generate keys, seal them in a new store) or open an existing one — and
 * the construction of the Pvt façade with its logger and clock, starting its network when asked (a
 * failed start closes the profile again). Must not know about Ink or argv.
 */

import { defaultCryptoBackend } from '../crypto/backend-node.ts';
import type { Logger, LogLevel } from '../log/logger.ts';
import {
  decodeIdentity,
  displayNameProblem,
  encodeIdentity,
  generateIdentity,
  identityFingerprint,
} from '../protocol/identity.ts';
import { createFileLogger } from '../store/file-logger.ts';
import { keychainAvailable } from '../store/keychain.ts';
import { profileDir } from '../store/paths.ts';
import {
  type Argon2Params,
  createProfile,
  inspectProfile,
  openProfile,
  type ProfileStore,
} from '../store/profile-store.ts';
import { assertNotExported } from '../store/profile-transfer.ts';
import { systemRng } from '../store/system-rng.ts';
import type {
  NetworkOptions,
  ProfileInfo,
  ProfileLauncher,
  ProfileState,
  ProtectionChoice,
  PvtApi,
} from './api.ts';
import { MAX_DISPLAY_NAME_CHARS } from './constants.ts';
import { InvalidDisplayNameError } from './errors.ts';
import { Pvt } from './pvt.ts';

export interface LauncherInit {
  readonly dataDir: string;
  readonly profile: string;
  readonly logLevel: LogLevel;
  readonly now?: () => number;
  /** Default for `create`/`open` when they do not say: run the network or not (default: not). */
  readonly network?: NetworkOptions | false;
  /** Argon2id parameters for new passphrase profiles instead of tuning (tests use small ones). */
  readonly argon2?: Argon2Params;
  /** A logger instead of the profile's log file (tests watch events with it). */
  readonly logger?: Logger;
}

export function createLauncher(init: LauncherInit): ProfileLauncher {
  const now = init.now ?? Date.now;
  const dir = profileDir(init.dataDir, init.profile);
  let logger: Logger | undefined;
  const log = (): Logger => {
    logger ??= init.logger ?? createFileLogger({ dir, level: init.logLevel });
    return logger;
  };

  /**
   * Wraps an unlocked store in a Pvt and starts its network when asked. When `keepOffline` is set (a
   * profile that was just created), a network that fails to start (port in use…) leaves the Pvt open
   * and offline instead of failing: the identity exists now, and a retry of `create` could only fail.
   */
  const start = async (
    store: ProfileStore,
    network: NetworkOptions | false | undefined,
    keepOffline = false,
  ): Promise<PvtApi> => {
    const identity = decodeIdentity(store.identityBlob());
    const info: ProfileInfo = {
      displayName: identity.displayName,
      fingerprint: identityFingerprint(identity),
      profile: init.profile,
      dataDir: dir,
      keyProtection: store.keyProtection,
      createdAt: identity.createdAt,
    };
    // The asymmetric-crypto backend is chosen here, once per process, and passed down explicitly.
    const backend = defaultCryptoBackend();
    const pvt = new Pvt({ store, info, identity, rng: systemRng, backend, logger: log(), now });
    const wanted = network ?? init.network ?? false;
    if (wanted !== false) {
      try {
        // A profile frozen by `pvt export` runs no network (no fork of its sessions; issue 14).
        assertNotExported(init.dataDir, init.profile);
        await pvt.startNetwork(wanted);
      } catch (error) {
        if (keepOffline) {
          log().warn('network.start-failed', {
            code: String((error as { code?: unknown }).code ?? 'unknown'),
          });
          return pvt;
        }
        await pvt.close();
        throw error;
      }
    }
    return pvt;
  };

  return {
    profile: init.profile,
    dataDir: dir,

    async inspect(): Promise<ProfileState> {
      return inspectProfile({ dataDir: init.dataDir, profile: init.profile });
    },

    keychainAvailable(): Promise<boolean> {
      return keychainAvailable();
    },

    async create(options: {
      displayName: string;
      protection: ProtectionChoice;
      network?: NetworkOptions | false;
    }): Promise<PvtApi> {
      const displayName = options.displayName.trim();
      if (displayName.length === 0) throw new InvalidDisplayNameError('it is empty');
      if ([...displayName].length > MAX_DISPLAY_NAME_CHARS) {
        throw new InvalidDisplayNameError(`longer than ${MAX_DISPLAY_NAME_CHARS} characters`);
      }
      const problem = displayNameProblem(displayName);
      if (problem) throw new InvalidDisplayNameError(problem);
      const createdAt = now();
      const identity = generateIdentity({ displayName, nowMs: createdAt, rng: systemRng });
      const store = await createProfile({
        dataDir: init.dataDir,
        profile: init.profile,
        rng: systemRng,
        logger: log(),
        identityBlob: encodeIdentity(identity),
        createdAt,
        protection:
          options.protection.kind === 'passphrase' && init.argon2
            ? { ...options.protection, argon2: init.argon2 }
            : options.protection,
      });
      log().info('profile.created', { protection: options.protection.kind });
      return start(store, options.network, true);
    },

    async open(options: { passphrase?: string; network?: NetworkOptions | false }): Promise<PvtApi> {
      const store = await openProfile({
        dataDir: init.dataDir,
        profile: init.profile,
        rng: systemRng,
        logger: log(),
        ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      });
      log().info('profile.opened', { protection: store.keyProtection });
      return start(store, options.network);
    },
  };
}

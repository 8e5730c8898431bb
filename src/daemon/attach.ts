/**
 * A ProfileLauncher for a TUI attached to a running daemon: the profile is already unlocked there, so
 * `inspect()` reports it present and ready (no unlock prompt) and `open()` hands over the daemon
 * client. Everything else defers to the real launcher. Knows nothing about Ink.
 */
import type { ProfileLauncher, ProfileState, PvtApi } from '../app/api.ts';
import { AppError } from '../app/errors.ts';

export function attachedLauncher(base: ProfileLauncher, api: PvtApi): ProfileLauncher {
  return {
    profile: base.profile,
    dataDir: base.dataDir,
    async inspect(): Promise<ProfileState> {
      // ProfileState has no "already unlocked" state yet: 'keychain' is the one that opens without a
      // prompt. The real key protection is in api.profile().
      return { state: 'present', keyProtection: 'keychain' };
    },
    keychainAvailable: () => base.keychainAvailable(),
    async create(): Promise<PvtApi> {
      throw new AppError(
        'ProfileExists',
        `profile "${base.profile}" already has an identity (${base.dataDir})`,
      );
    },
    async open(): Promise<PvtApi> {
      return api;
    },
  };
}

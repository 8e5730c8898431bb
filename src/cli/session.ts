/**
 * Opens the profile for a non-TUI command: through the profile's running daemon when one answers,
 * else in-process — builds the launcher from the global flags, refuses when no identity exists yet,
 * and unlocks with the keychain or a passphrase (file or prompt).
 */

import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkOptions, ProfileLauncher, PvtApi } from '../app/api.ts';
import { AppError } from '../app/errors.ts';
import { createLauncher } from '../app/launcher.ts';
import { connectDaemon } from '../daemon/client.ts';
import { SOCKET_FILE } from '../daemon/constants.ts';
import { parseStunServers } from '../net/nat/stun.ts';
import { DB_FILE } from '../store/constants.ts';
import { type CommandContext, UsageError } from './command.ts';
import { passphraseForUnlock } from './passphrase.ts';

export function launcherFor(ctx: CommandContext): ProfileLauncher {
  return createLauncher({ dataDir: ctx.dataDir, profile: ctx.profile, logLevel: ctx.logLevel });
}

/** The profile's daemon when one runs (the UI and commands can't tell the difference), else in-process. */
export async function openPvt(ctx: CommandContext, options: OpenOptions = {}): Promise<PvtApi> {
  return (await connectDaemon({ profileDir: launcherFor(ctx).dataDir })) ?? openInProcess(ctx, options);
}

export interface OpenOptions {
  /** Start the libp2p node for this command's lifetime (when no daemon runs). */
  readonly network?: boolean;
  /** Serve a mailbox for others during this run (`pvt daemon --mailbox`). */
  readonly mailbox?: boolean;
  /** Relay onion circuits (pvt daemon --relay). */
  readonly relay?: boolean;
}

function networkFor(ctx: CommandContext, options: OpenOptions): NetworkOptions | false {
  if (!options.network) return false;
  const net = networkOptions(ctx, true);
  return { ...net, ...(options.relay ? { relay: true } : {}), ...(options.mailbox ? { mailbox: true } : {}) };
}

/**
 * The node options from the global flags. `ask` (the TUI) waits for the user's answer about port mapping
 * when the profile has none; other commands map unless --no-port-mapping or the profile says no.
 * PVT_NAT_METHOD=pcp|natpmp|upnp restricts the methods (lab tests); PVT_STUN_SERVERS (comma-separated
 * host:port) adds STUN to the node's diagnosis.
 */
export function networkOptions(ctx: CommandContext, mapping: true | 'ask'): NetworkOptions {
  const forced = process.env.PVT_NAT_METHOD;
  const stun = process.env.PVT_STUN_SERVERS;
  if (stun) {
    try {
      parseStunServers([stun]);
    } catch (error) {
      throw new UsageError(`PVT_STUN_SERVERS: ${(error as Error).message}`);
    }
  }
  return {
    port: ctx.network.port,
    mdns: ctx.network.mdns,
    loopbackOnly: ctx.network.loopbackOnly,
    portMapping: ctx.network.portMapping ? mapping : false,
    ...(forced ? { natMethods: [forced] } : {}),
    ...(stun ? { stunServers: [stun] } : {}),
  };
}

/** The first of `dirs` that exists but cannot be read and searched by this user, if any. */
function unreadable(dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    try {
      accessSync(dir, constants.R_OK | constants.X_OK);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EACCES' || code === 'EPERM') return dir;
    }
  }
  return undefined;
}

/** Unlocks the profile in this process (takes the profile lock). */
export async function openInProcess(ctx: CommandContext, options: OpenOptions = {}): Promise<PvtApi> {
  const launcher = launcherFor(ctx);
  const state = await launcher.inspect();
  if (state.state === 'absent') {
    const denied = unreadable([ctx.dataDir, launcher.dataDir]);
    if (denied !== undefined) {
      throw new AppError(
        'PermissionDenied',
        `cannot read ${denied}: permission denied (it belongs to another user, or its mode shuts you out); the profile there, if any, was not touched`,
      );
    }
    if (existsSync(join(launcher.dataDir, DB_FILE))) {
      throw new AppError(
        'ProfileNotFound',
        `the key file key.json is missing from profile "${ctx.profile}" (${launcher.dataDir}); its database ${DB_FILE} is there and kept, but cannot be read without it: restore key.json from a backup (pvt init would start a new identity and set the old database aside, not delete it)`,
      );
    }
    throw new AppError(
      'ProfileNotFound',
      `no identity in profile "${ctx.profile}" (${launcher.dataDir}): run "pvt init --name NAME" or "pvt chat" first`,
    );
  }
  const network = networkFor(ctx, options);
  try {
    if (state.keyProtection === 'keychain') return await launcher.open({ network });
    return await launcher.open({ passphrase: await passphraseForUnlock(ctx), network });
  } catch (error) {
    // The daemon holds the profile but did not answer on its socket (flooded with connections, full,
    // or stuck): say that, not just "profile in use".
    if (
      (error as { code?: unknown }).code === 'ProfileInUse' &&
      existsSync(join(launcher.dataDir, SOCKET_FILE))
    ) {
      throw new AppError(
        'DaemonNotAnswering',
        `the daemon of profile "${ctx.profile}" runs (${(error as Error).message}) but did not answer on its socket: it may be serving too many clients or be flooded with connections; try again, or restart it (pvt stop, then pvt daemon)`,
      );
    }
    throw error;
  }
}

/** Runs `body` with an open PvtApi and always closes it. */
export async function withPvt<T>(
  ctx: CommandContext,
  body: (api: PvtApi) => Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const api = await openPvt(ctx, options);
  try {
    return await body(api);
  } finally {
    await api.close();
  }
}

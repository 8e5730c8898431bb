/**
 * `pvt daemon [--detach]`: unlocks the profile (keychain or passphrase file; a terminal prompt only in
 * the foreground) with its network running (global --port, --no-mdns, --loopback), holds its lock and
 * serves the PvtApi on the profile's Unix socket until SIGINT, SIGTERM, SIGHUP or `pvt stop`.
 * `--detach` starts the same command in the background and returns once it serves. The daemon logs to
 * the profile's log file; it prints one line to stderr when ready.
 */
import { join, resolve } from 'node:path';
import { AppError } from '../../app/errors.ts';
import { openDaemonConnection } from '../../daemon/client.ts';
import { isDetachedChild, notifyFailed, notifyReady, spawnDetachedDaemon } from '../../daemon/detach.ts';
import { DaemonAlreadyRunningError } from '../../daemon/errors.ts';
import { checkSocketPath, daemonPaths } from '../../daemon/files.ts';
import { runDaemon } from '../../daemon/run.ts';
import { createFileLogger } from '../../store/file-logger.ts';
import { systemRng } from '../../store/system-rng.ts';
import { type CommandContext, type CommandSpec, UsageError } from '../command.ts';
import { selfInvocation } from '../self.ts';
import { launcherFor, openInProcess } from '../session.ts';

async function serve(ctx: CommandContext, child: boolean, relay: boolean, mailbox: boolean): Promise<number> {
  const launcher = launcherFor(ctx);
  const api = await openInProcess(ctx, {
    network: true,
    ...(relay ? { relay: true } : {}),
    ...(mailbox ? { mailbox: true } : {}),
  });
  await runDaemon({
    api,
    profile: ctx.profile,
    profileDir: launcher.dataDir,
    version: ctx.version,
    logger: createFileLogger({ dir: launcher.dataDir, level: ctx.logLevel }).child('daemon'),
    rng: systemRng,
    async onReady(server) {
      ctx.stderr.write(`pvt daemon: serving ${ctx.profile} on ${server.paths.socket}\n`);
      if (child) await notifyReady(server.paths.socket);
    },
  });
  return 0;
}

async function detach(ctx: CommandContext, relay: boolean, mailbox: boolean): Promise<number> {
  const launcher = launcherFor(ctx);
  const state = await launcher.inspect();
  if (state.state === 'present' && state.keyProtection === 'passphrase' && !ctx.passphraseFile) {
    throw new AppError(
      'PassphraseUnavailable',
      'this profile is protected by a passphrase and a detached daemon cannot ask for it: pass --passphrase-file FILE (or PVT_PASSPHRASE_FILE), or run pvt daemon in the foreground',
    );
  }
  const self = selfInvocation();
  const args = [
    ...self.args,
    'daemon',
    '--home',
    ctx.dataDir,
    '--profile',
    ctx.profile,
    '--log-level',
    ctx.logLevel,
    '--port',
    String(ctx.network.port),
    ctx.network.mdns ? '--mdns' : '--no-mdns',
    ...(ctx.network.loopbackOnly ? ['--loopback'] : []),
    ...(ctx.network.portMapping ? [] : ['--no-port-mapping']),
    ...(relay ? ['--relay'] : []),
    ...(mailbox ? ['--mailbox'] : []),
    ...(ctx.passphraseFile ? ['--passphrase-file', resolve(ctx.passphraseFile)] : []),
  ];
  const ready = await spawnDetachedDaemon({
    command: self.command,
    args,
    env: process.env,
    profileDir: launcher.dataDir,
    logFile: join(launcher.dataDir, 'logs', 'pvt.log'),
  });
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify({ profile: ctx.profile, pid: ready.pid, socket: ready.socket })}\n`);
  } else {
    ctx.stderr.write(
      `pvt daemon: serving ${ctx.profile} on ${ready.socket} (pid ${ready.pid}, in the background)\n`,
    );
  }
  return 0;
}

export const daemonCommand: CommandSpec = {
  name: 'daemon',
  summary: 'run this profile headless; pvt chat and other commands attach to it',
  usage: ['pvt daemon [--detach] [--relay] [--mailbox] [--passphrase-file FILE]'],
  details: [
    'Serves the profile on a Unix socket (pvt.sock, 0600, in the profile directory) to clients that',
    'present the cookie in daemon.cookie. Stops on Ctrl+C, SIGTERM, SIGHUP or "pvt stop". A profile',
    'protected by a passphrase needs --passphrase-file (or PVT_PASSPHRASE_FILE) when detached.',
    'With --relay it also relays onion circuits for other pvt users while it is reachable from outside',
    '(for this run; "pvt relay on" remembers it). --mailbox also keeps envelopes for others while it runs',
    '(pvt mailbox serve on remembers it). Logs go to <profile>/logs/pvt.log. Details: docs/daemon.md.',
  ].join('\n'),
  flags: {
    detach: { type: 'boolean', default: false },
    relay: { type: 'boolean', default: false },
    mailbox: { type: 'boolean', default: false },
  },
  flagHelp: [
    ['--detach', 'start in the background and return once it serves'],
    ['--relay', 'relay onion circuits for others while reachable (with --loopback: on 127.0.0.1, for tests)'],
    ['--mailbox', 'serve a mailbox for others during this run'],
  ],
  async run(ctx, input, flags) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    const child = isDetachedChild();
    try {
      if (process.platform === 'win32') {
        throw new AppError('DaemonUnsupported', 'pvt daemon needs Unix domain sockets (Linux, macOS, BSD)');
      }
      const profileDir = launcherFor(ctx).dataDir;
      checkSocketPath(daemonPaths(profileDir).socket);
      const running = await openDaemonConnection({ profileDir });
      if (running) {
        running.close();
        throw new DaemonAlreadyRunningError(ctx.profile, running.pid);
      }
      const relay = flags.relay === true;
      const mailbox = flags.mailbox === true;
      if (flags.detach === true && !child) return await detach(ctx, relay, mailbox);
      return await serve(ctx, child, relay, mailbox);
    } catch (error) {
      if (child) await notifyFailed(error);
      throw error;
    }
  },
};

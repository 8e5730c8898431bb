/**
 * `pvt service install|uninstall|status`: keeps `pvt daemon` running for this profile as a systemd user
 * service (Linux: ~/.config/systemd/user/pvt-<profile>.service) or a launchd agent (macOS:
 * ~/Library/LaunchAgents/dev.pvt.daemon.<profile>.plist). A passphrase-protected profile needs
 * --passphrase-file naming a file only its owner can read (0600); a keychain-protected one needs none.
 * `status` says whether the definition is installed, what the service manager reports, and whether the
 * daemon answers on its socket. Knows the unit texts (../service/units.ts), not how the daemon works.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../../app/errors.ts';
import { openDaemonConnection } from '../../daemon/client.ts';
import { type CommandContext, type CommandSpec, UsageError } from '../command.ts';
import { selfInvocation } from '../self.ts';
import { launchdLabel, launchdPlist, type ServiceSpec, serviceName, systemdUnit } from '../service/units.ts';
import { launcherFor } from '../session.ts';

const ACTIONS = ['install', 'uninstall', 'status'] as const;

interface Target {
  readonly kind: 'systemd' | 'launchd';
  readonly file: string;
  readonly name: string;
}

function target(profile: string): Target {
  if (process.platform === 'darwin') {
    const label = launchdLabel(profile);
    return {
      kind: 'launchd',
      name: label,
      file: join(homedir(), 'Library', 'LaunchAgents', `${label}.plist`),
    };
  }
  if (process.platform !== 'linux') {
    throw new AppError('ServiceUnsupported', 'pvt service knows systemd (Linux) and launchd (macOS) only');
  }
  const config = process.env.XDG_CONFIG_HOME?.startsWith('/')
    ? process.env.XDG_CONFIG_HOME
    : join(homedir(), '.config');
  const name = `${serviceName(profile)}.service`;
  return { kind: 'systemd', name, file: join(config, 'systemd', 'user', name) };
}

/** Runs the service manager; undefined when it is not there or not reachable (no user session). */
function manager(args: readonly string[]): { ok: boolean; out: string } | undefined {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return undefined;
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

function systemdReachable(): boolean {
  return manager(['systemctl', '--user', 'show-environment'])?.ok === true;
}

function checkPassphraseFile(path: string): string {
  const file = resolve(path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch (error) {
    throw new AppError(
      'PassphraseFileUnreadable',
      `cannot read passphrase file ${file}: ${(error as Error).message}`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    throw new AppError(
      'PermissionsTooOpen',
      `${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); fix it with: chmod 600 '${file}'`,
    );
  }
  return file;
}

async function install(ctx: CommandContext, t: Target): Promise<number> {
  const launcher = launcherFor(ctx);
  const state = await launcher.inspect();
  if (state.state === 'absent') {
    throw new AppError(
      'ProfileNotFound',
      `no identity in profile "${ctx.profile}" (${launcher.dataDir}): run "pvt init" first`,
    );
  }
  let passphraseFile: string | undefined;
  if (state.keyProtection === 'passphrase') {
    if (!ctx.passphraseFile) {
      throw new AppError(
        'PassphraseUnavailable',
        'this profile is protected by a passphrase: name a file only you can read that holds it, with --passphrase-file FILE (chmod 600)',
      );
    }
    passphraseFile = checkPassphraseFile(ctx.passphraseFile);
  }
  const self = selfInvocation();
  const spec: ServiceSpec = {
    argv: [self.command, ...self.args],
    profile: ctx.profile,
    dataDir: resolve(ctx.dataDir),
    passphraseFile,
  };
  const text =
    t.kind === 'systemd'
      ? systemdUnit(spec)
      : launchdPlist(spec, join(launcher.dataDir, 'logs', 'daemon.err'));
  mkdirSync(dirname(t.file), { recursive: true });
  writeFileSync(t.file, text, { mode: 0o644 });
  let started = false;
  let hint = '';
  if (t.kind === 'systemd') {
    if (systemdReachable()) {
      manager(['systemctl', '--user', 'daemon-reload']);
      const r = manager(['systemctl', '--user', 'enable', '--now', t.name]);
      started = r?.ok === true;
      if (!started) hint = r?.out ?? '';
    } else {
      hint = `no systemd user manager answers here; in a login session run: systemctl --user enable --now ${t.name} (and "loginctl enable-linger" to keep it running after logout)`;
    }
  } else {
    const uid = process.getuid?.() ?? 0;
    const r = manager(['launchctl', 'bootstrap', `gui/${uid}`, t.file]);
    started = r?.ok === true;
    if (!started) hint = r?.out ?? 'launchctl is not available';
  }
  if (ctx.json) ctx.stdout.write(`${JSON.stringify({ installed: t.file, name: t.name, started })}\n`);
  else {
    ctx.stdout.write(`wrote ${t.file}\n`);
    ctx.stdout.write(started ? `started ${t.name}; it starts again at login\n` : `not started: ${hint}\n`);
  }
  return 0;
}

function uninstall(ctx: CommandContext, t: Target): number {
  if (!existsSync(t.file)) {
    ctx.stdout.write(
      ctx.json ? `${JSON.stringify({ removed: false })}\n` : `no service installed (${t.file})\n`,
    );
    return 0;
  }
  if (t.kind === 'systemd') {
    if (systemdReachable()) manager(['systemctl', '--user', 'disable', '--now', t.name]);
  } else {
    manager(['launchctl', 'bootout', `gui/${process.getuid?.() ?? 0}/${t.name}`]);
  }
  rmSync(t.file, { force: true });
  if (t.kind === 'systemd' && systemdReachable()) manager(['systemctl', '--user', 'daemon-reload']);
  ctx.stdout.write(ctx.json ? `${JSON.stringify({ removed: true, file: t.file })}\n` : `removed ${t.file}\n`);
  return 0;
}

async function status(ctx: CommandContext, t: Target): Promise<number> {
  const installed = existsSync(t.file);
  let managerState = 'unknown';
  if (t.kind === 'systemd' && systemdReachable()) {
    managerState = manager(['systemctl', '--user', 'is-active', t.name])?.out || 'unknown';
  } else if (t.kind === 'launchd') {
    const r = manager(['launchctl', 'print', `gui/${process.getuid?.() ?? 0}/${t.name}`]);
    managerState = r === undefined ? 'unknown' : r.ok ? 'loaded' : 'not loaded';
  }
  const conn = await openDaemonConnection({ profileDir: launcherFor(ctx).dataDir }).catch(() => undefined);
  const daemon = conn ? { running: true, pid: conn.pid } : { running: false };
  conn?.close();
  if (ctx.json) {
    ctx.stdout.write(
      `${JSON.stringify({ name: t.name, file: t.file, installed, manager: managerState, daemon })}\n`,
    );
  } else {
    ctx.stdout.write(`service: ${installed ? `installed (${t.file})` : 'not installed'}\n`);
    ctx.stdout.write(`${t.kind}: ${managerState}\n`);
    ctx.stdout.write(
      `daemon:  ${daemon.running ? `running, pid ${(daemon as { pid: number }).pid}` : 'not running'}\n`,
    );
  }
  return 0;
}

export const serviceCommand: CommandSpec = {
  name: 'service',
  summary: 'run the daemon as a login service (systemd user unit, launchd agent)',
  usage: [
    'pvt service install [--passphrase-file FILE]',
    'pvt service uninstall',
    'pvt service status [--json]',
  ],
  details: [
    'install writes a systemd user unit (Linux) or a launchd agent (macOS) that runs "pvt daemon" for this',
    'profile and starts it. A passphrase-protected profile needs --passphrase-file FILE (mode 0600); with',
    'the OS keychain none is needed. status says whether it is installed, what systemd/launchd report and',
    'whether the daemon answers. After upgrading Node or moving pvt, run install again.',
  ].join('\n'),
  flags: {},
  flagHelp: [],
  complete: [ACTIONS],
  async run(ctx, input) {
    const action = input[0];
    if (input.length !== 1 || !ACTIONS.includes(action as (typeof ACTIONS)[number])) {
      throw new UsageError(`say what to do: ${ACTIONS.join(', ')}`);
    }
    const t = target(ctx.profile);
    if (action === 'install') return install(ctx, t);
    if (action === 'uninstall') return uninstall(ctx, t);
    return status(ctx, t);
  },
};

/**
 * `pvt status [--json]`: the profile (name, fingerprint), whether its daemon runs (pid, uptime, socket,
 * clients) and the network (PeerId and addresses when online). The report is a set of sections; a layer
 * adds its own, or fields to its own, without changing the others.
 */
import type {
  ContactView,
  KeyProtection,
  NetworkStatus,
  PendingJoinView,
  ProfileInfo,
} from '../../app/api.ts';
import { natSummary } from '../../app/nat-summary.ts';
import { apiOverConnection, openDaemonConnection } from '../../daemon/client.ts';
import { daemonPaths } from '../../daemon/files.ts';
import { CONTROL_METHODS, type DaemonStatus } from '../../daemon/methods.ts';
import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { launcherFor, openInProcess } from '../session.ts';
import { describePendingJoin } from '../util/pending-joins.ts';

export interface StatusReport {
  readonly profile: {
    readonly name: string;
    readonly dataDir: string;
    readonly displayName: string;
    readonly fingerprint: string;
    readonly keyProtection: KeyProtection;
  };
  readonly daemon:
    | { readonly running: false; readonly socket: string }
    | ({ readonly running: true } & Omit<DaemonStatus, 'profile'>);
  readonly network: NetworkStatus & { readonly summary: string };
  readonly contacts: { readonly total: number; readonly online: number; readonly verified: number };
  /** Offline joins in progress (docs/protocol/mailbox.md, "Offline join"). */
  readonly pendingJoins: readonly PendingJoinView[];
}

function contactCounts(list: readonly ContactView[]): StatusReport['contacts'] {
  return {
    total: list.length,
    online: list.filter((c) => c.path !== 'offline').length,
    verified: list.filter((c) => c.verification === 'verified').length,
  };
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

function networkSummary(n: NetworkStatus, daemonRunning: boolean): string {
  if (n.online) return `online as ${n.peerId ?? '?'}, listening on ${n.addresses.length} address(es):`;
  return daemonRunning ? 'offline' : 'not started (no daemon runs)';
}

function render(r: StatusReport): string {
  const d = r.daemon;
  const daemon = d.running
    ? `running, pid ${d.pid}, up ${duration(d.uptimeMs)}, ${d.clients} other client${d.clients === 1 ? '' : 's'}, socket ${d.socket}`
    : 'not running (start it with: pvt daemon)';
  return [
    `profile:     ${r.profile.name} (${r.profile.dataDir})`,
    `name:        ${sanitizeLine(r.profile.displayName)}`,
    `fingerprint: ${r.profile.fingerprint}`,
    `daemon:      ${daemon}`,
    `network:     ${r.network.summary}`,
    ...r.network.addresses.map((a) => `             ${a}`),
    ...(r.network.online ? [`nat:         ${natSummary(r.network.nat, Date.now())}`] : []),
    ...(r.network.online && r.network.nat.observed.length > 0
      ? [`observed:    ${r.network.nat.observed.join(', ')} (the address peers outside see)`]
      : []),
    `contacts:    ${r.contacts.total} (${r.contacts.verified} verified, ${r.contacts.online} connected now)`,
    ...r.pendingJoins.map((p) => `joining:     ${describePendingJoin(p)}`),
    '',
  ].join('\n');
}

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'show the profile, its daemon and the network',
  usage: ['pvt status [--json]'],
  details: 'Without a running daemon the profile is unlocked in-process to read the fingerprint.',
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    const profileDir = launcherFor(ctx).dataDir;
    let info: ProfileInfo;
    let network: NetworkStatus;
    let daemon: StatusReport['daemon'];
    let contacts: ContactView[];
    let pendingJoins: PendingJoinView[];
    const conn = await openDaemonConnection({ profileDir });
    if (conn) {
      try {
        const api = apiOverConnection(conn);
        const [profile, net, status, list, pending] = await Promise.all([
          api.profile(),
          api.network(),
          conn.call(CONTROL_METHODS.status) as Promise<DaemonStatus>,
          api.contacts(),
          api.pendingJoins(),
        ]);
        contacts = list;
        pendingJoins = pending;
        info = profile;
        network = net;
        const { profile: _name, ...rest } = status;
        daemon = { running: true, ...rest };
      } finally {
        conn.close();
      }
    } else {
      const api = await openInProcess(ctx);
      try {
        info = await api.profile();
        network = await api.network();
        contacts = await api.contacts();
        pendingJoins = await api.pendingJoins();
      } finally {
        await api.close();
      }
      daemon = { running: false, socket: daemonPaths(profileDir).socket };
    }
    const report: StatusReport = {
      profile: {
        name: info.profile,
        dataDir: info.dataDir,
        displayName: info.displayName,
        fingerprint: info.fingerprint,
        keyProtection: info.keyProtection,
      },
      daemon,
      network: { ...network, summary: networkSummary(network, daemon.running) },
      contacts: contactCounts(contacts),
      pendingJoins,
    };
    ctx.stdout.write(ctx.json ? `${JSON.stringify(report)}\n` : render(report));
    return 0;
  },
};

/**
 * `pvt nat [--json] [--port N]`: diagnoses NAT traversal once for the profile's TCP port — default
 * gateway, local addresses, each port-mapping method tried (PCP, NAT-PMP, UPnP) with its result and
 * time, the mapping obtained and the verdict — then deletes the mapping it made before exiting. The
 * port is --port, else the running daemon's, else the profile's remembered one (chosen and remembered when
 * there is none); when that daemon maps its port itself, its own diagnosis
 * is reported instead (a second mapping would replace the daemon's and then delete it).
 * `--stun HOST:PORT` (repeatable or comma-separated; env PVT_STUN_SERVERS) also asks those STUN
 * servers, from one UDP socket, which address:port they see: the NAT's mapping behaviour, `symmetric
 * NAT`, CGNAT behind a CPE that reports a public-looking address. No STUN server is contacted unless
 * given. `pvt nat --allow|--forbid` records the profile's answer about port mapping (as the TUI's
 * question and `/nat on|off` do) and applies it to a running daemon. A hidden `--nat-method
 * pcp|natpmp|upnp` (or env PVT_NAT_METHOD) forces one method, and PVT_NAT_HOLD_MS keeps the mapping
 * that long before deleting it (lab tests).
 */
import { apiOverConnection, openDaemonConnection } from '../../daemon/client.ts';
import { nullLogger } from '../../log/logger.ts';
import type { NatMethod } from '../../net/nat/clients.ts';
import {
  deleteMapping,
  diagnoseNat,
  NAT_METHODS,
  type NatDiagnosis,
  verdictWith,
} from '../../net/nat/service.ts';
import { parseStunServers, type StunObservation, type StunServer, stunObserve } from '../../net/nat/stun.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { launcherFor, openInProcess, withPvt } from '../session.ts';

export interface NatReport extends NatDiagnosis {
  readonly portMapping: boolean;
  /** Whether the mapping made for the diagnosis was deleted again (null: none made, or the daemon's). */
  readonly deleted: boolean | null;
  /** 'daemon': the running daemon's own diagnosis and mapping (left in place); 'probe': made here. */
  readonly source: 'daemon' | 'probe';
  /** Daemon only: someone outside has connected to it directly since the verdict. */
  readonly confirmed?: boolean;
  /** Daemon only: public IPv4 addresses peers outside the LAN see it at (identify), newest last. */
  readonly observed?: readonly string[];
}

/** How long `pvt nat` waits for a daemon that is still checking. */
const DAEMON_VERDICT_WAIT_MS = 15_000;

/**
 * The running daemon's port and, when it maps ports itself, its diagnosis (waiting while it is still
 * checking): a second mapping of the same port from here would replace the daemon's (PCP) and then
 * delete it.
 */
async function fromDaemon(ctx: Parameters<CommandSpec['run']>[0]): Promise<
  | {
      port: number | undefined;
      diagnosis: NatDiagnosis | null;
      confirmed: boolean;
      observed: string[];
      /** The daemon's verdict now: newer than its diagnosis when peers showed a double NAT. */
      state: string;
    }
  | undefined
> {
  const conn = await openDaemonConnection({ profileDir: launcherFor(ctx).dataDir });
  if (!conn) return undefined;
  try {
    const api = apiOverConnection(conn);
    let net = await api.network();
    const tcp = net.addresses.map((a) => /\/tcp\/(\d+)/.exec(a)?.[1]).find((p) => p !== undefined);
    const port = tcp === undefined ? undefined : Number(tcp);
    if (ctx.network.port > 0 && ctx.network.port !== port) {
      return { port, diagnosis: null, confirmed: false, observed: [], state: net.nat.state };
    }
    const deadline = Date.now() + DAEMON_VERDICT_WAIT_MS;
    while (net.nat.state === 'checking' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      net = await api.network();
    }
    const diagnosis = net.nat.state === 'off' || net.nat.state === 'ask' ? null : net.nat.diagnosis;
    return {
      port,
      diagnosis,
      confirmed: net.nat.confirmed === true,
      observed: [...(net.nat.observed ?? [])],
      state: net.nat.state,
    };
  } finally {
    conn.close();
  }
}

/**
 * The profile's own port when no daemon runs: the node starts in this process for a moment (no port
 * mapping, no mDNS) on the remembered port, or on a new one that is then remembered, as `pvt daemon`
 * would. Undefined when there is no profile.
 */
async function profilePort(ctx: Parameters<CommandSpec['run']>[0]): Promise<number | undefined> {
  if ((await launcherFor(ctx).inspect()).state === 'absent') return undefined;
  const quiet = { ...ctx, network: { ...ctx.network, portMapping: false, mdns: false } };
  const api = await openInProcess(quiet, { network: true });
  try {
    const net = await api.network();
    const tcp = net.addresses.map((a) => /\/tcp\/(\d+)/.exec(a)?.[1]).find((p) => p !== undefined);
    return tcp === undefined ? undefined : Number(tcp);
  } finally {
    await api.close();
  }
}

function render(r: NatReport): string {
  const lines = [
    `port:      TCP ${r.port}`,
    `gateway:   ${r.gateway ?? (r.verdict === 'public' && r.attempts.length === 0 ? '(not looked up: a public address)' : '(none found)')}`,
    // `interfaces` may be missing in a diagnosis from an older daemon.
    ...((r.interfaces ?? []).length > 0
      ? r.interfaces.map(
          (i, n) => `${n === 0 ? 'local:    ' : '          '} ${i.name} ${i.addresses.join(', ')}`,
        )
      : [`local:     ${r.localAddresses.join(', ') || '(none)'}`]),
  ];
  if (!r.portMapping) lines.push('methods:   port mapping disabled (--no-port-mapping)');
  for (const a of r.attempts) {
    lines.push(`${a.method.padEnd(10)} ${a.ok ? 'ok' : `failed: ${a.error}`} (${a.ms} ms)`);
  }
  if (r.mapping) {
    const m = r.mapping;
    lines.push(
      `mapping:   ${m.externalAddress}:${m.externalPort} -> ${m.internalAddress}:${m.internalPort} via ${m.method}, ${m.lifetimeS} s${r.deleted ? ' (deleted again)' : ''}`,
    );
  }
  // `stun` may be missing in a diagnosis from an older daemon.
  const stun: StunObservation | null | undefined = r.stun;
  if (stun) {
    for (const s of stun.results) {
      lines.push(
        `stun:      ${s.server} ${s.ok ? `-> ${s.mappedAddress}:${s.mappedPort}` : `failed: ${s.error}`} (${s.ms} ms)`,
      );
    }
    lines.push(
      `stun:      mapping ${stun.classification}${stun.address ? `, public address ${stun.address}` : ''} (local UDP port ${stun.localPorts.join(', ') || '-'}, ${stun.ms} ms)`,
    );
  }
  if (r.source === 'daemon') {
    lines.push('source:    the running daemon (its mapping stays)');
    lines.push(
      `reachable: ${r.confirmed ? 'confirmed (a connection came in from outside)' : 'not confirmed yet (no connection from outside so far)'}`,
      `observed:  ${r.observed?.length ? r.observed.join(', ') : '(no peer outside the LAN has said yet)'}`,
    );
  }
  const untried =
    !r.portMapping && r.verdict === 'unreachable' ? ' as far as known: no method was tried' : '';
  lines.push(`verdict:   ${r.verdict}${untried} (${r.ms} ms)`, '');
  return lines.join('\n');
}

/** --stun values (repeatable, comma-separated), else PVT_STUN_SERVERS; UsageError on garbage. */
function stunServersFrom(flag: unknown): StunServer[] {
  const given = Array.isArray(flag) ? flag.filter((v): v is string => typeof v === 'string') : [];
  const texts = given.length > 0 ? given : [process.env.PVT_STUN_SERVERS ?? ''];
  try {
    return parseStunServers(texts);
  } catch (e) {
    throw new UsageError(`--stun: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const natCommand: CommandSpec = {
  name: 'nat',
  summary: 'diagnose NAT traversal and port mapping for the node’s port',
  usage: ['pvt nat [--json] [--port N] [--stun HOST:PORT]...', 'pvt nat --allow|--forbid'],
  details:
    'Tries PCP, NAT-PMP and UPnP on the default gateway for the TCP port (--port, else the running daemon’s, else the profile’s remembered one: chosen and remembered when there is none), ' +
    'prints each result, the mapping and the verdict (public, mapped, behind CGNAT, double NAT, symmetric NAT, ' +
    'unreachable), and deletes the mapping it made before exiting. When the profile’s daemon runs and maps its ' +
    'port itself, its diagnosis and mapping are shown instead (and left in place). With --stun (or ' +
    'PVT_STUN_SERVERS) it also sends one STUN Binding request (retransmitted) from one UDP socket to each ' +
    'server given and reports the address:port each saw: the same from two servers = endpoint-independent ' +
    'mapping, different = symmetric NAT; a gateway address other than the one STUN saw = CGNAT or double NAT. ' +
    'No STUN server is contacted unless one is given.',
  flags: {
    natMethod: { type: 'string' },
    stun: { type: 'string', isMultiple: true },
    allow: { type: 'boolean', default: false },
    forbid: { type: 'boolean', default: false },
  },
  flagHelp: [
    [
      '--stun HOST[:PORT]',
      'also ask this STUN server (default port 3478; repeatable or comma-separated; env PVT_STUN_SERVERS)',
    ],
    ['--allow', 'allow port mapping for this profile (remembered; a running daemon starts mapping)'],
    ['--forbid', 'forbid port mapping for this profile (remembered; a running daemon gives its port back)'],
  ],
  async run(ctx, input, flags) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    if (flags.allow === true || flags.forbid === true) {
      if (flags.allow === true && flags.forbid === true)
        throw new UsageError('--allow or --forbid, not both');
      const allow = flags.allow === true;
      const net = await withPvt(ctx, (api) => api.setPortMapping(allow));
      if (ctx.json) ctx.stdout.write(`${JSON.stringify({ portMapping: allow, nat: net.nat })}\n`);
      else
        ctx.stdout.write(`port mapping ${allow ? 'allowed' : 'forbidden'} for this profile (remembered)\n`);
      return 0;
    }
    const forced = (flags.natMethod as string | undefined) ?? (process.env.PVT_NAT_METHOD || undefined);
    if (forced !== undefined && !NAT_METHODS.includes(forced as NatMethod)) {
      throw new UsageError(`--nat-method expects ${NAT_METHODS.join(', ')}`);
    }
    const stunServers = stunServersFrom(flags.stun);
    const daemon = await fromDaemon(ctx);
    if (daemon?.diagnosis) {
      let diagnosis = daemon.diagnosis;
      if (stunServers.length > 0) {
        // The daemon's mapping stays; STUN from here sees the same NAT.
        const stun = await stunObserve(stunServers, { signal: AbortSignal.timeout(30_000) });
        const verdict = diagnosis.verdict === 'public' ? 'public' : verdictWith(diagnosis.mapping, stun);
        diagnosis = { ...diagnosis, stun, verdict };
      }
      const report: NatReport = {
        ...diagnosis,
        portMapping: true,
        deleted: null,
        source: 'daemon',
        confirmed: daemon.confirmed,
        observed: daemon.observed,
        // Peers may have shown the daemon's mapping to sit behind another NAT since its diagnosis.
        verdict: daemon.state === 'double NAT' ? 'double NAT' : diagnosis.verdict,
      };
      ctx.stdout.write(ctx.json ? `${JSON.stringify(report)}\n` : render(report));
      return 0;
    }
    const port = ctx.network.port > 0 ? ctx.network.port : (daemon?.port ?? (await profilePort(ctx)));
    if (port === undefined) {
      throw new UsageError('give --port N (or create a profile or start the daemon: their port is used)');
    }
    const portMapping = ctx.network.portMapping;
    const d = await diagnoseNat({
      port,
      methods: !portMapping ? [] : forced ? [forced as NatMethod] : NAT_METHODS,
      ignorePublicAddresses: forced !== undefined,
      stunServers,
      logger: nullLogger,
      signal: AbortSignal.timeout(30_000),
    });
    const holdMs = Number(process.env.PVT_NAT_HOLD_MS ?? 0);
    if (d.mapping && holdMs > 0) {
      // Lab tests: keep the mapping a moment so the gateway's list can be inspected.
      ctx.stderr.write('nat: holding the mapping\n');
      await new Promise((resolve) => setTimeout(resolve, Math.min(holdMs, 30_000)));
    }
    const deleted = d.mapping ? await deleteMapping(d.mapping) : null;
    const report: NatReport = { ...d, portMapping, deleted, source: 'probe' };
    ctx.stdout.write(ctx.json ? `${JSON.stringify(report)}\n` : render(report));
    return 0;
  },
};

/**
 * NAT orchestration. `diagnoseNat` runs once: local addresses (a public IPv4 address means `public`),
 * then PCP → NAT-PMP → UPnP against the default gateway, stopping at the first mapping; the verdict is
 * `mapped`, `behind CGNAT` (external address in 100.64.0.0/10), `double NAT` (external address
 * private) or `unreachable` — or `public` when no useful IPv4 mapping exists but a global IPv6 address
 * does (IPv4 is mapped even then: IPv4-only contacts could not dial an IPv6 address). With `stunServers` configured (none by default) a STUN
 * observation runs in parallel with the mapping attempts: an endpoint-dependent NAT without a usable
 * mapping is `symmetric NAT`, and a gateway address other than the STUN-observed one is `behind CGNAT` /
 * `double NAT` (see verdictWith). `createNatService(init)(components)` is the long-lived
 * form: start() returns at once (the verdict arrives later through onVerdict), the mapping is renewed at
 * half its lifetime, recorded in a file (so a crash's mapping is refreshed or deleted on the next start),
 * given back and diagnosed again when the local addresses or the default gateway change, and deleted
 * on stop().
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import type { Logger } from '../../log/logger.ts';
import { type MappingClient, type NatMethod, natPmpClient, type PortMapping, pcpClient } from './clients.ts';
import { DELETE_TIMEOUT_MS, MIN_RENEW_DELAY_MS, NETWORK_WATCH_MS, RETRY_DELAY_MS } from './constants.ts';
import { NatAbortedError } from './errors.ts';
import { defaultGateway, localAddresses, localInterfaces } from './gateway.ts';
import { isCgnatIpv4, isGlobalIpv6, isPrivateIpv4 } from './ip.ts';
import { type StunObservation, type StunServer, stunObserve } from './stun.ts';
import { upnpClient } from './upnp.ts';

export type NatVerdict =
  | 'public'
  | 'mapped'
  | 'behind CGNAT'
  | 'double NAT'
  | 'symmetric NAT'
  | 'unreachable';

export const NAT_METHODS: readonly NatMethod[] = ['pcp', 'natpmp', 'upnp'];
const CLIENTS: Record<NatMethod, MappingClient> = { pcp: pcpClient, natpmp: natPmpClient, upnp: upnpClient };

export interface MethodAttempt {
  readonly method: NatMethod;
  readonly ok: boolean;
  readonly ms: number;
  /** Error code when it failed (NatRefused, NatTimeout, PcpNotAuthorized, UpnpSoapFault, ...). */
  readonly error?: string;
  readonly message?: string;
}

export interface NatDiagnosis {
  readonly verdict: NatVerdict;
  readonly port: number;
  readonly gateway: string | null;
  readonly localAddresses: readonly string[];
  /** The same addresses by interface (name → addresses). */
  readonly interfaces: readonly { readonly name: string; readonly addresses: readonly string[] }[];
  readonly attempts: readonly MethodAttempt[];
  readonly mapping: PortMapping | null;
  readonly externalAddress: string | null;
  readonly externalPort: number | null;
  /** What the STUN servers saw (null: none configured). */
  readonly stun: StunObservation | null;
  /**
   * Why the verdict is `public`: a public IPv4 address, or only a global IPv6 one (which a home router's
   * IPv6 firewall may still block; pvt opens no IPv6 pinholes). Null for other verdicts.
   */
  readonly publicVia: 'ipv4' | 'ipv6' | null;
  readonly ms: number;
}

export interface DiagnoseOptions {
  readonly port: number;
  /** Only these methods, in this order (default PCP, NAT-PMP, UPnP). */
  readonly methods?: readonly NatMethod[];
  /** A mapping a previous run left (reused: same PCP nonce / external port). */
  readonly previous?: PortMapping;
  /** Skip the public-address check (tests; a daemon that wants a mapping anyway). */
  readonly ignorePublicAddresses?: boolean;
  /** STUN servers asked in parallel with the mapping attempts (default none: no third party is contacted). */
  readonly stunServers?: readonly StunServer[];
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

function errorInfo(e: unknown): { error: string; message: string } {
  const code = (e as { code?: unknown })?.code;
  return {
    error: typeof code === 'string' ? code : 'Error',
    message: e instanceof Error ? e.message : String(e),
  };
}

export function verdictFor(m: PortMapping): NatVerdict {
  if (isCgnatIpv4(m.externalAddress)) return 'behind CGNAT';
  if (isPrivateIpv4(m.externalAddress) || m.externalAddress === '0.0.0.0') return 'double NAT';
  return 'mapped';
}

/**
 * The verdict from the mapping and the STUN observation (verdictFor when there is no observation):
 * - a mapping whose external address is CGNAT / private stays `behind CGNAT` / `double NAT`;
 * - a mapping with a public external address that no STUN server saw (servers answered with another
 *   address of that family) → `double NAT` (`behind CGNAT` when it is in 100.64.0.0/10): the gateway's
 *   address is not ours on the internet, whatever the CPE claims;
 * - otherwise a mapping is `mapped`, even behind an endpoint-dependent NAT (the mapping is reachable);
 * - no mapping: endpoint-dependent STUN mapping → `symmetric NAT`, else `unreachable` (with an
 *   endpoint-independent mapping, UDP hole punching may still work).
 */
export function verdictWith(mapping: PortMapping | null, stun: StunObservation | null): NatVerdict {
  if (!mapping) return stun?.classification === 'endpoint-dependent' ? 'symmetric NAT' : 'unreachable';
  const base = verdictFor(mapping);
  if (base !== 'mapped' || !stun) return base;
  const family = isIPv4(mapping.externalAddress) ? 4 : 6;
  const seen = stun.results
    .map((r) => (r.ok ? r.mappedAddress : undefined))
    .filter((a): a is string => a !== undefined && (isIPv4(a) ? 4 : 6) === family);
  if (seen.length > 0 && !seen.includes(mapping.externalAddress)) {
    return isCgnatIpv4(mapping.externalAddress) ? 'behind CGNAT' : 'double NAT';
  }
  return 'mapped';
}

export async function diagnoseNat(o: DiagnoseOptions): Promise<NatDiagnosis> {
  const t0 = performance.now();
  const interfaces = localInterfaces();
  const locals = interfaces.flatMap((i) => i.addresses);
  const attempts: MethodAttempt[] = [];
  const globalV6 = !o.ignorePublicAddresses && locals.some((a) => isGlobalIpv6(a));
  // Started first and awaited last: STUN adds no latency to the mapping attempts.
  const stunRun: Promise<StunObservation | null> = o.stunServers?.length
    ? stunObserve(o.stunServers, { signal: o.signal })
    : Promise.resolve(null);
  stunRun.catch(() => {}); // awaited in done(); this only keeps an early abort from going unhandled
  const done = async (
    verdict: NatVerdict | null,
    gateway: string | null,
    mapping: PortMapping | null,
  ): Promise<NatDiagnosis> => {
    let stun: StunObservation | null;
    try {
      stun = await stunRun;
    } catch (e) {
      if (e instanceof NatAbortedError) throw e;
      o.logger?.warn('nat.stun_failed', { error: errorInfo(e).error });
      stun = null;
    }
    let v = verdict ?? verdictWith(mapping, stun);
    // A global IPv6 address alone does not let IPv4-only contacts dial us, so IPv4 is mapped anyway; it
    // is the verdict only when IPv4 cannot be mapped usefully (DS-Lite / CGNAT with native IPv6).
    const ipv4Public = v === 'public';
    if (v !== 'mapped' && globalV6) v = 'public';
    return {
      publicVia: v !== 'public' ? null : ipv4Public ? 'ipv4' : 'ipv6',
      verdict: v,
      port: o.port,
      gateway,
      localAddresses: locals,
      interfaces,
      attempts,
      mapping,
      externalAddress: mapping?.externalAddress ?? null,
      externalPort: mapping?.externalPort ?? null,
      stun,
      ms: Math.round(performance.now() - t0),
    };
  };
  if (!o.ignorePublicAddresses && locals.some((a) => isIPv4(a) && !isPrivateIpv4(a) && !isCgnatIpv4(a))) {
    return done('public', null, null);
  }
  let gateway: string;
  try {
    gateway = await defaultGateway();
  } catch (e) {
    o.logger?.info('nat.no_gateway', { error: errorInfo(e).error });
    return done(null, null, null);
  }
  for (const method of o.methods ?? NAT_METHODS) {
    if (o.signal?.aborted) throw new NatAbortedError();
    const t = performance.now();
    try {
      const mapping = await CLIENTS[method].map({
        gateway,
        internalPort: o.port,
        previous: o.previous,
        signal: o.signal,
      });
      attempts.push({ method, ok: true, ms: Math.round(performance.now() - t) });
      o.logger?.info('nat.mapped', { method, ms: Math.round(performance.now() - t) });
      return done(null, gateway, mapping);
    } catch (e) {
      if (e instanceof NatAbortedError) throw e;
      attempts.push({ method, ok: false, ms: Math.round(performance.now() - t), ...errorInfo(e) });
      o.logger?.debug('nat.method_failed', { method, error: errorInfo(e).error });
    }
  }
  return done(null, gateway, null);
}

/** Deletes a mapping (bounded by DELETE_TIMEOUT_MS); never throws. */
export async function deleteMapping(m: PortMapping, logger?: Logger): Promise<boolean> {
  try {
    await CLIENTS[m.method].unmap(m, {
      timeoutMs: DELETE_TIMEOUT_MS,
      signal: AbortSignal.timeout(DELETE_TIMEOUT_MS),
    });
    return true;
  } catch (e) {
    logger?.warn('nat.delete_failed', { method: m.method, error: errorInfo(e).error });
    return false;
  }
}

// ── crash record ──

export async function readMappingRecord(file: string): Promise<PortMapping | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    if (text.length > 4096) return undefined;
    const r = JSON.parse(text) as Partial<PortMapping>;
    if (!r || typeof r !== 'object' || !NAT_METHODS.includes(r.method as NatMethod)) return undefined;
    if (
      typeof r.gateway !== 'string' ||
      !Number.isInteger(r.internalPort) ||
      !Number.isInteger(r.externalPort)
    )
      return undefined;
    return r as PortMapping;
  } catch {
    return undefined;
  }
}

async function writeMappingRecord(file: string, m: PortMapping | undefined): Promise<void> {
  if (m === undefined) await rm(file, { force: true });
  else await writeFile(file, JSON.stringify(m), { mode: 0o600 });
}

// ── service ──

export interface NatServiceInit {
  /** The TCP port the node listens on. */
  readonly port: number;
  /** false: no port mapping at all (--no-port-mapping); the verdict is then never produced. */
  readonly portMapping: boolean;
  readonly methods?: readonly NatMethod[];
  /** Where the current mapping is recorded (profile directory), for clean-up after a crash. */
  readonly recordFile?: string;
  /** How often to look for a network change (default NETWORK_WATCH_MS). */
  readonly watchMs?: number;
  /** STUN servers asked with every diagnosis (default none). */
  readonly stunServers?: readonly StunServer[];
  readonly onVerdict?: (d: NatDiagnosis) => void;
}

export interface NatServiceComponents {
  readonly logger: Logger;
}

export interface NatService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The latest diagnosis, once there is one. */
  readonly diagnosis: NatDiagnosis | undefined;
}

export function createNatService(init: NatServiceInit): (components: NatServiceComponents) => NatService {
  return ({ logger: parent }) => {
    const logger = parent.child('nat');
    let controller: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    let current: PortMapping | undefined;
    let diagnosis: NatDiagnosis | undefined;
    let watcher: NodeJS.Timeout | undefined;
    let network = '';
    let running: Promise<void> | undefined;

    const schedule = (ms: number, fn: () => Promise<void>) => {
      clearTimeout(timer);
      timer = setTimeout(() => void fn().catch(() => {}), ms);
      timer.unref();
    };

    const run = async (previous: PortMapping | undefined): Promise<void> => {
      const signal = controller?.signal;
      if (!signal || signal.aborted) return;
      try {
        const d = await diagnoseNat({
          port: init.port,
          methods: init.methods,
          stunServers: init.stunServers,
          previous,
          signal,
          logger,
        });
        if (signal.aborted) {
          if (d.mapping) await deleteMapping(d.mapping, logger);
          return;
        }
        diagnosis = d;
        const mapping = d.mapping ?? undefined;
        if (previous && mapping?.method !== previous.method) await deleteMapping(previous, logger);
        if (mapping && d.verdict !== 'mapped') {
          // A mapping on a CGNAT or second NAT is useless from the internet: give it back.
          await deleteMapping(mapping, logger);
          current = undefined;
        } else current = mapping;
        if (init.recordFile) await writeMappingRecord(init.recordFile, current).catch(() => {});
        init.onVerdict?.(d);
        if (current && current.lifetimeS > 0) {
          schedule(Math.max(MIN_RENEW_DELAY_MS, (current.lifetimeS * 1000) / 2), () => run(current));
        } else if (!current && d.attempts.length > 0 && !d.attempts.some((a) => a.ok)) {
          // No method answered (unreachable, or only IPv6 made us public): the router may come back.
          schedule(RETRY_DELAY_MS * 10, () => run(undefined));
        }
      } catch (e) {
        if (!(e instanceof NatAbortedError)) logger.warn('nat.failed', { error: errorInfo(e).error });
        if (!signal.aborted) schedule(RETRY_DELAY_MS, () => run(current));
      }
    };

    /** Local addresses and default gateway, as one comparable string. */
    const networkNow = async (): Promise<string> =>
      `${localAddresses().join(',')} via ${await defaultGateway().catch(() => 'none')}`;

    // A changed network (new address, another gateway) makes the old mapping meaningless: give it back
    // (best effort: the old gateway may be gone) and diagnose again.
    const watch = async (): Promise<void> => {
      const now = await networkNow();
      if (now === network || !controller || running) return;
      logger.info('nat.network_changed');
      network = now;
      clearTimeout(timer);
      const old = current;
      current = undefined;
      if (old) await deleteMapping(old, logger);
      running = run(undefined).finally(() => {
        running = undefined;
      });
    };

    return {
      get diagnosis() {
        return diagnosis;
      },
      async start() {
        if (!init.portMapping || controller) return;
        controller = new AbortController();
        network = await networkNow();
        const previous = init.recordFile ? await readMappingRecord(init.recordFile) : undefined;
        // Not awaited: the node never waits for NAT.
        running = run(previous?.internalPort === init.port ? previous : undefined)
          .then(async () => {
            if (previous && previous.internalPort !== init.port) await deleteMapping(previous, logger);
          })
          .finally(() => {
            running = undefined;
          });
        watcher = setInterval(() => void watch().catch(() => {}), init.watchMs ?? NETWORK_WATCH_MS);
        watcher.unref();
      },
      async stop() {
        controller?.abort();
        controller = undefined;
        clearInterval(watcher);
        clearTimeout(timer);
        const m = current;
        current = undefined;
        if (m) {
          const ok = await deleteMapping(m, logger);
          if (ok && init.recordFile) await writeMappingRecord(init.recordFile, undefined).catch(() => {});
        }
      },
    };
  };
}

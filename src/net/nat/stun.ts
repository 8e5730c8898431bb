/**
 * STUN observation: Binding requests from ONE local UDP socket per address family (the same source port
 * to every server — otherwise an endpoint-dependent, "symmetric", NAT could not be told apart) to the
 * configured servers in parallel, retransmitted per RFC 5389 (500 ms, doubling) and bounded per server;
 * the address:port each server saw and the NAT's mapping behaviour: `endpoint-independent` when two or
 * more servers at different addresses/ports saw the same address:port, `endpoint-dependent` when they
 * saw different ones, `unknown` with fewer than two answers. `parseStunServer` reads `host`,
 * `host:port` or `[IPv6]:port`. pvt contacts no STUN server unless one is configured.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import {
  STUN_DEFAULT_PORT,
  STUN_MAX_SERVERS,
  STUN_RTO_MS,
  STUN_SERVER_TIMEOUT_MS,
  STUN_TRANSACTION_ID_BYTES,
} from './constants.ts';
import { BadStunServerError, NatAbortedError, NatMismatchError, NatTimeoutError } from './errors.ts';
import { decodeStunBindingResponse, encodeStunBindingRequest } from './stun-codec.ts';

export interface StunServer {
  /** A host name, an IPv4 address or an IPv6 address (without brackets). */
  readonly host: string;
  readonly port: number;
}

export type StunClassification = 'endpoint-independent' | 'endpoint-dependent' | 'unknown';

export interface StunServerResult {
  /** The server as given (`host:port`, `[IPv6]:port`). */
  readonly server: string;
  readonly ok: boolean;
  /** The address and port the server saw (our NAT's mapping for this destination). */
  readonly mappedAddress?: string;
  readonly mappedPort?: number;
  readonly ms: number;
  /** Error code when it failed (NatTimeout, StunMalformed, StunErrorResponse, ENOTFOUND, ...). */
  readonly error?: string;
  readonly message?: string;
}

export interface StunObservation {
  readonly results: readonly StunServerResult[];
  readonly classification: StunClassification;
  /** The public address the first answering server saw (IPv4 preferred); null without an answer. */
  readonly address: string | null;
  /** The local UDP port(s) the requests were sent from (one per address family used). */
  readonly localPorts: readonly number[];
  /** Time until every server answered or gave up. */
  readonly ms: number;
}

export interface StunObserveOptions {
  readonly signal?: AbortSignal;
  /** Per server, from the start (default STUN_SERVER_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Initial retransmission timeout, doubled after each transmission (default STUN_RTO_MS; tests). */
  readonly rtoMs?: number;
}

const HOSTNAME =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function clean(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 60);
}

function parsePort(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new BadStunServerError(`port of "${clean(whole)}"`);
  const port = Number(text);
  if (port < 1 || port > 65_535) throw new BadStunServerError(`port ${port} out of range`);
  return port;
}

/** `host`, `host:port`, `IPv4:port`, `IPv6`, `[IPv6]` or `[IPv6]:port` (default port 3478). */
export function parseStunServer(text: string): StunServer {
  const t = text.trim();
  if (t === '' || t.length > 300) throw new BadStunServerError(t === '' ? 'empty' : 'too long');
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(t);
  if (bracket) {
    const host = bracket[1] ?? '';
    if (!isIPv6(host) || host.includes('%')) {
      throw new BadStunServerError(`"${clean(host)}" is not an IPv6 address`);
    }
    return { host, port: bracket[2] === undefined ? STUN_DEFAULT_PORT : parsePort(bracket[2], t) };
  }
  if (isIPv6(t)) {
    if (t.includes('%')) throw new BadStunServerError('IPv6 zone ids are not supported');
    return { host: t, port: STUN_DEFAULT_PORT };
  }
  const colon = t.lastIndexOf(':');
  const host = colon < 0 ? t : t.slice(0, colon);
  const port = colon < 0 ? STUN_DEFAULT_PORT : parsePort(t.slice(colon + 1), t);
  if (isIPv4(host)) return { host, port };
  if (/^[\d.]+$/.test(host) || !HOSTNAME.test(host)) {
    throw new BadStunServerError(`"${clean(host)}" is not a host name or IP address`);
  }
  return { host: host.toLowerCase(), port };
}

/** Comma-separated list (the CLI's --stun values and PVT_STUN_SERVERS); empty items are skipped. */
export function parseStunServers(texts: readonly string[]): StunServer[] {
  const out = texts
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map(parseStunServer);
  if (out.length > STUN_MAX_SERVERS) {
    throw new BadStunServerError(`${out.length} servers given, at most ${STUN_MAX_SERVERS}`);
  }
  return out;
}

export function formatStunServer(s: StunServer): string {
  return isIPv6(s.host) ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

/**
 * The mapping behaviour shown by the answers: answers are compared within one address family (IPv4 when
 * two or more IPv4 servers answered, else IPv6); distinct servers only (same address and port counted once).
 */
export function classifyStun(results: readonly StunServerResult[]): {
  classification: StunClassification;
  address: string | null;
} {
  const ok = results.filter((r) => r.ok && r.mappedAddress !== undefined && r.mappedPort !== undefined);
  const v4 = ok.filter((r) => isIPv4(r.mappedAddress ?? ''));
  const v6 = ok.filter((r) => isIPv6(r.mappedAddress ?? ''));
  const address = (v4[0] ?? v6[0])?.mappedAddress ?? null;
  const group = v4.length >= 2 ? v4 : v6;
  const byServer = new Map<string, string>();
  for (const r of group) byServer.set(r.server, `${r.mappedAddress}|${r.mappedPort}`);
  if (byServer.size < 2) return { classification: 'unknown', address };
  const distinct = new Set(byServer.values());
  return { classification: distinct.size === 1 ? 'endpoint-independent' : 'endpoint-dependent', address };
}

function errorInfo(e: unknown): { error: string; message: string } {
  const code = (e as { code?: unknown })?.code;
  return {
    error: typeof code === 'string' ? code : 'Error',
    message: e instanceof Error ? e.message : String(e),
  };
}

function newTransactionId(): Uint8Array {
  for (;;) {
    const id = new Uint8Array(randomBytes(STUN_TRANSACTION_ID_BYTES));
    if (id.some((x) => x !== 0)) return id;
  }
}

interface Pending {
  readonly server: StunServer;
  readonly name: string;
  readonly id: Uint8Array;
  readonly index: number;
  address?: string;
  family?: 4 | 6;
  timer?: NodeJS.Timeout;
  result?: StunServerResult;
}

/**
 * Asks every server (at most STUN_MAX_SERVERS; further ones are ignored) for our mapped address from one
 * socket per address family. Per-server failures are results, not exceptions; only an abort throws
 * (NatAbortedError).
 */
export async function stunObserve(
  servers: readonly StunServer[],
  options: StunObserveOptions = {},
): Promise<StunObservation> {
  const signal = options.signal;
  if (signal?.aborted) throw new NatAbortedError();
  const timeoutMs = options.timeoutMs ?? STUN_SERVER_TIMEOUT_MS;
  const rtoMs = options.rtoMs ?? STUN_RTO_MS;
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  const pending: Pending[] = servers
    .slice(0, STUN_MAX_SERVERS)
    .map((server, index) => ({ server, name: formatStunServer(server), id: newTransactionId(), index }));
  // One socket per family, shared by every server of that family: the same source port to each.
  const sockets = new Map<4 | 6, Promise<Socket>>();
  const opened: Socket[] = [];
  const localPorts: number[] = [];

  return new Promise<StunObservation>((resolve, reject) => {
    let finished = false;
    const overall = setTimeout(() => {
      for (const p of pending) fail(p, new NatTimeoutError('STUN', timeoutMs));
    }, timeoutMs);
    const cleanup = () => {
      finished = true;
      clearTimeout(overall);
      signal?.removeEventListener('abort', onAbort);
      for (const p of pending) clearTimeout(p.timer);
      for (const s of opened) {
        try {
          s.close();
        } catch {
          // already closed after an error
        }
      }
    };
    const onAbort = () => {
      if (finished) return;
      cleanup();
      reject(new NatAbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const maybeDone = () => {
      if (finished || pending.some((p) => !p.result)) return;
      cleanup();
      const results = pending.map((p) => p.result as StunServerResult);
      resolve({ results, ...classifyStun(results), localPorts, ms: elapsed() });
    };
    const settle = (p: Pending, result: StunServerResult) => {
      if (p.result || finished) return;
      p.result = result;
      clearTimeout(p.timer);
      maybeDone();
    };
    function fail(p: Pending, e: unknown) {
      settle(p, { server: p.name, ok: false, ms: elapsed(), ...errorInfo(e) });
    }

    const onMessage = (family: 4 | 6, msg: Buffer, from: { address: string; port: number }) => {
      const sender = new BlockList();
      sender.addAddress(from.address, family === 4 ? 'ipv4' : 'ipv6');
      const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      for (const p of pending) {
        if (p.result || p.family !== family || p.server.port !== from.port || p.address === undefined)
          continue;
        if (!sender.check(p.address, family === 4 ? 'ipv4' : 'ipv6')) continue;
        try {
          const r = decodeStunBindingResponse(data, p.id);
          settle(p, {
            server: p.name,
            ok: true,
            mappedAddress: r.address,
            mappedPort: r.port,
            ms: elapsed(),
          });
          return;
        } catch (e) {
          // Another transaction of the same server (e.g. listed twice): try the next one.
          if (e instanceof NatMismatchError) continue;
          fail(p, e);
          return;
        }
      }
    };

    const socketFor = (family: 4 | 6): Promise<Socket> => {
      const existing = sockets.get(family);
      if (existing) return existing;
      const s = createSocket(family === 4 ? 'udp4' : 'udp6');
      s.on('message', (msg, rinfo) => onMessage(family, msg, rinfo));
      s.on('error', (e) => {
        for (const p of pending) if (p.family === family) fail(p, e);
      });
      opened.push(s);
      const bound = new Promise<Socket>((ok) =>
        s.bind(0, () => {
          localPorts.push(s.address().port);
          ok(s);
        }),
      );
      sockets.set(family, bound);
      return bound;
    };

    const start = async (p: Pending) => {
      try {
        const ip = isIP(p.server.host)
          ? p.server.host
          : (await lookup(p.server.host, { order: 'ipv4first' })).address;
        if (finished || p.result) return;
        const family = isIPv4(ip) ? 4 : 6;
        p.address = ip;
        p.family = family;
        const socket = await socketFor(family);
        if (finished || p.result) return;
        const payload = encodeStunBindingRequest(p.id);
        let rto = rtoMs;
        const send = () => {
          if (finished || p.result) return;
          socket.send(payload, p.server.port, ip, (err) => {
            if (err) fail(p, err);
          });
          p.timer = setTimeout(send, rto);
          rto *= 2;
        };
        send();
      } catch (e) {
        fail(p, e);
      }
    };

    if (pending.length === 0) {
      maybeDone();
      return;
    }
    for (const p of pending) void start(p);
  });
}

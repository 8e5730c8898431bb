/**
 * Path selection (docs/protocol/onion.md, "Circuit building and path rules"): three distinct relays,
 * never two in one IPv4 /16 or IPv6 /32 or of one family, a contact as first hop only when nothing else
 * fits, weighted by measured success. The subnet rule is relaxed only when every address involved is
 * loopback or a documentation range (several daemons on one machine or in the lab; see isLabIp). Pure:
 * the random source is a parameter.
 */
import { NoPathError } from './errors.ts';

export interface PathCandidate {
  /** The relay's PeerId string. */
  readonly id: string;
  /** Its advertised IP addresses (textual IPv4 or IPv6). */
  readonly ips: readonly string[];
  /** Accepts EXTEND (may be a first or middle hop). */
  readonly relay: boolean;
  /** Exit services offered. */
  readonly services: readonly string[];
  /** Whether the relay is a contact of the user. */
  readonly contact: boolean;
  /** A family name the user or relay declared (relays of one operator); optional. */
  readonly family?: string;
  /** Measured build attempts and successes through this relay. */
  readonly attempts: number;
  readonly successes: number;
}

export interface PathRequest {
  readonly candidates: readonly PathCandidate[];
  /** The exit's id, when the caller needs a given exit. */
  readonly exit?: string;
  /** The service the exit must offer (ignored when `exit` is given). */
  readonly service?: string;
  /** Relays to avoid (e.g. the one that just failed). */
  readonly avoid?: ReadonlySet<string>;
  /** Uniform random in [0, 1). */
  readonly random: () => number;
}

/** Parses an IPv6 address into 8 groups; null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  const zone = ip.indexOf('%');
  const text = zone >= 0 ? ip.slice(0, zone) : ip;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) {
        const v4 = ipv4Octets(g);
        if (!v4) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(Number.parseInt(g, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const fill = 8 - head.length - tail.length;
  if (fill < 1) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

function ipv4Octets(ip: string): number[] | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  const out = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : 256));
  return out.every((o) => o <= 255) ? out : null;
}

/** The subnet an address counts in: "4:a.b" (/16) or "6:xxxx:xxxx" (/32); null when unparseable. */
export function subnetOf(ip: string): string | null {
  const v4 = ipv4Octets(ip);
  if (v4) return `4:${v4[0]}.${v4[1]}`;
  const v6 = ipv6Groups(ip);
  if (!v6) return null;
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    return `4:${(v6[6] as number) >> 8}.${(v6[6] as number) & 0xff}`;
  }
  return `6:${(v6[0] as number).toString(16)}:${(v6[1] as number).toString(16)}`;
}

/**
 * Addresses that exist only on one machine or in a lab: loopback, and the documentation ranges of
 * RFC 5737 (192.0.2/24, 198.51.100/24, 203.0.113/24) and RFC 3849 (2001:db8::/32), which are never
 * routed on the internet. Only among these is the subnet rule relaxed.
 */
export function isLabIp(ip: string): boolean {
  if (isLoopbackIp(ip)) return true;
  const v4 = ipv4Octets(ip);
  if (v4) {
    const [a, b, c] = v4 as [number, number, number];
    return (
      (a === 192 && b === 0 && c === 2) ||
      (a === 198 && b === 51 && c === 100) ||
      (a === 203 && b === 0 && c === 113)
    );
  }
  const v6 = ipv6Groups(ip);
  return v6 !== null && v6[0] === 0x2001 && v6[1] === 0xdb8;
}

export function isLoopbackIp(ip: string): boolean {
  const v4 = ipv4Octets(ip);
  if (v4) return v4[0] === 127;
  const v6 = ipv6Groups(ip);
  if (v6 === null) return false;
  return v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1;
}

function compatible(a: PathCandidate, b: PathCandidate, relaxed: boolean): boolean {
  if (a.id === b.id) return false;
  if (a.family !== undefined && a.family === b.family) return false;
  if (relaxed) return true;
  const nets = new Set(a.ips.map(subnetOf).filter((s): s is string => s !== null));
  return !b.ips.some((ip) => {
    const s = subnetOf(ip);
    return s !== null && nets.has(s);
  });
}

function weight(c: PathCandidate): number {
  return (c.successes + 1) / (c.attempts + 2);
}

function pick(pool: readonly PathCandidate[], random: () => number): PathCandidate | undefined {
  if (pool.length === 0) return undefined;
  const total = pool.reduce((sum, c) => sum + weight(c), 0);
  let r = random() * total;
  for (const c of pool) {
    r -= weight(c);
    if (r < 0) return c;
  }
  return pool[pool.length - 1];
}

/**
 * Chooses [first, middle, exit]. NoPathError when the rules cannot be met with the candidates.
 */
export function selectPath(request: PathRequest): PathCandidate[] {
  const avoid = request.avoid ?? new Set<string>();
  const usable = request.candidates.filter((c) => !avoid.has(c.id) || c.id === request.exit);
  const relaxed = usable.every((c) => c.ips.length > 0 && c.ips.every(isLabIp));
  let exits: PathCandidate[];
  if (request.exit !== undefined) {
    exits = usable.filter((c) => c.id === request.exit);
    if (exits.length === 0) throw new NoPathError('the requested exit is not known');
  } else {
    const service = request.service;
    exits = usable.filter((c) => (service === undefined ? c.relay : c.services.includes(service)));
    if (exits.length === 0) throw new NoPathError('no relay offers the service');
  }
  // A few random tries over exits; each try picks the middle, then the first hop (non-contacts first).
  for (let attempt = 0; attempt < 8; attempt++) {
    const exit = pick(exits, request.random);
    if (!exit) break;
    const middles = usable.filter((c) => c.relay && compatible(c, exit, relaxed));
    const middle = pick(middles, request.random);
    if (!middle) continue;
    const firsts = usable.filter(
      (c) => c.relay && compatible(c, exit, relaxed) && compatible(c, middle, relaxed),
    );
    const strangers = firsts.filter((c) => !c.contact);
    const first = pick(strangers.length > 0 ? strangers : firsts, request.random);
    if (first) return [first, middle, exit];
  }
  throw new NoPathError('not enough relays in distinct networks');
}

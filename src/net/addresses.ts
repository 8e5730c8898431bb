/**
 * Addresses: which of the node's multiaddrs are worth giving to a contact (no loopback unless
 * loopback-only, no IPv6 link-local, public before private), the path badge of a connection ('lan' for
 * private, link-local, unique-local and loopback addresses, else 'direct'), and the conversions between
 * libp2p PeerIds/multiaddrs and the raw bytes of a protocol TransportLocator. Knows no pvt protocol.
 */
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { MAX_MULTIADDR_BYTES } from '../protocol/constants.ts';
import type { TransportLocator } from '../protocol/invite/locator.ts';

const CODE_IP4 = 4;
const CODE_IP6 = 41;
const CODE_TCP = 6;
const CODE_P2P = 421;
const CODE_CIRCUIT = 290;

/** Whether the address goes through a circuit relay (…/p2p/RELAY/p2p-circuit). */
export function isRelayed(ma: Multiaddr): boolean {
  return ma.getComponents().some((c) => c.code === CODE_CIRCUIT);
}

type IpClass = 'loopback' | 'private' | 'link-local' | 'public' | 'unspecified';

function ip4Class(ip: string): IpClass {
  const p = ip.split('.').map(Number);
  const [a = 0, b = 0] = p;
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  return 'public';
}

function ip6Class(ip: string): IpClass {
  const v = ip.toLowerCase();
  if (v === '::') return 'unspecified';
  if (v === '::1') return 'loopback';
  if (v.startsWith('::ffff:')) return ip4Class(v.slice(7));
  const first = Number.parseInt(v.split(':')[0] || '0', 16);
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xfe00) === 0xfc00) return 'private';
  return 'public';
}

function ipClass(ma: Multiaddr): IpClass | undefined {
  const first = ma.getComponents()[0];
  if (first?.value === undefined) return undefined;
  if (first.code === CODE_IP4) return ip4Class(first.value);
  if (first.code === CODE_IP6) return ip6Class(first.value);
  return undefined;
}

/**
 * 'relayed' through a circuit relay; 'lan' when the remote address is loopback, private, link-local or
 * unique-local; else 'direct'.
 */
export function pathOf(remoteAddr: Multiaddr): 'lan' | 'direct' | 'relayed' {
  if (isRelayed(remoteAddr)) return 'relayed';
  const c = ipClass(remoteAddr);
  return c === 'public' || c === undefined ? 'direct' : 'lan';
}

/**
 * The address without its trailing /p2p/… (a relay's /p2p/RELAY before /p2p-circuit stays: it is part
 * of the route).
 */
export function withoutPeerId(ma: Multiaddr): Multiaddr {
  const comps = ma.getComponents();
  return comps.at(-1)?.code === CODE_P2P ? ma.decapsulateCode(CODE_P2P) : ma;
}

/** Only /ip4|ip6/…/tcp/… addresses are dialable by this build. */
function isTcpIp(ma: Multiaddr): boolean {
  const comps = ma.getComponents();
  return (comps[0]?.code === CODE_IP4 || comps[0]?.code === CODE_IP6) && comps[1]?.code === CODE_TCP;
}

/**
 * The addresses to hand to contacts, best first: public, then private, then through a relay; loopback
 * only when `loopbackOnly`; never unspecified or IPv6 link-local (meaningless without a zone); at most
 * `max`.
 */
const RELAYED_RANK = 5;

export function shareableAddrs(addrs: readonly Multiaddr[], loopbackOnly: boolean, max: number): Multiaddr[] {
  const rank: Record<IpClass, number> = {
    public: 0,
    private: 1,
    loopback: 2,
    'link-local': 9,
    unspecified: 9,
  };
  const seen = new Set<string>();
  const out: { ma: Multiaddr; r: number }[] = [];
  for (const raw of addrs) {
    const ma = withoutPeerId(raw);
    const c = ipClass(ma);
    if (c === undefined || !isTcpIp(ma)) continue;
    if (c === 'link-local' || c === 'unspecified') continue;
    if (c === 'loopback' && !loopbackOnly) continue;
    if (ma.bytes.length > MAX_MULTIADDR_BYTES) continue;
    const key = ma.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ma, r: isRelayed(ma) ? RELAYED_RANK : rank[c] });
  }
  return out
    .sort((x, y) => x.r - y.r)
    .slice(0, max)
    .map((x) => x.ma);
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58btc (Bitcoin alphabet): the string form of a PeerId's multihash bytes. */
export function base58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = []; // little-endian base-58 digits
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i] as number;
    for (let j = 0; j < digits.length; j++) {
      carry += (digits[j] as number) * 256;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += B58[digits[i] as number];
  return out;
}

/** A PeerId from the raw multihash bytes of a locator; undefined when they are not a valid PeerId. */
export function peerIdFromBytes(bytes: Uint8Array): PeerId | undefined {
  try {
    return peerIdFromString(base58btc(bytes));
  } catch {
    return undefined;
  }
}

/** Multiaddrs from raw locator bytes; invalid or non-TCP ones are skipped (the peer chose them). */
export function multiaddrsFromBytes(list: readonly Uint8Array[]): Multiaddr[] {
  const out: Multiaddr[] = [];
  for (const bytes of list) {
    try {
      const ma = multiaddr(bytes);
      if (isTcpIp(ma)) out.push(withoutPeerId(ma));
    } catch {
      // skip
    }
  }
  return out;
}

/** A locator for our node: PeerId bytes and the given addresses, no mailbox yet. */
export function toLocator(peerId: PeerId, addrs: readonly Multiaddr[]): TransportLocator {
  return {
    peerId: peerId.toMultihash().bytes,
    addrs: addrs.map((a) => a.bytes),
    mailbox: new Uint8Array(0),
  };
}

/** The peer and its addresses from a locator; undefined when its PeerId is not valid. */
export function fromLocator(locator: TransportLocator): { peerId: PeerId; addrs: Multiaddr[] } | undefined {
  const peerId = peerIdFromBytes(locator.peerId);
  if (peerId === undefined) return undefined;
  return { peerId, addrs: multiaddrsFromBytes(locator.addrs) };
}

/**
 * IPv4/IPv6 address helpers for NAT traversal: the 16-byte form PCP uses, IPv4 text ↔ bytes, and the
 * private / carrier-grade / global classification behind the verdicts. Pure; knows nothing else.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function ipv4ToBytes(ip: string): Uint8Array {
  if (!isIPv4(ip)) throw new TypeError(`not an IPv4 address: ${ip}`);
  return Uint8Array.from(ip.split('.').map(Number));
}

export function bytesToIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** An address as PCP's 128-bit field (IPv4 as ::ffff:a.b.c.d). */
export function ipTo16(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  if (isIPv4(ip)) {
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(ipv4ToBytes(ip), 12);
    return out;
  }
  if (!isIPv6(ip)) throw new TypeError(`not an IP address: ${ip}`);
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** PCP's 128-bit field as text: IPv4-mapped addresses as dotted IPv4. */
export function ipFrom16(b: Uint8Array): string {
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[i] !== 0) mapped = false;
  if (mapped) return bytesToIpv4(b.subarray(12, 16));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

function v4num(ip: string): number {
  const b = ipv4ToBytes(ip);
  return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
}

function inCidr(ip: string, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (v4num(ip) & mask) >>> 0 === (v4num(base) & mask) >>> 0;
}

/** 100.64.0.0/10: carrier-grade NAT (RFC 6598). */
export function isCgnatIpv4(ip: string): boolean {
  return isIPv4(ip) && inCidr(ip, '100.64.0.0', 10);
}

/** Private, loopback, link-local, unspecified or otherwise not reachable from the internet (IPv4). */
export function isPrivateIpv4(ip: string): boolean {
  if (!isIPv4(ip)) return false;
  return (
    inCidr(ip, '10.0.0.0', 8) ||
    inCidr(ip, '172.16.0.0', 12) ||
    inCidr(ip, '192.168.0.0', 16) ||
    inCidr(ip, '127.0.0.0', 8) ||
    inCidr(ip, '169.254.0.0', 16) ||
    inCidr(ip, '0.0.0.0', 8)
  );
}

/** A global unicast IPv6 address (2000::/3, minus Teredo 2001::/32 and 6to4 2002::/16). */
export function isGlobalIpv6(ip: string): boolean {
  if (!isIPv6(ip) || ip.includes('%')) return false;
  const b = ipTo16(ip);
  if (((b[0] ?? 0) & 0xe0) !== 0x20) return false;
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) return false;
  if (b[0] === 0x20 && b[1] === 0x02) return false;
  return true;
}

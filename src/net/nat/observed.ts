/**
 * What peers tell us they see (identify's observed address) as a NAT signal: the public IPv4 addresses
 * peers outside our LAN observed, newest last (bounded), and whether they contradict the external
 * address our gateway reported for its mapping — then the gateway sits behind another NAT (double NAT,
 * or a carrier NAT the gateway does not know about) and its mapping cannot be reached. Pure.
 */
import { isIPv4 } from 'node:net';
import { isCgnatIpv4, isPrivateIpv4 } from './ip.ts';

/** How many distinct observed addresses are kept. */
export const MAX_OBSERVED = 8;

/** `list` with `ip` added last (moved there if present), at most MAX_OBSERVED; unchanged for non-public IPs. */
export function addObserved(list: readonly string[], ip: string): string[] {
  if (!isIPv4(ip) || isPrivateIpv4(ip) || isCgnatIpv4(ip)) return [...list];
  return [...list.filter((x) => x !== ip), ip].slice(-MAX_OBSERVED);
}

/**
 * True when the newest observation is a public IPv4 address other than the mapping's external address:
 * the mapping is on an inner NAT. (Only the newest counts: an older one may predate a network change.)
 */
export function contradictsMapping(observed: readonly string[], externalAddress: string): boolean {
  const newest = observed.at(-1);
  return newest !== undefined && isIPv4(externalAddress) && newest !== externalAddress;
}

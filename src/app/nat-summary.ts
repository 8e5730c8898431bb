/**
 * The short, human form of a NAT status, shared by the TUI status bar and `pvt status`:
 * "PCP 198.51.100.7:41873 ✓ · 59 min" (mapped: method, public address, ✓ once someone outside has
 * connected through it, minutes left), "behind CGNAT · outgoing only" (or "· relayed" while a contact
 * relays for us), "checking NAT…". Pure: the current time is a parameter. Knows the NatStatus shape,
 * nothing about how it was found.
 */
import type { NatStatus } from './api.ts';

const METHOD_NAMES: Readonly<Record<string, string>> = { pcp: 'PCP', natpmp: 'NAT-PMP', upnp: 'UPnP' };

/** Minutes left until `expiresAt`, at least 0. */
function minutesLeft(expiresAt: number, now: number): number {
  return Math.max(0, Math.floor((expiresAt - now) / 60_000));
}

export function natSummary(nat: NatStatus, now: number): string {
  switch (nat.state) {
    case 'off':
      return nat.relayed ? 'port mapping off · relayed' : 'port mapping off';
    case 'ask':
      return 'port mapping not yet allowed';
    case 'checking':
      return 'checking NAT…';
    case 'public': {
      const what = nat.diagnosis?.publicVia === 'ipv6' ? 'public IPv6 address' : 'public address';
      return nat.confirmed ? `${what} ✓` : what;
    }
    case 'mapped': {
      // ✓: someone outside has connected through it since.
      const method = nat.method ? (METHOD_NAMES[nat.method] ?? nat.method) : 'mapped';
      const parts = [`${method} ${nat.external ?? ''}${nat.confirmed ? ' ✓' : ''}`.trim()];
      if (nat.expiresAt !== null) parts.push(`${minutesLeft(nat.expiresAt, now)} min`);
      return parts.join(' · ');
    }
    default:
      // Contacts cannot dial us directly: through a contact that relays for us, or not at all (we still
      // dial them).
      return `${nat.state} · ${nat.relayed ? 'relayed' : 'outgoing only'}`;
  }
}

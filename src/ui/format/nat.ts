/**
 * The lines of the TUI's reachability panel (`/nat`): the NAT summary, how contacts reach us, what
 * peers outside see, and how to change port mapping. Pure; knows nothing about Ink.
 */
import type { NatStatus } from '../../app/api.ts';
import { natSummary } from '../../app/nat-summary.ts';

export function natLines(nat: NatStatus, now: number): string[] {
  const lines = [natSummary(nat, now)];
  if (nat.state === 'mapped' || nat.state === 'public') {
    lines.push(
      nat.confirmed
        ? 'Contacts can reach you directly: someone outside has connected.'
        : 'Contacts should be able to reach you directly (nobody outside has connected yet to show it).',
    );
  } else if (nat.relayed) {
    lines.push('Contacts reach you through a contact that relays for you.');
  } else if (nat.state !== 'checking') {
    lines.push('Contacts cannot dial you; you can still reach contacts who can be reached.');
  }
  if (nat.state === 'public' && nat.diagnosis?.publicVia === 'ipv6' && !nat.confirmed) {
    lines.push(
      'Only IPv6 is public here: many home routers block incoming IPv6, and pvt cannot open it (no IPv6 pinholes yet).',
    );
  }
  if (nat.observed.length > 0) lines.push(`Peers outside see you at ${nat.observed.join(', ')}.`);
  lines.push(
    nat.state === 'off' || nat.state === 'ask'
      ? '/nat on allows port mapping on your router (remembered).'
      : '/nat off stops port mapping and gives the port back (remembered).',
  );
  return lines;
}

/**
 * Words for a contact's state, shared by the contacts pane, the contact list and the panels: the path
 * badge (long and short forms), the verification in words, and the explanation shown after a rejected
 * code comparison. Pure; knows nothing about Ink.
 */
import type { PathBadge, Verification } from '../../app/api.ts';

const BADGE: Readonly<Record<PathBadge, { long: string; short: string }>> = {
  lan: { long: 'LAN', short: 'LAN' },
  direct: { long: 'direct', short: 'dir' },
  mapped: { long: 'mapped', short: 'map' },
  relayed: { long: 'relayed', short: 'rel' },
  offline: { long: 'offline', short: 'off' },
};

export function pathLabel(path: PathBadge, short = false): string {
  return short ? BADGE[path].short : BADGE[path].long;
}

export function verificationLabel(verification: Verification): string {
  if (verification === 'verified') return 'verified';
  if (verification === 'rejected') return 'codes differed';
  return 'not verified';
}

/** Why chat with a rejected contact is refused, and what to do. */
export function rejectedExplanation(name: string): string[] {
  return [
    `The codes differed: someone may have intercepted the join between you and ${name}.`,
    `Chat with ${name} is refused — nothing is sent to or accepted from this contact.`,
    `Remove it (/remove ${name}) and invite again, in person or while on a call.`,
  ];
}

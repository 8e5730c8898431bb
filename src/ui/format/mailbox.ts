/**
 * How the TUI names a suggested mailbox ("contact Ada", "relay …k3Xy9Qa1") and the lines of the
 * suggestions panel. Pure; knows nothing about Ink.
 */
import type { MailboxCandidate, MailboxSuggestions } from '../../app/api.ts';
import { sanitizeLine } from './text.ts';

/** "contact Ada" (the name sanitized) or "relay …k3Xy9Qa1". */
export function candidateLabel(c: MailboxCandidate): string {
  return c.from === 'contact'
    ? `contact ${sanitizeLine(c.contact ?? '')}`.trim()
    : `relay …${c.peerId.slice(-8)}`;
}

/** The explanation, then one numbered line per candidate. */
export function suggestionLines(s: MailboxSuggestions): string[] {
  return [
    `A mailbox keeps messages for you while pvt is not running; it sees only sealed envelopes, never who writes to you or what. You have ${s.chosen}; ${s.recommended} are recommended. These offer one:`,
    ...s.candidates.map(
      (c, i) =>
        `${i + 1}. ${candidateLabel(c)} · ${c.reachable ? 'reached lately' : 'not reached lately'} · ${sanitizeLine(c.address)}`,
    ),
  ];
}

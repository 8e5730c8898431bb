/**
 * Mailbox suggestions (docs/mailbox.md, "Suggestions"): which mailboxes the user could add — contacts
 * that said, in their end-to-end encrypted address updates, that they serve one from an address others
 * can dial, and known onion relays whose signed descriptor names the mailbox service — each with the
 * address `pvt mailbox add` takes, where it comes from (the contact's sanitized name, or "relay") and
 * whether this node reached it lately. Pure: the lists and the clock come in; knows nothing about the
 * network, the store or the UI.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { MAILBOX_EXIT_SERVICE } from '../net/mailbox/transport.ts';
import type { RelayListEntry } from '../net/onion/directory.ts';
import { MAILBOX_MAX_LOCATORS } from '../protocol/mailbox/constants.ts';
import { sanitizeLine } from '../text/sanitize.ts';
import { MAILBOX_MAX_SUGGESTIONS, MAILBOX_REACHED_LATELY_MS, MAILBOX_RECOMMENDED } from './constants.ts';
import type { MailboxView } from './mailbox-host.ts';

/** One mailbox the user could add. */
export interface MailboxCandidate {
  /** As `pvt mailbox add` takes it: `/ip4/…/tcp/…/p2p/12D3KooW…`. */
  readonly address: string;
  readonly peerId: string;
  /** A contact that serves one, or a known onion relay that does. */
  readonly from: 'contact' | 'relay';
  /** The contact's local name, sanitized for a terminal (null for a relay). */
  readonly contact: string | null;
  /** This node reached it within the last hour (MAILBOX_REACHED_LATELY_MS). */
  readonly reachable: boolean;
  /** When this node last reached it (ms since the epoch), or null. */
  readonly reachedAt: number | null;
}

export interface MailboxSuggestions {
  /** How many mailboxes the user has chosen. */
  readonly chosen: number;
  /** How many are recommended (2). */
  readonly recommended: number;
  /** Whether the TUI offers the candidates on its own (false once the user declined). */
  readonly suggest: boolean;
  /** Best first: reachable ones first, contacts before relays, most recently reached first. */
  readonly candidates: readonly MailboxCandidate[];
}

/** A contact as the suggestions need it. */
export interface ContactOffer {
  readonly name: string;
  readonly peerId: string;
  /** The address of the mailbox it said it serves (its last address update), or null. */
  readonly offer: string | null;
  /** Connected now. */
  readonly online: boolean;
  readonly lastSeenAt: number | null;
}

export interface SuggestInput {
  /** The user's own mailboxes (not suggested again). */
  readonly mine: readonly MailboxView[];
  /** This node's transport PeerId (its own mailbox is not suggested), or null offline. */
  readonly ownPeer: string | null;
  readonly relays: readonly RelayListEntry[];
  readonly contacts: readonly ContactOffer[];
  readonly nowMs: number;
}

/** The PeerId at the end of an address, or null. */
function peerOf(address: string): string | null {
  try {
    return (
      multiaddr(address)
        .getComponents()
        .findLast((c) => c.name === 'p2p')?.value ?? null
    );
  } catch {
    return null;
  }
}

function rank(c: MailboxCandidate): number {
  return (c.reachable ? 0 : 2) + (c.from === 'contact' ? 0 : 1);
}

export function suggestMailboxes(input: SuggestInput): MailboxCandidate[] {
  const taken = new Set(input.mine.map((m) => m.peerId));
  if (input.ownPeer !== null) taken.add(input.ownPeer);
  const reachedOf = new Map<string, number>();
  for (const r of input.relays) if (r.reachedAt !== null) reachedOf.set(r.peerId, r.reachedAt);
  const out: MailboxCandidate[] = [];
  const seen = new Set<string>();
  const push = (
    peerId: string,
    address: string,
    from: 'contact' | 'relay',
    contact: string | null,
    reachedAt: number | null,
  ) => {
    if (taken.has(peerId) || seen.has(peerId)) return;
    seen.add(peerId);
    const reachable = reachedAt !== null && input.nowMs - reachedAt < MAILBOX_REACHED_LATELY_MS;
    out.push({ address, peerId, from, contact, reachable, reachedAt });
  };
  for (const c of input.contacts) {
    if (c.offer === null) continue;
    const peerId = peerOf(c.offer);
    // The offer is the contact's own mailbox: it must be at its own PeerId.
    if (peerId === null || peerId !== c.peerId) continue;
    const times = [reachedOf.get(peerId), c.lastSeenAt, c.online ? input.nowMs : undefined].filter(
      (t): t is number => typeof t === 'number',
    );
    const name = sanitizeLine(c.name).trim() || 'a contact';
    push(peerId, c.offer, 'contact', name, times.length > 0 ? Math.max(...times) : null);
  }
  for (const r of input.relays) {
    if (!r.relay || !r.services.includes(MAILBOX_EXIT_SERVICE) || r.validUntil <= input.nowMs) continue;
    const first = r.addrs[0];
    if (first === undefined) continue;
    const address = first.includes('/p2p/') ? first : `${first}/p2p/${r.peerId}`;
    push(r.peerId, address, 'relay', null, r.reachedAt);
  }
  out.sort((a, b) => rank(a) - rank(b) || (b.reachedAt ?? 0) - (a.reachedAt ?? 0));
  return out.slice(0, MAILBOX_MAX_SUGGESTIONS);
}

/** The whole answer of PvtApi.mailboxSuggestions. */
export function mailboxSuggestions(input: SuggestInput, suggest: boolean): MailboxSuggestions {
  return {
    chosen: input.mine.length,
    recommended: Math.min(MAILBOX_RECOMMENDED, MAILBOX_MAX_LOCATORS),
    suggest,
    candidates: suggestMailboxes(input),
  };
}

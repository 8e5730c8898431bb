/**
 * Turning what a person typed into one contact, once, before calling PvtApi (which is keyed by contact
 * id). Only an exact match acts: the local name (ignoring case and Unicode normalisation; local names
 * are unique that way) or the contact id. Nothing else is guessed — not a display name (anyone can
 * announce any display name, so "Alice" must never reach a stranger who called himself Alice), not a
 * prefix. A name that is not exact fails: AmbiguousContactError when several names start with it,
 * ContactNotFoundError otherwise, each listing the names that could be meant. Pure: works over
 * `contacts()`.
 */
import type { ContactView } from './api.ts';
import { AmbiguousContactError, ContactNotFoundError } from './messaging-errors.ts';

/** How many names an unknown-name error lists at most. */
const MAX_CANDIDATES = 8;

function fold(text: string): string {
  return text.normalize('NFC').trim().toLowerCase();
}

export function resolveContact(contacts: readonly ContactView[], typed: string): ContactView {
  if (typeof typed !== 'string') throw new TypeError(`"name" expected string, got ${typeof typed}`);
  const k = fold(typed);
  const byName = contacts.find((c) => fold(c.name) === k);
  if (byName) return byName;
  const byId = contacts.find((c) => c.id === typed.trim());
  if (byId) return byId;
  const starting = k.length > 0 ? contacts.filter((c) => fold(c.name).startsWith(k)) : [];
  if (starting.length > 1) {
    throw new AmbiguousContactError(
      typed,
      starting.slice(0, MAX_CANDIDATES).map((c) => c.name),
    );
  }
  const near = k.length > 0 ? contacts.filter((c) => fold(c.name).includes(k)) : [];
  const candidates = (near.length > 0 ? near : contacts).slice(0, MAX_CANDIDATES).map((c) => c.name);
  throw new ContactNotFoundError(typed, candidates);
}

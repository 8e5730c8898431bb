/**
 * The store of skipped message keys, kept as an immutable list ordered oldest first: at most
 * RATCHET_MAX_SKIPPED_KEYS keys from at most RATCHET_MAX_SKIPPED_CHAINS chains; the oldest go first when
 * either bound is passed. Every operation returns a new list. Knows keys and numbers, not messages.
 */
import { equalBytes } from '../../crypto/bytes.ts';
import { RATCHET_MAX_SKIPPED_CHAINS, RATCHET_MAX_SKIPPED_KEYS } from '../constants.ts';
import type { SkippedKey } from './state.ts';

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || equalBytes(a, b);
}

/** Distinct header keys in the store, newest chain first. */
export function skippedHeaderKeys(store: readonly SkippedKey[]): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (let i = store.length - 1; i >= 0; i--) {
    const hk = (store[i] as SkippedKey).headerKey;
    if (!keys.some((k) => sameKey(k, hk))) keys.push(hk);
  }
  return keys;
}

/** Index of the key for (headerKey, n), or -1. */
export function findSkipped(store: readonly SkippedKey[], headerKey: Uint8Array, n: number): number {
  for (let i = 0; i < store.length; i++) {
    const entry = store[i] as SkippedKey;
    if (entry.n === n && sameKey(entry.headerKey, headerKey)) return i;
  }
  return -1;
}

export function removeSkipped(store: readonly SkippedKey[], index: number): readonly SkippedKey[] {
  return [...store.slice(0, index), ...store.slice(index + 1)];
}

/** Appends `added` and evicts the oldest keys (then the oldest chains) beyond the bounds. */
export function addSkipped(
  store: readonly SkippedKey[],
  added: readonly SkippedKey[],
): readonly SkippedKey[] {
  if (added.length === 0) return store;
  let next = [...store, ...added];
  if (next.length > RATCHET_MAX_SKIPPED_KEYS) next = next.slice(next.length - RATCHET_MAX_SKIPPED_KEYS);
  let chains = skippedHeaderKeys(next).length;
  while (chains > RATCHET_MAX_SKIPPED_CHAINS) {
    const oldest = (next[0] as SkippedKey).headerKey;
    next = next.filter((entry) => !sameKey(entry.headerKey, oldest));
    chains--;
  }
  return next;
}

/**
 * SHA-256 of a fixed prefix followed by varying suffixes, hashing the prefix once (the proof-of-work
 * search hashes the same 100 bytes with millions of nonces). Byte-identical to sha256(prefix ‖ suffix).
 * Pure; a thin adapter over @noble/hashes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes } from './bytes.ts';

/** A function hashing `prefix ‖ suffix` for any suffix, with the prefix's blocks absorbed once. */
export function sha256WithPrefix(prefix: Uint8Array): (suffix: Uint8Array) => Uint8Array {
  assertBytes('prefix', prefix);
  const base = sha256.create().update(prefix);
  return (suffix) => base.clone().update(suffix).digest();
}

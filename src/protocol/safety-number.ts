/**
 * Safety numbers (Signal-style): a 60-digit number both contacts see identically, computed from both
 * identities' public keys, independent of who computes it; for comparing at any time after a join
 * (read aloud, or scanned as a numeric-mode QR of the same 60 digits). Pure; knows only public keys.
 * Spec: docs/protocol/sas.md (section "Safety number").
 */
import { assertBytes, concatBytes, utf8 } from '../crypto/bytes.ts';
import { sha256Hash } from '../crypto/primitives.ts';
import { SAFETY_NUMBER_DIGITS, SAFETY_NUMBER_ITERATIONS } from './constants.ts';
import type { PublicIdentity } from './identity.ts';

const DOMAIN = utf8('pvt/safety-number/v1');
const DIGITS_PER_SIDE = SAFETY_NUMBER_DIGITS / 2;
const CHUNK_BYTES = 5;
const CHUNK_DIGITS = 5;

/**
 * One side's 30 digits: d = SHA-256("pvt/safety-number/v1" ‖ signPublic ‖ dhPublic), then 5,200 times
 * d = SHA-256(d ‖ signPublic ‖ dhPublic); the first 30 bytes as six 40-bit big-endian chunks, each
 * mod 100,000 and zero-padded to 5 digits.
 */
export function identityDigits(id: PublicIdentity): string {
  assertBytes('signPublic', id.signPublic, 32);
  assertBytes('dhPublic', id.dhPublic, 32);
  const keys = concatBytes(id.signPublic, id.dhPublic);
  let d = sha256Hash(concatBytes(DOMAIN, keys));
  const input = new Uint8Array(32 + keys.length);
  input.set(keys, 32);
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) {
    input.set(d, 0);
    d = sha256Hash(input);
  }
  let out = '';
  for (let i = 0; i < DIGITS_PER_SIDE / CHUNK_DIGITS; i++) {
    let chunk = 0;
    for (let j = 0; j < CHUNK_BYTES; j++) chunk = chunk * 256 + (d[i * CHUNK_BYTES + j] as number);
    out += (chunk % 100_000).toString().padStart(CHUNK_DIGITS, '0');
  }
  return out;
}

/** 60 digits: both sides' 30 digits, the lexicographically smaller first (so both people see the same). */
export function safetyNumber(a: PublicIdentity, b: PublicIdentity): string {
  const x = identityDigits(a);
  const y = identityDigits(b);
  return x <= y ? x + y : y + x;
}

/** The 12 groups of 5 digits. */
export function safetyNumberGroups(digits: string): string[] {
  if (!new RegExp(`^\\d{${SAFETY_NUMBER_DIGITS}}$`).test(digits)) {
    throw new RangeError(`"digits" expected ${SAFETY_NUMBER_DIGITS} decimal digits`);
  }
  return digits.match(/\d{5}/g) ?? [];
}

/** "12345 67890 …" in 12 groups; `perLine` groups per line (default all on one line). */
export function formatSafetyNumber(digits: string, perLine = 12): string {
  const groups = safetyNumberGroups(digits);
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += perLine) lines.push(groups.slice(i, i + perLine).join(' '));
  return lines.join('\n');
}

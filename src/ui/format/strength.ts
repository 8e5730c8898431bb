/**
 * A rough passphrase strength estimate for the onboarding hint: length times the log2 of the character
 * pool in use, with repeated characters counting half. It is a nudge, not a guarantee (it knows no
 * dictionaries); the real protection is Argon2id in the store. Pure; knows nothing about Ink.
 */

export const MIN_PASSPHRASE_CHARS = 8;

export type Strength = 'too-short' | 'weak' | 'fair' | 'strong';

export interface StrengthEstimate {
  readonly strength: Strength;
  readonly bits: number;
  readonly hint: string;
}

const WEAK_BELOW_BITS = 45;
const FAIR_BELOW_BITS = 70;

function poolSize(chars: readonly string[]): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let space = false;
  let symbol = false;
  let other = false;
  for (const c of chars) {
    if (/^[a-z]$/u.test(c)) lower = true;
    else if (/^[A-Z]$/u.test(c)) upper = true;
    else if (/^[0-9]$/u.test(c)) digit = true;
    else if (c === ' ') space = true;
    else if (/^[\x21-\x7e]$/u.test(c)) symbol = true;
    else other = true;
  }
  return (
    (lower ? 26 : 0) +
    (upper ? 26 : 0) +
    (digit ? 10 : 0) +
    (space ? 1 : 0) +
    (symbol ? 33 : 0) +
    (other ? 100 : 0)
  );
}

export function estimateStrength(passphrase: string): StrengthEstimate {
  const chars = [...passphrase];
  if (chars.length < MIN_PASSPHRASE_CHARS) {
    return {
      strength: 'too-short',
      bits: 0,
      hint: `too short: at least ${MIN_PASSPHRASE_CHARS} characters`,
    };
  }
  const seen = new Set<string>();
  let effective = 0;
  for (const c of chars) {
    effective += seen.has(c) ? 0.5 : 1;
    seen.add(c);
  }
  const bits = Math.round(effective * Math.log2(Math.max(2, poolSize(chars))));
  if (bits < WEAK_BELOW_BITS) {
    return { strength: 'weak', bits, hint: 'weak: make it longer; a few random words work well' };
  }
  if (bits < FAIR_BELOW_BITS) {
    return { strength: 'fair', bits, hint: 'fair: a few more characters or another word make it strong' };
  }
  return { strength: 'strong', bits, hint: 'strong' };
}

/**
 * The proof-of-work difficulty a mailbox asks for (docs/mailbox.md, "Load"): the base, plus bits for how
 * full the store is and for deposits per minute above normal (one bit per doubling), capped at the
 * protocol maximum. Pure.
 */
import { MAILBOX_POW_BASE_BITS, MAILBOX_POW_MAX_BITS } from '../../protocol/mailbox/constants.ts';
import { MAILBOX_NORMAL_DEPOSITS_PER_MINUTE } from './constants.ts';

export function difficultyFor(
  fill: number,
  depositsPerMinute: number,
  base = MAILBOX_POW_BASE_BITS,
  normalPerMinute = MAILBOX_NORMAL_DEPOSITS_PER_MINUTE,
): number {
  let bits = base;
  if (fill >= 0.9) bits += 6;
  else if (fill >= 0.75) bits += 4;
  else if (fill >= 0.5) bits += 2;
  if (depositsPerMinute > normalPerMinute) {
    bits += Math.floor(Math.log2(depositsPerMinute / normalPerMinute)) + 1;
  }
  return Math.min(MAILBOX_POW_MAX_BITS, Math.max(0, bits));
}

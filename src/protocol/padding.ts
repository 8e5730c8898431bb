/**
 * Length padding for plaintexts inside the encryption (docs/protocol/ratchet.md, "Payload"): Padmé
 * (Nikitin et al., PETS 2019) above a floor, so every short message has one size and a longer one leaks
 * at most O(log log L) bits of its length at ≤ 12 % overhead. Pure arithmetic; knows no formats.
 */
import { PAYLOAD_MIN_PADDED_BYTES } from './constants.ts';

/** Padmé: round L up so that only the top ⌊log2 ⌊log2 L⌋⌋ + 1 bits of the length may be non-zero. */
export function padmeLength(length: number): number {
  if (!Number.isInteger(length) || length < 0 || length > 0x7fffffff) {
    throw new RangeError(`"length" expected an integer in [0, 2^31), got ${length}`);
  }
  if (length < 2) return length;
  const e = 31 - Math.clz32(length);
  const s = 32 - Math.clz32(e);
  const lastBits = e - s;
  const mask = (1 << lastBits) - 1;
  return (length + mask) & ~mask;
}

/** The padded size of a record of `length` bytes: Padmé, but never below `minimum` (default 256). */
export function paddedLength(length: number, minimum: number = PAYLOAD_MIN_PADDED_BYTES): number {
  if (!Number.isInteger(minimum) || minimum < 0) {
    throw new RangeError(`"minimum" expected a non-negative integer, got ${minimum}`);
  }
  return Math.max(minimum, padmeLength(length));
}

/**
 * Proof of work for deposits (docs/protocol/mailbox.md, "Proof of work"):
 *
 *   h = SHA-256("pvt/mailbox/v1/pow" ‖ mailboxId(32) ‖ token(32) ‖ envelopeHash(32) ‖ u32 bucket ‖ nonce(8))
 *
 * is valid at difficulty d when its first d bits are zero. It binds one envelope to one slot of one
 * mailbox in one time bucket, so work done for a deposit is worth nothing anywhere else; a mailbox checks
 * it with one hash (it hashes the envelope anyway to file it). Pure: time and randomness are parameters.
 */
import { assertBytes, concatBytes, type Rng, u32be, utf8 } from '../../crypto/bytes.ts';
import { sha256Hash } from '../../crypto/primitives.ts';
import { sha256Fast } from '../../crypto/sha256-fast.ts';
import {
  MAILBOX_HASH_BYTES,
  MAILBOX_KEY_BYTES,
  MAILBOX_POW_BUCKET_SECONDS,
  MAILBOX_POW_BUCKET_SLACK,
  MAILBOX_POW_MAX_BITS,
  MAILBOX_POW_NONCE_BYTES,
} from './constants.ts';
import { MailboxPowExhaustedError } from './errors.ts';

const POW_LABEL = utf8('pvt/mailbox/v1/pow');
const MAILBOX_ID_LABEL = utf8('pvt/mailbox/v1/id');

/** What a proof of work is bound to. */
export interface PowTarget {
  readonly mailboxId: Uint8Array;
  readonly token: Uint8Array;
  readonly envelopeHash: Uint8Array;
  readonly bucket: number;
}

/** The 32-byte id a mailbox's proofs are bound to: a hash of its transport PeerId bytes. */
export function mailboxIdOf(peerIdBytes: Uint8Array): Uint8Array {
  assertBytes('peerIdBytes', peerIdBytes);
  return sha256Hash(concatBytes(MAILBOX_ID_LABEL, peerIdBytes));
}

/** The SHA-256 an envelope is known by (dedup, delete, proof of work). */
export function envelopeHash(envelope: Uint8Array): Uint8Array {
  assertBytes('envelope', envelope);
  return sha256Fast(envelope);
}

/** The time bucket containing `nowMs`. */
export function powBucketAt(nowMs: number): number {
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new RangeError(`"nowMs" expected a time, got ${nowMs}`);
  return Math.floor(nowMs / 1000 / MAILBOX_POW_BUCKET_SECONDS) >>> 0;
}

/** Whether a deposit's bucket is close enough to the mailbox's current one. */
export function bucketAcceptable(bucket: number, currentBucket: number): boolean {
  return Math.abs(bucket - currentBucket) <= MAILBOX_POW_BUCKET_SLACK;
}

function prefixOf(t: PowTarget): Uint8Array {
  assertBytes('mailboxId', t.mailboxId, MAILBOX_KEY_BYTES);
  assertBytes('token', t.token, MAILBOX_KEY_BYTES);
  assertBytes('envelopeHash', t.envelopeHash, MAILBOX_HASH_BYTES);
  return concatBytes(POW_LABEL, t.mailboxId, t.token, t.envelopeHash, u32be(t.bucket));
}

/** Leading zero bits of a hash. */
export function leadingZeroBits(h: Uint8Array): number {
  let bits = 0;
  for (const byte of h) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** The proof-of-work hash of a target and nonce. */
export function powHash(target: PowTarget, nonce: Uint8Array): Uint8Array {
  assertBytes('nonce', nonce, MAILBOX_POW_NONCE_BYTES);
  return sha256Fast(concatBytes(prefixOf(target), nonce));
}

/** One hash: whether `nonce` is a proof of `bits` leading zero bits for `target`. */
export function verifyPow(target: PowTarget, nonce: Uint8Array, bits: number): boolean {
  if (nonce.length !== MAILBOX_POW_NONCE_BYTES) return false;
  return leadingZeroBits(powHash(target, nonce)) >= bits;
}

/**
 * Searches a nonce of `bits` (0..MAILBOX_POW_MAX_BITS) for `target`, starting from a random point and
 * giving up after `maxAttempts` (MailboxPowExhaustedError). Expected cost: 2^bits hashes.
 */
export function solvePow(
  target: PowTarget,
  bits: number,
  rng: Rng,
  maxAttempts = 2 ** (MAILBOX_POW_MAX_BITS + 4),
): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAILBOX_POW_MAX_BITS) {
    throw new RangeError(`"bits" expected an integer in [0, ${MAILBOX_POW_MAX_BITS}], got ${bits}`);
  }
  const start = rng(MAILBOX_POW_NONCE_BYTES);
  assertBytes('rng output', start, MAILBOX_POW_NONCE_BYTES);
  const prefix = prefixOf(target);
  // prefix ‖ nonce in one buffer; the nonce is counted up in place.
  const input = concatBytes(prefix, start);
  const view = new DataView(input.buffer, prefix.length, MAILBOX_POW_NONCE_BYTES);
  for (let i = 0; i < maxAttempts; i++) {
    if (leadingZeroBits(sha256Fast(input)) >= bits) return input.slice(prefix.length);
    // Count upwards in the low 32 bits (the random high half keeps two solvers apart).
    view.setUint32(4, (view.getUint32(4, false) + 1) >>> 0, false);
  }
  throw new MailboxPowExhaustedError(bits, maxAttempts);
}

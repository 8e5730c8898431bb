/**
 * Mailbox slots of a contact pair (docs/protocol/mailbox.md, "Tokens and capabilities"): from the pair
 * secret both contacts hold, one key per direction, and from it, per epoch, a hash chain
 *
 *   deleteCap = HMAC(k_slot_dir, epoch)    fetchCap = H("…/fetch" ‖ deleteCap)    token = H("…/token" ‖ fetchCap)
 *
 * A mailbox files envelopes under the token, hands them out to whoever shows the fetch capability and
 * deletes them for whoever shows the delete capability, each check one hash; it never learns the keys,
 * and tokens of different epochs or directions are unrelated to it. Epochs are fixed windows of
 * MAILBOX_EPOCH_SECONDS. Pure: time comes in as a parameter; knows nothing about storage or streams.
 */
import { assertBytes, concatBytes, u64be, utf8 } from '../../crypto/bytes.ts';
import { hkdfSha256, hmacSha256, sha256Hash, x25519 } from '../../crypto/primitives.ts';
import { MAILBOX_EPOCH_SECONDS, MAILBOX_KEY_BYTES, MAILBOX_POLL_EPOCHS } from './constants.ts';

const PAIR_SALT = utf8('pvt/mailbox/v1/pair');
const DIRECTION_SALT = utf8('pvt/mailbox/v1/direction');
const SLOT_INFO = utf8('pvt/mailbox/v1/slot');
const ENVELOPE_INFO = utf8('pvt/mailbox/v1/envelope');
const FETCH_LABEL = utf8('pvt/mailbox/v1/fetch');
const TOKEN_LABEL = utf8('pvt/mailbox/v1/token');

/** The keys of one direction (sender → recipient) of a pair. */
export interface DirectionKeys {
  /** Keys the epoch slots (tokens and capabilities). */
  readonly slotKey: Uint8Array;
  /** Seals envelopes (docs/protocol/mailbox.md, "Envelopes"). */
  readonly envelopeKey: Uint8Array;
}

/** One epoch's slot of one direction. */
export interface Slot {
  readonly epoch: number;
  readonly token: Uint8Array;
  readonly fetchCap: Uint8Array;
  readonly deleteCap: Uint8Array;
}

function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`"epoch" expected a non-negative safe integer, got ${epoch}`);
  }
}

/**
 * The keys of the direction `senderKey → recipientKey` (32-byte labels naming each side, e.g. their
 * identity signing keys). Both contacts derive the same keys for a direction; the two directions differ.
 */
export function directionKeys(
  pairSecret: Uint8Array,
  senderKey: Uint8Array,
  recipientKey: Uint8Array,
): DirectionKeys {
  assertBytes('pairSecret', pairSecret, MAILBOX_KEY_BYTES);
  assertBytes('senderKey', senderKey, MAILBOX_KEY_BYTES);
  assertBytes('recipientKey', recipientKey, MAILBOX_KEY_BYTES);
  const dir = hkdfSha256(pairSecret, DIRECTION_SALT, concatBytes(senderKey, recipientKey), MAILBOX_KEY_BYTES);
  const slotKey = hkdfSha256(dir, undefined, SLOT_INFO, MAILBOX_KEY_BYTES);
  const envelopeKey = hkdfSha256(dir, undefined, ENVELOPE_INFO, MAILBOX_KEY_BYTES);
  dir.fill(0);
  return { slotKey, envelopeKey };
}

/**
 * The pair secret of two contacts, from their long-term identity keys: HKDF of the X25519 of the two
 * identity DH keys, labelled with both signing keys (in byte order, so both sides agree). Both sides
 * compute it without any exchange. Classical only (a future quantum attacker who knows both identity
 * public keys could compute it: it protects slot metadata, never content, which the ratchet seals).
 */
export function pairSecretOf(
  ownDhSecret: Uint8Array,
  theirDhPublic: Uint8Array,
  ownSignPublic: Uint8Array,
  theirSignPublic: Uint8Array,
): Uint8Array {
  assertBytes('ownSignPublic', ownSignPublic, MAILBOX_KEY_BYTES);
  assertBytes('theirSignPublic', theirSignPublic, MAILBOX_KEY_BYTES);
  const shared = x25519(ownDhSecret, theirDhPublic);
  const first = Buffer.compare(Buffer.from(ownSignPublic), Buffer.from(theirSignPublic)) <= 0;
  const info = first
    ? concatBytes(ownSignPublic, theirSignPublic)
    : concatBytes(theirSignPublic, ownSignPublic);
  const out = hkdfSha256(shared, PAIR_SALT, info, MAILBOX_KEY_BYTES);
  shared.fill(0);
  return out;
}

/** The epoch containing `nowMs` (milliseconds since the Unix epoch). */
export function epochAt(nowMs: number): number {
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new RangeError(`"nowMs" expected a time, got ${nowMs}`);
  return Math.floor(nowMs / 1000 / MAILBOX_EPOCH_SECONDS);
}

/** The fetch capability that opens the slot of `deleteCap` (one hash). */
export function fetchCapOf(deleteCap: Uint8Array): Uint8Array {
  assertBytes('deleteCap', deleteCap, MAILBOX_KEY_BYTES);
  return sha256Hash(concatBytes(FETCH_LABEL, deleteCap));
}

/** The token a fetch capability opens (one hash). */
export function tokenOf(fetchCap: Uint8Array): Uint8Array {
  assertBytes('fetchCap', fetchCap, MAILBOX_KEY_BYTES);
  return sha256Hash(concatBytes(TOKEN_LABEL, fetchCap));
}

/** The slot of a direction in an epoch. */
export function slotFor(keys: DirectionKeys, epoch: number): Slot {
  checkEpoch(epoch);
  const deleteCap = hmacSha256(keys.slotKey, u64be(epoch));
  const fetchCap = fetchCapOf(deleteCap);
  return { epoch, deleteCap, fetchCap, token: tokenOf(fetchCap) };
}

/**
 * The epochs a recipient polls, newest first: from `nowEpoch + 1` (a sender whose clock runs ahead)
 * down to the later of `sinceEpoch` and the oldest epoch a mailbox can still hold.
 */
export function pollEpochs(nowEpoch: number, sinceEpoch = 0): number[] {
  checkEpoch(nowEpoch);
  const oldest = Math.max(0, nowEpoch - MAILBOX_POLL_EPOCHS + 1, Math.min(sinceEpoch, nowEpoch));
  const out: number[] = [];
  for (let e = nowEpoch + 1; e >= oldest; e--) out.push(e);
  return out;
}

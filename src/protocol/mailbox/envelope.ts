/**
 * Envelopes (docs/protocol/mailbox.md, "Envelopes"): a payload (a sealed ratchet message, already
 * end-to-end encrypted) split into fragments, each sealed into exactly MAILBOX_ENVELOPE_BYTES bytes:
 *
 *   envelope  = nonce(24) ‖ XChaCha20-Poly1305(envelopeKey, nonce, plaintext, aad = label ‖ u64 epoch)
 *   plaintext = version(1) ‖ messageId(16) ‖ index(1) ‖ count(1) ‖ length(u16) ‖ data ‖ zeros
 *
 * Every envelope of every pair looks the same to a mailbox: same size, uniformly random bytes. The epoch
 * in the associated data stops a mailbox replaying an envelope into another epoch's slot. The
 * reassembler joins fragments back into payloads with bounded memory. Pure: randomness is a parameter.
 */
import { assertBytes, concatBytes, type Rng, toHex, u64be, utf8 } from '../../crypto/bytes.ts';
import { aeadOpen, aeadSeal } from '../../crypto/primitives.ts';
import {
  MAILBOX_ENVELOPE_BYTES,
  MAILBOX_FRAGMENT_DATA_BYTES,
  MAILBOX_FRAGMENT_HEADER_BYTES,
  MAILBOX_KEY_BYTES,
  MAILBOX_MAX_FRAGMENTS,
  MAILBOX_MAX_PARTIAL_MESSAGES,
  MAILBOX_MAX_PAYLOAD_BYTES,
  MAILBOX_MESSAGE_ID_BYTES,
  MAILBOX_NONCE_BYTES,
  MAILBOX_PLAINTEXT_BYTES,
  MAILBOX_VERSION,
} from './constants.ts';
import {
  MailboxEnvelopeAuthError,
  MailboxPayloadTooLargeError,
  MalformedMailboxMessageError,
} from './errors.ts';

const AAD_LABEL = utf8('pvt/mailbox/v1/envelope');

/** One opened envelope. */
export interface Fragment {
  readonly messageId: Uint8Array;
  readonly index: number;
  readonly count: number;
  readonly data: Uint8Array;
}

function aad(epoch: number): Uint8Array {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`"epoch" expected a non-negative safe integer, got ${epoch}`);
  }
  return concatBytes(AAD_LABEL, u64be(epoch));
}

/** Splits `payload` (1..MAILBOX_MAX_PAYLOAD_BYTES) into sealed envelopes for `epoch`, in order. */
export function sealEnvelopes(
  envelopeKey: Uint8Array,
  epoch: number,
  payload: Uint8Array,
  rng: Rng,
): Uint8Array[] {
  assertBytes('envelopeKey', envelopeKey, MAILBOX_KEY_BYTES);
  assertBytes('payload', payload);
  if (payload.length === 0) throw new RangeError('"payload" expected at least 1 byte, got 0');
  if (payload.length > MAILBOX_MAX_PAYLOAD_BYTES) {
    throw new MailboxPayloadTooLargeError(payload.length, MAILBOX_MAX_PAYLOAD_BYTES);
  }
  const ad = aad(epoch);
  const messageId = rng(MAILBOX_MESSAGE_ID_BYTES);
  assertBytes('rng output', messageId, MAILBOX_MESSAGE_ID_BYTES);
  const count = Math.ceil(payload.length / MAILBOX_FRAGMENT_DATA_BYTES);
  const out: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const data = payload.subarray(
      index * MAILBOX_FRAGMENT_DATA_BYTES,
      (index + 1) * MAILBOX_FRAGMENT_DATA_BYTES,
    );
    const plain = new Uint8Array(MAILBOX_PLAINTEXT_BYTES);
    plain[0] = MAILBOX_VERSION;
    plain.set(messageId, 1);
    plain[17] = index;
    plain[18] = count;
    new DataView(plain.buffer).setUint16(19, data.length, false);
    plain.set(data, MAILBOX_FRAGMENT_HEADER_BYTES);
    const nonce = rng(MAILBOX_NONCE_BYTES);
    assertBytes('rng output', nonce, MAILBOX_NONCE_BYTES);
    const envelope = concatBytes(nonce, aeadSeal(envelopeKey, nonce, plain, ad));
    plain.fill(0);
    out.push(envelope);
  }
  return out;
}

/**
 * Opens one envelope of `epoch`. MailboxEnvelopeAuthError when it was not sealed under this key and
 * epoch; MalformedMailboxMessageError when it opens but its fields make no sense.
 */
export function openEnvelope(envelopeKey: Uint8Array, epoch: number, envelope: Uint8Array): Fragment {
  assertBytes('envelopeKey', envelopeKey, MAILBOX_KEY_BYTES);
  assertBytes('envelope', envelope);
  if (envelope.length !== MAILBOX_ENVELOPE_BYTES) {
    throw new MalformedMailboxMessageError(
      `envelope expected ${MAILBOX_ENVELOPE_BYTES} bytes, got ${envelope.length}`,
    );
  }
  const nonce = envelope.subarray(0, MAILBOX_NONCE_BYTES);
  const plain = aeadOpen(envelopeKey, nonce, envelope.subarray(MAILBOX_NONCE_BYTES), aad(epoch));
  if (plain === null) throw new MailboxEnvelopeAuthError();
  if (plain[0] !== MAILBOX_VERSION) {
    throw new MalformedMailboxMessageError(`envelope version expected ${MAILBOX_VERSION}, got ${plain[0]}`);
  }
  const index = plain[17] as number;
  const count = plain[18] as number;
  const length = new DataView(plain.buffer, plain.byteOffset).getUint16(19, false);
  if (count < 1 || count > MAILBOX_MAX_FRAGMENTS || index >= count) {
    throw new MalformedMailboxMessageError(`fragment ${index} of ${count}`);
  }
  if (length < 1 || length > MAILBOX_FRAGMENT_DATA_BYTES) {
    throw new MalformedMailboxMessageError(`fragment length ${length}`);
  }
  for (let i = MAILBOX_FRAGMENT_HEADER_BYTES + length; i < plain.length; i++) {
    if (plain[i] !== 0) throw new MalformedMailboxMessageError('non-zero padding');
  }
  return {
    messageId: plain.slice(1, 1 + MAILBOX_MESSAGE_ID_BYTES),
    index,
    count,
    data: plain.slice(MAILBOX_FRAGMENT_HEADER_BYTES, MAILBOX_FRAGMENT_HEADER_BYTES + length),
  };
}

interface Partial {
  readonly count: number;
  readonly parts: (Uint8Array | undefined)[];
  have: number;
}

/**
 * Joins fragments into payloads. Holds at most MAILBOX_MAX_PARTIAL_MESSAGES incomplete payloads (the
 * oldest is dropped first); a fragment contradicting its message's count drops that message; a repeated
 * fragment is ignored.
 */
export class Reassembler {
  readonly #partial = new Map<string, Partial>();

  /** Adds a fragment; returns the whole payload when it completes one, else null. */
  add(fragment: Fragment): Uint8Array | null {
    if (fragment.count === 1) return fragment.data;
    const key = toHex(fragment.messageId);
    let p = this.#partial.get(key);
    if (p !== undefined && p.count !== fragment.count) {
      this.#partial.delete(key);
      return null;
    }
    if (p === undefined) {
      p = { count: fragment.count, parts: new Array(fragment.count).fill(undefined), have: 0 };
      this.#partial.set(key, p);
      if (this.#partial.size > MAILBOX_MAX_PARTIAL_MESSAGES) {
        const oldest = this.#partial.keys().next().value;
        if (oldest !== undefined) this.#partial.delete(oldest);
      }
    }
    if (p.parts[fragment.index] !== undefined) return null;
    p.parts[fragment.index] = fragment.data;
    p.have += 1;
    if (p.have < p.count) return null;
    this.#partial.delete(key);
    return concatBytes(...(p.parts as Uint8Array[]));
  }

  /** Incomplete payloads held. */
  get pending(): number {
    return this.#partial.size;
  }
}

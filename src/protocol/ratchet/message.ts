/**
 * The ratchet message on the wire (docs/protocol/ratchet.md, "Message"): version ‖ nonce ‖ sealed header ‖
 * encrypted KEM field ‖ sealed body, and the associated data each AEAD binds. Splits and checks sizes;
 * knows nothing about keys.
 */
import { concatBytes } from '../../crypto/bytes.ts';
import {
  RATCHET_KEM_FIELD_BYTES,
  RATCHET_MAX_MESSAGE_BYTES,
  RATCHET_MESSAGE_OVERHEAD_BYTES,
  RATCHET_NONCE_BYTES,
  RATCHET_PREFIX_BYTES,
  RATCHET_SEALED_HEADER_BYTES,
  RATCHET_VERSION,
} from '../constants.ts';
import { MalformedRatchetMessageError, UnsupportedRatchetVersionError } from '../errors.ts';

export interface MessageParts {
  readonly nonce: Uint8Array;
  readonly sealedHeader: Uint8Array;
  readonly kemField: Uint8Array;
  /** version ‖ nonce ‖ sealed header ‖ KEM field: the body's associated data. */
  readonly prefix: Uint8Array;
  readonly sealedBody: Uint8Array;
}

const VERSION_BYTE = Uint8Array.of(RATCHET_VERSION);
const HEADER_OFFSET = 1 + RATCHET_NONCE_BYTES;
const KEM_FIELD_OFFSET = HEADER_OFFSET + RATCHET_SEALED_HEADER_BYTES;

/** Associated data of the header AEAD: session AD ‖ version. */
export function headerAssociatedData(associatedData: Uint8Array): Uint8Array {
  return concatBytes(associatedData, VERSION_BYTE);
}

/** Lays out a message; `body` is sealed afterwards over `prefix` (returned as a view into `message`). */
export function assembleMessage(
  nonce: Uint8Array,
  sealedHeader: Uint8Array,
  kemField: Uint8Array,
  bodyLength: number,
): { message: Uint8Array; prefix: Uint8Array } {
  const message = new Uint8Array(RATCHET_PREFIX_BYTES + bodyLength);
  message[0] = RATCHET_VERSION;
  message.set(nonce, 1);
  message.set(sealedHeader, HEADER_OFFSET);
  message.set(kemField, KEM_FIELD_OFFSET);
  return { message, prefix: message.subarray(0, RATCHET_PREFIX_BYTES) };
}

/** Splits a message; throws on an unknown version or an impossible length. */
export function splitMessage(message: Uint8Array): MessageParts {
  if (message.length < 1) throw new MalformedRatchetMessageError('empty message');
  const version = message[0] as number;
  if (version !== RATCHET_VERSION) throw new UnsupportedRatchetVersionError(version);
  if (message.length < RATCHET_MESSAGE_OVERHEAD_BYTES) {
    throw new MalformedRatchetMessageError(
      `message of ${message.length} bytes is shorter than the ${RATCHET_MESSAGE_OVERHEAD_BYTES}-byte minimum`,
    );
  }
  if (message.length > RATCHET_MAX_MESSAGE_BYTES) {
    throw new MalformedRatchetMessageError(
      `message of ${message.length} bytes exceeds the ${RATCHET_MAX_MESSAGE_BYTES}-byte maximum`,
    );
  }
  return {
    nonce: message.subarray(1, HEADER_OFFSET),
    sealedHeader: message.subarray(HEADER_OFFSET, KEM_FIELD_OFFSET),
    kemField: message.subarray(KEM_FIELD_OFFSET, KEM_FIELD_OFFSET + RATCHET_KEM_FIELD_BYTES),
    prefix: message.subarray(0, RATCHET_PREFIX_BYTES),
    sealedBody: message.subarray(RATCHET_PREFIX_BYTES),
  };
}

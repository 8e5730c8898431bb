/**
 * The two plaintext parts of a ratchet header (docs/protocol/ratchet.md, "Message"): the 41-byte core
 * (KEM kind, the sender's ratchet public key, PN, N), sealed under the header key and trial-decrypted; and
 * the 1,184-byte KEM field (an encapsulation key, or a ciphertext zero-padded to the same size), encrypted
 * separately and read only for the first message of a new chain. Strict decoders. Knows no keys.
 */
import {
  RATCHET_HEADER_PLAINTEXT_BYTES,
  RATCHET_KEM_CIPHERTEXT_BYTES,
  RATCHET_KEM_FIELD_BYTES,
  RATCHET_KEY_BYTES,
} from '../constants.ts';
import { MalformedRatchetMessageError } from '../errors.ts';
import { KEM_KIND_CIPHERTEXT, KEM_KIND_PUBLIC_KEY, type KemKind } from './state.ts';

export interface RatchetHeader {
  readonly kemKind: KemKind;
  readonly dhPublic: Uint8Array;
  /** PN: length of the sender's previous chain. */
  readonly pn: number;
  /** N: this message's number in its chain. */
  readonly n: number;
}

const DH_OFFSET = 1;
const PN_OFFSET = DH_OFFSET + RATCHET_KEY_BYTES;
const N_OFFSET = PN_OFFSET + 4;

export function encodeHeader(header: RatchetHeader): Uint8Array {
  const out = new Uint8Array(RATCHET_HEADER_PLAINTEXT_BYTES);
  const view = new DataView(out.buffer);
  out[0] = header.kemKind;
  out.set(header.dhPublic, DH_OFFSET);
  view.setUint32(PN_OFFSET, header.pn, false);
  view.setUint32(N_OFFSET, header.n, false);
  return out;
}

/** Decodes an authenticated header core; throws MalformedRatchetMessageError on any bad field. */
export function decodeHeader(bytes: Uint8Array): RatchetHeader {
  if (bytes.length !== RATCHET_HEADER_PLAINTEXT_BYTES) {
    throw new MalformedRatchetMessageError(`header of ${bytes.length} bytes`);
  }
  const kind = bytes[0];
  if (kind !== KEM_KIND_CIPHERTEXT && kind !== KEM_KIND_PUBLIC_KEY) {
    throw new MalformedRatchetMessageError(`unknown KEM kind ${kind}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    kemKind: kind,
    dhPublic: bytes.slice(DH_OFFSET, PN_OFFSET),
    pn: view.getUint32(PN_OFFSET, false),
    n: view.getUint32(N_OFFSET, false),
  };
}

/** The KEM field plaintext: the key as is, a ciphertext followed by 96 zero bytes. */
export function encodeKemField(kind: KemKind, kem: Uint8Array): Uint8Array {
  if (kind === KEM_KIND_PUBLIC_KEY) return kem;
  const out = new Uint8Array(RATCHET_KEM_FIELD_BYTES);
  out.set(kem);
  return out;
}

/** The KEM value of a decrypted KEM field; a ciphertext's padding must be zero. */
export function decodeKemField(kind: KemKind, field: Uint8Array): Uint8Array {
  if (field.length !== RATCHET_KEM_FIELD_BYTES) {
    throw new MalformedRatchetMessageError(`KEM field of ${field.length} bytes`);
  }
  if (kind === KEM_KIND_PUBLIC_KEY) return field;
  for (let i = RATCHET_KEM_CIPHERTEXT_BYTES; i < field.length; i++) {
    if (field[i] !== 0) throw new MalformedRatchetMessageError('non-zero padding after the KEM ciphertext');
  }
  return field.slice(0, RATCHET_KEM_CIPHERTEXT_BYTES);
}

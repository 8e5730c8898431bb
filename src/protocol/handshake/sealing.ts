/**
 * The handshake's uses of the primitives, with every failure a peer can cause turned into a named
 * error: AEAD open (→ HandshakeAuthFailed), X25519 with a peer key and ML-KEM encapsulation to a peer
 * key (→ MalformedHandshakeMessage on low-order or malformed keys), transcript signatures. Pure.
 */
import type { CryptoBackend } from '../../crypto/backend.ts';
import { assertBytes, concatBytes, type Rng, utf8, wipe } from '../../crypto/bytes.ts';
import {
  aeadOpen,
  aeadSeal,
  ed25519Sign,
  ed25519Verify,
  MLKEM768_PUBLIC_BYTES,
  mlkemEncapsulate,
  x25519,
} from '../../crypto/primitives.ts';
import { HANDSHAKE_NONCE_BYTES } from '../constants.ts';
import { HandshakeAuthFailedError, MalformedHandshakeMessageError } from '../errors.ts';

export function freshNonce(rng: Rng): Uint8Array {
  const nonce = rng(HANDSHAKE_NONCE_BYTES);
  assertBytes('rng output', nonce, HANDSHAKE_NONCE_BYTES);
  return nonce;
}

export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  try {
    return aeadSeal(key, nonce, plaintext, aad);
  } finally {
    wipe(key);
  }
}

/** AEAD open, or HandshakeAuthFailed naming the segment. Wipes `key`. */
export function open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
  what: string,
): Uint8Array {
  const plaintext = aeadOpen(key, nonce, sealed, aad);
  wipe(key);
  if (plaintext === null) throw new HandshakeAuthFailedError(`${what} does not authenticate`);
  return plaintext;
}

/** X25519 with a key received from the peer; a low-order or otherwise unusable key → MalformedHandshakeMessage. */
export function dhWithPeer(secretKey: Uint8Array, peerPublic: Uint8Array, what: string): Uint8Array {
  try {
    return x25519(secretKey, peerPublic);
  } catch {
    throw new MalformedHandshakeMessageError(`unusable X25519 key: ${what}`);
  }
}

/** A fixed clamped scalar: X25519 with it maps exactly the low-order points to the all-zero result. */
const PROBE_SCALAR = new Uint8Array(32).fill(0x5a);

/**
 * Checks an X25519 key received from the peer that is stored now and used later (the ratchet's initial
 * key): a low-order or malformed key → MalformedHandshakeMessage now.
 */
export function assertPeerDhPublicKey(peerPublic: Uint8Array, what: string): void {
  if (peerPublic.length !== 32) throw new MalformedHandshakeMessageError(`unusable X25519 key: ${what}`);
  wipe(dhWithPeer(PROBE_SCALAR, peerPublic, what));
}

const MLKEM_Q = 3329;
const MLKEM768_T_BYTES = 1152;

/**
 * FIPS 203 §7.2 encapsulation-key check (ByteEncode12(ByteDecode12(t)) = t, i.e. every 12-bit
 * coefficient below q = 3329), done here so a bad key is refused when it arrives, not when it is used.
 */
export function assertPeerKemPublicKey(kemPublic: Uint8Array): void {
  if (kemPublic.length !== MLKEM768_PUBLIC_BYTES) {
    throw new MalformedHandshakeMessageError('unusable ML-KEM-768 public key (length)');
  }
  for (let i = 0; i < MLKEM768_T_BYTES; i += 3) {
    const b1 = kemPublic[i + 1] as number;
    const c0 = (kemPublic[i] as number) | ((b1 & 0x0f) << 8);
    const c1 = (b1 >>> 4) | ((kemPublic[i + 2] as number) << 4);
    if (c0 >= MLKEM_Q || c1 >= MLKEM_Q)
      throw new MalformedHandshakeMessageError('unusable ML-KEM-768 public key');
  }
}

/**
 * ML-KEM-768 encapsulation to a key received from the peer; a malformed key → MalformedHandshakeMessage.
 * A backend whose randomness is the `Rng` (noble: vectors, frozen transcripts) encapsulates from 32 bytes
 * of it; the node:crypto backend (the launcher's choice) imports the key, which checks it, and
 * encapsulates with OpenSSL's randomness (≈ 6× faster; it cannot take caller randomness).
 */
export function encapsulateToPeer(
  kemPublic: Uint8Array,
  rng: Rng,
  backend: CryptoBackend,
): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  if (backend.randomness === 'openssl') {
    try {
      return backend.kemEncapsulate(backend.kemImportPublic(kemPublic), rng);
    } catch {
      throw new MalformedHandshakeMessageError('unusable ML-KEM-768 public key');
    }
  }
  const randomness = rng(32);
  assertBytes('rng output', randomness, 32);
  try {
    return mlkemEncapsulate(kemPublic, () => randomness);
  } catch {
    throw new MalformedHandshakeMessageError('unusable ML-KEM-768 public key');
  }
}

export const INVITER_SIGNATURE_DOMAIN = utf8('pvt/hs/v1/sig/inviter');
export const JOINER_SIGNATURE_DOMAIN = utf8('pvt/hs/v1/sig/joiner');

export function signTranscript(signSecret: Uint8Array, domain: Uint8Array, digest: Uint8Array): Uint8Array {
  return ed25519Sign(signSecret, concatBytes(domain, digest));
}

/** Verifies a transcript signature or throws HandshakeAuthFailed. */
export function verifyTranscript(
  signPublic: Uint8Array,
  domain: Uint8Array,
  digest: Uint8Array,
  signature: Uint8Array,
  who: string,
): void {
  let ok = false;
  try {
    ok = ed25519Verify(signPublic, concatBytes(domain, digest), signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new HandshakeAuthFailedError(`${who} signature invalid`);
}

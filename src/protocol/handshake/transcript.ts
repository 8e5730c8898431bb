/**
 * The handshake's symmetric state, Noise-style: a running transcript hash `h` (SHA-256 over everything
 * sent) and a chaining key `ck` (HKDF-SHA256) into which the invite secret, then the DH and KEM shared
 * secrets are mixed; per-message AEAD keys and the final session keys are derived from `ck` and `h`.
 * Pure functions over byte arrays, no state of their own; knows no message layout.
 */
import { concatBytes, utf8 } from '../../crypto/bytes.ts';
import { hkdfSha256, hmacSha256, sha256Hash } from '../../crypto/primitives.ts';

/** Hashed into h₀; names every algorithm, so a change of suite changes every key. */
export const HANDSHAKE_PROTOCOL_NAME = 'pvt/handshake/v1/X25519+MLKEM768/Ed25519/XChaCha20-Poly1305/SHA-256';

const MIX_INFO = utf8('pvt/hs/v1/mix');
const PSK_INFO = utf8('pvt/hs/v1/psk');
const SESSION_INFO = utf8('pvt/hs/v1/session');
const KEY_LABEL_PREFIX = 'pvt/hs/v1/key/';

/** Labels of the AEAD keys, one per sealed segment. */
export type SegmentLabel = 'msg1' | 'msg2' | 'msg3a' | 'msg3b' | 'msg3c' | 'msg4';

export interface SymmetricState {
  /** Chaining key (32 bytes): every secret mixed so far. */
  readonly ck: Uint8Array;
  /** Transcript hash (32 bytes): every byte sent so far. */
  readonly h: Uint8Array;
}

/** h = SHA-256(h ‖ parts…). */
export function mixHash(h: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  return sha256Hash(concatBytes(h, ...parts));
}

/** ck = HKDF-SHA256(ikm, salt = ck, info = "pvt/hs/v1/mix", 32). */
export function mixKey(ck: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hkdfSha256(ikm, ck, MIX_INFO, 32);
}

/** AEAD key of one segment: HMAC-SHA256(ck, "pvt/hs/v1/key/" ‖ label). */
export function segmentKey(ck: Uint8Array, label: SegmentLabel): Uint8Array {
  return hmacSha256(ck, utf8(KEY_LABEL_PREFIX + label));
}

/**
 * h₀ = SHA-256(protocol name); h₁ = SHA-256(h₀ ‖ inviteId);
 * ck₁ = HKDF-SHA256(secret, salt = h₀, info = "pvt/hs/v1/psk", 32).
 */
export function initialState(inviteSecret: Uint8Array, inviteId: Uint8Array): SymmetricState {
  const h0 = sha256Hash(utf8(HANDSHAKE_PROTOCOL_NAME));
  return { h: mixHash(h0, inviteId), ck: hkdfSha256(inviteSecret, h0, PSK_INFO, 32) };
}

export interface SessionKeys {
  readonly rootKey: Uint8Array;
  readonly headerKeyAlice: Uint8Array;
  readonly nextHeaderKeyBob: Uint8Array;
}

/** HKDF-SHA256(ikm = ck, salt = h, info = "pvt/hs/v1/session", 96) = rootKey ‖ headerKeyAlice ‖ nextHeaderKeyBob. */
export function deriveSessionKeys(state: SymmetricState): SessionKeys {
  const out = hkdfSha256(state.ck, state.h, SESSION_INFO, 96);
  return {
    rootKey: out.slice(0, 32),
    headerKeyAlice: out.slice(32, 64),
    nextHeaderKeyBob: out.slice(64, 96),
  };
}

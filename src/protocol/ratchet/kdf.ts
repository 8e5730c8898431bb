/**
 * The ratchet's key derivations: the root KDF (HKDF-SHA256, salt = root key, input = DH output ‖ optional
 * ML-KEM secret) and the chain KDF (HMAC-SHA256 with constants 0x01 / 0x02, as Signal). Pure; knows
 * nothing about headers or state.
 */
import { concatBytes, utf8 } from '../../crypto/bytes.ts';
import { hkdfSha256, hmacSha256, hmacSha256Pair } from '../../crypto/primitives.ts';

const ROOT_INFO = utf8('pvt ratchet v1 root');
const ROOT_KEM_INFO = utf8('pvt ratchet v1 root+kem');
const KEM_FIELD_INFO = utf8('pvt ratchet v1 kem field');
const MESSAGE_KEY_INPUT = Uint8Array.of(0x01);
const CHAIN_KEY_INPUT = Uint8Array.of(0x02);

export interface RootStep {
  readonly rootKey: Uint8Array;
  readonly chainKey: Uint8Array;
  readonly nextHeaderKey: Uint8Array;
}

/** KDF_RK_HE: (RK, DH out [, KEM secret]) → (RK', CK, NHK), 32 bytes each. */
export function rootKdf(
  rootKey: Uint8Array,
  dhOutput: Uint8Array,
  kemSecret: Uint8Array | undefined,
): RootStep {
  const okm =
    kemSecret === undefined
      ? hkdfSha256(dhOutput, rootKey, ROOT_INFO, 96)
      : hkdfSha256(concatBytes(dhOutput, kemSecret), rootKey, ROOT_KEM_INFO, 96);
  return { rootKey: okm.slice(0, 32), chainKey: okm.slice(32, 64), nextHeaderKey: okm.slice(64, 96) };
}

/** KDF_CK: CK → (next CK, message key), HMAC-SHA256(CK, 0x02) and HMAC-SHA256(CK, 0x01). */
export function chainKdf(chainKey: Uint8Array): { chainKey: Uint8Array; messageKey: Uint8Array } {
  const [messageKey, next] = hmacSha256Pair(chainKey, MESSAGE_KEY_INPUT, CHAIN_KEY_INPUT);
  return { chainKey: next, messageKey };
}

/** The KEM field's XChaCha20 key of a chain: HMAC-SHA256(header key, "pvt ratchet v1 kem field"). */
export function kemFieldKey(headerKey: Uint8Array): Uint8Array {
  return hmacSha256(headerKey, KEM_FIELD_INFO);
}

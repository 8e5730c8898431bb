/**
 * node:crypto (OpenSSL) fast paths for the deterministic curve operations behind primitives.ts:
 * X25519 public-key derivation and DH, Ed25519 public-key derivation, signing (deterministic, RFC 8032)
 * and verification — ≈ 30× faster than pure JS — and ML-KEM-768 key derivation from a seed and
 * decapsulation (≈ 10×; encapsulation stays in noble: it must take the caller's randomness). Our own
 * private keys are imported once and kept as KeyObjects for the next operation (imports cost more than
 * the maths, shared/notes/node-crypto-fast-paths.md). Keys are imported from raw bytes with fixed DER
 * prefixes from backend.ts (works on every Node ≥ 22). No randomness is involved, so results are byte-identical to
 * @noble/curves (cross-tested in test/crypto/node-curves.test.ts).
 */
import * as nodeCrypto from 'node:crypto';
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject, sign, verify } from 'node:crypto';
import { DER_PREFIX } from './backend.ts';

const X25519_PKCS8 = Buffer.from(DER_PREFIX.x25519Pkcs8, 'hex');
const X25519_SPKI = Buffer.from(DER_PREFIX.x25519Spki, 'hex');
const ED25519_PKCS8 = Buffer.from(DER_PREFIX.ed25519Pkcs8, 'hex');
const ED25519_SPKI = Buffer.from(DER_PREFIX.ed25519Spki, 'hex');
const MLKEM768_PKCS8_SEED = Buffer.from(DER_PREFIX.mlkem768Pkcs8Seed, 'hex');
const MLKEM768_PUBLIC_BYTES = 1184;

/**
 * Our private keys as KeyObjects, by the array holding the secret, with a copy of the bytes: a secret
 * whose bytes changed since (wiped, reused) is imported again, never answered from the cache.
 */
const own = new WeakMap<Uint8Array, { prefix: Buffer; bytes: Buffer; key: KeyObject }>();

/** The same array used as another kind of key (another prefix) is imported again, never mixed up. */
function ownPrivateKey(prefix: Buffer, secret: Uint8Array): KeyObject {
  const hit = own.get(secret);
  if (hit && hit.prefix === prefix && hit.bytes.equals(secret)) return hit.key;
  const key = privateKey(prefix, secret);
  own.set(secret, { prefix, bytes: Buffer.from(secret), key });
  return key;
}

function privateKey(prefix: Buffer, secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([prefix, secret]), format: 'der', type: 'pkcs8' });
}
function publicKey(prefix: Buffer, bytes: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([prefix, bytes]), format: 'der', type: 'spki' });
}
function rawPublic(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

export function nodeX25519PublicKey(secret: Uint8Array): Uint8Array {
  return rawPublic(createPublicKey(ownPrivateKey(X25519_PKCS8, secret)));
}

export function nodeX25519(secret: Uint8Array, peer: Uint8Array): Uint8Array {
  const out = diffieHellman({
    privateKey: ownPrivateKey(X25519_PKCS8, secret),
    publicKey: publicKey(X25519_SPKI, peer),
  });
  return new Uint8Array(out);
}

export function nodeEd25519PublicKey(secret: Uint8Array): Uint8Array {
  return rawPublic(createPublicKey(privateKey(ED25519_PKCS8, secret)));
}

export function nodeEd25519Sign(secret: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, ownPrivateKey(ED25519_PKCS8, secret)));
}

export function nodeEd25519Verify(pub: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verify(null, message, publicKey(ED25519_SPKI, pub), signature);
}

type Decapsulate = (key: KeyObject, ciphertext: Buffer) => Buffer;
const decapsulate = (nodeCrypto as unknown as { decapsulate?: Decapsulate }).decapsulate;

/** The ML-KEM-768 encapsulation key of the decapsulation key derived from `seed` (d ‖ z, FIPS 203). */
export function nodeMlkemPublicKey(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(ownPrivateKey(MLKEM768_PKCS8_SEED, seed)).export({
    format: 'der',
    type: 'spki',
  });
  return new Uint8Array(der.subarray(der.length - MLKEM768_PUBLIC_BYTES));
}

/** ML-KEM-768 decapsulation with the key derived from `seed` (implicit rejection, as noble). */
export function nodeMlkemDecapsulate(seed: Uint8Array, cipherText: Uint8Array): Uint8Array {
  if (decapsulate === undefined) throw new TypeError('node:crypto has no ML-KEM');
  return new Uint8Array(decapsulate(ownPrivateKey(MLKEM768_PKCS8_SEED, seed), Buffer.from(cipherText)));
}

/** True when this Node's OpenSSL does ML-KEM-768 from a seed. */
export const nodeMlkemAvailable: boolean = (() => {
  try {
    return decapsulate !== undefined && nodeMlkemPublicKey(new Uint8Array(64).fill(1)).length === 1184;
  } catch {
    return false;
  }
})();

/** True when this Node's OpenSSL does X25519 and Ed25519 (checked once against a known answer). */
export const nodeCurvesAvailable: boolean = (() => {
  try {
    const secret = new Uint8Array(32).fill(1);
    return (
      nodeX25519PublicKey(secret).length === 32 && nodeEd25519Sign(secret, new Uint8Array(1)).length === 64
    );
  } catch {
    return false;
  }
})();

/**
 * node:crypto (OpenSSL) fast paths for the deterministic curve operations behind primitives.ts:
 * X25519 public-key derivation and DH, Ed25519 public-key derivation, signing (deterministic, RFC 8032)
 * and verification — ≈ 30× faster than pure JS. Keys are imported from raw bytes with fixed DER
 * prefixes from backend.ts (works on every Node ≥ 22). No randomness is involved, so results are byte-identical to
 * @noble/curves (cross-tested in test/crypto/node-curves.test.ts).
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject, sign, verify } from 'node:crypto';
import { DER_PREFIX } from './backend.ts';

const X25519_PKCS8 = Buffer.from(DER_PREFIX.x25519Pkcs8, 'hex');
const X25519_SPKI = Buffer.from(DER_PREFIX.x25519Spki, 'hex');
const ED25519_PKCS8 = Buffer.from(DER_PREFIX.ed25519Pkcs8, 'hex');
const ED25519_SPKI = Buffer.from(DER_PREFIX.ed25519Spki, 'hex');

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
  return rawPublic(createPublicKey(privateKey(X25519_PKCS8, secret)));
}

export function nodeX25519(secret: Uint8Array, peer: Uint8Array): Uint8Array {
  const out = diffieHellman({
    privateKey: privateKey(X25519_PKCS8, secret),
    publicKey: publicKey(X25519_SPKI, peer),
  });
  return new Uint8Array(out);
}

export function nodeEd25519PublicKey(secret: Uint8Array): Uint8Array {
  return rawPublic(createPublicKey(privateKey(ED25519_PKCS8, secret)));
}

export function nodeEd25519Sign(secret: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKey(ED25519_PKCS8, secret)));
}

export function nodeEd25519Verify(pub: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verify(null, message, publicKey(ED25519_SPKI, pub), signature);
}

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

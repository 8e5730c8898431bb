/**
 * The asymmetric-crypto backend the ratchet runs on: X25519 and ML-KEM-768 behind one interface, with key
 * handles that cache the backend's native form (a node:crypto KeyObject) next to the raw bytes, so a hot
 * path imports a key at most once. Two implementations: `backend-noble.ts` (pure JS, deterministic from
 * the `Rng`) and `backend-node.ts` (OpenSSL through node:crypto). Knows nothing about sessions or messages.
 */
import type { KeyObject } from 'node:crypto';
import { assertBytes, type Rng } from './bytes.ts';

export const X25519_KEY_BYTES = 32;
export const MLKEM768_PUBLIC_KEY_BYTES = 1184;
export const MLKEM768_CIPHERTEXT_KEY_BYTES = 1088;
export const MLKEM768_SEED_KEY_BYTES = 64;
export const KEM_SHARED_SECRET_BYTES = 32;

/**
 * Our X25519 private key. At least one of `secret` (32 raw bytes) and `native` is set; a backend fills
 * the other lazily. The handle is owned by one session; the slots are caches, never changed in meaning.
 */
export interface DhPrivateKey {
  secret: Uint8Array | undefined;
  native: KeyObject | undefined;
}

/** A peer's X25519 public key: its 32 bytes and, once imported, the backend's native form. */
export interface DhPublicKey {
  readonly bytes: Uint8Array;
  native: KeyObject | undefined;
}

/**
 * Our ML-KEM-768 decapsulation key: the 64-byte seed d ‖ z (FIPS 203 keygen input, the storable form),
 * noble's expanded 2,400-byte key, or a native KeyObject. At least one is set.
 */
export interface KemPrivateKey {
  seed: Uint8Array | undefined;
  expanded: Uint8Array | undefined;
  native: KeyObject | undefined;
}

/** A peer's ML-KEM-768 encapsulation key (1,184 bytes) and, once imported, its native form. */
export interface KemPublicKey {
  readonly bytes: Uint8Array;
  native: KeyObject | undefined;
}

export interface DhKeyPair {
  readonly privateKey: DhPrivateKey;
  readonly publicKey: Uint8Array;
}

export interface KemKeyPair {
  readonly privateKey: KemPrivateKey;
  readonly publicKey: Uint8Array;
}

export interface KemEncapsulation {
  readonly cipherText: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

export interface CryptoBackend {
  readonly name: 'noble' | 'node';
  /**
   * Where key generation and encapsulation randomness come from: the `Rng` argument ('rng': the noble
   * backend, deterministic under a seeded Rng) or OpenSSL's own DRBG ('openssl': the node backend, which
   * cannot take caller randomness for `encapsulate` and generates faster than it imports).
   */
  readonly randomness: 'rng' | 'openssl';
  dhGenerate(rng: Rng): DhKeyPair;
  /** X25519(own, peer). Throws RangeError for a low-order peer key (all-zero shared secret). */
  dh(privateKey: DhPrivateKey, publicKey: DhPublicKey): Uint8Array;
  dhExportSecret(privateKey: DhPrivateKey): Uint8Array;
  kemGenerate(rng: Rng): KemKeyPair;
  /**
   * A handle for a peer's encapsulation key, checked now (FIPS 203 §7.2 modulus check; the node backend
   * imports it, which checks and caches). Throws RangeError for a malformed key.
   */
  kemImportPublic(bytes: Uint8Array): KemPublicKey;
  /** Throws RangeError for a malformed encapsulation key (a coefficient ≥ q). */
  kemEncapsulate(publicKey: KemPublicKey, rng: Rng): KemEncapsulation;
  /** Implicit rejection: a wrong ciphertext gives a pseudorandom secret, never an error. */
  kemDecapsulate(privateKey: KemPrivateKey, cipherText: Uint8Array): Uint8Array;
  kemExportSeed(privateKey: KemPrivateKey): Uint8Array;
}

/** A private-key handle around 32 raw bytes (takes ownership of `secret`). */
export function dhPrivateKey(secret: Uint8Array): DhPrivateKey {
  assertBytes('secret', secret, X25519_KEY_BYTES);
  return { secret, native: undefined };
}

/** A public-key handle around 32 raw bytes (takes ownership of `bytes`). */
export function dhPublicKey(bytes: Uint8Array): DhPublicKey {
  assertBytes('publicKey', bytes, X25519_KEY_BYTES);
  return { bytes, native: undefined };
}

/** A decapsulation-key handle around a 64-byte seed (takes ownership of `seed`). */
export function kemPrivateKey(seed: Uint8Array): KemPrivateKey {
  assertBytes('seed', seed, MLKEM768_SEED_KEY_BYTES);
  return { seed, expanded: undefined, native: undefined };
}

/** An encapsulation-key handle around 1,184 bytes (takes ownership of `bytes`). */
export function kemPublicKey(bytes: Uint8Array): KemPublicKey {
  assertBytes('publicKey', bytes, MLKEM768_PUBLIC_KEY_BYTES);
  return { bytes, native: undefined };
}

/** FIPS 203 §7.2 encapsulation-key check: every 12-bit coefficient of t̂ is below q = 3329. */
export function mlkem768PublicKeyIsValid(bytes: Uint8Array): boolean {
  if (bytes.length !== MLKEM768_PUBLIC_KEY_BYTES) return false;
  const polyBytes = MLKEM768_PUBLIC_KEY_BYTES - 32;
  for (let i = 0; i < polyBytes; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1] as number;
    const b2 = bytes[i + 2] as number;
    if ((b0 | ((b1 & 0x0f) << 8)) >= 3329 || ((b1 >> 4) | (b2 << 4)) >= 3329) return false;
  }
  return true;
}

/** Throws the shared low-order error when a DH output is all zero (RFC 7748 §6.1 check). */
export function assertNonZeroSharedSecret(shared: Uint8Array): Uint8Array {
  let acc = 0;
  for (let i = 0; i < shared.length; i++) acc |= shared[i] as number;
  if (acc === 0)
    throw new RangeError('"publicKey" expected a valid X25519 public key, got a low-order point');
  return shared;
}

/** A fresh Uint8Array copy of node output (Buffers may be views into a shared pool). */
export function ownBytes(buffer: Uint8Array): Uint8Array {
  const out = new Uint8Array(buffer.length);
  out.set(buffer);
  return out;
}

/** DER prefixes for Node builds without the raw key formats (docs/protocol/ratchet.md, "Backends"). */
export const DER_PREFIX = {
  x25519Pkcs8: '302e020100300506032b656e04220420',
  x25519Spki: '302a300506032b656e032100',
  ed25519Pkcs8: '302e020100300506032b657004220420',
  ed25519Spki: '302a300506032b6570032100',
  mlkem768Spki: '308204b2300b0609608648016503040402038204a100',
  mlkem768Pkcs8Seed: '3054020100300b060960864801650304040204428040',
  /** What node:crypto exports by default: the seed followed by the 2,400-byte expanded key. */
  mlkem768Pkcs8Both: '308209be020100300b0609608648016503040402048209aa308209a60440',
} as const;

/** The raw secret of a private key that may only exist as a KeyObject (any backend made it). */
export function exportDhSecret(key: DhPrivateKey): Uint8Array {
  if (key.secret !== undefined) return key.secret;
  if (key.native === undefined)
    throw new TypeError('"privateKey" expected a secret or a native key, got neither');
  let secret: Uint8Array;
  try {
    secret = ownBytes(key.native.export({ format: 'raw-private' }));
  } catch {
    const der = key.native.export({ format: 'der', type: 'pkcs8' });
    secret = ownBytes(der.subarray(der.length - X25519_KEY_BYTES));
  }
  key.secret = secret;
  return secret;
}

/** The 64-byte seed of a decapsulation key that may only exist as a KeyObject. */
export function exportKemSeed(key: KemPrivateKey): Uint8Array {
  if (key.seed !== undefined) return key.seed;
  if (key.native === undefined) {
    throw new TypeError('"privateKey" expected a seed or a native key (an expanded key has no seed)');
  }
  let seed: Uint8Array;
  try {
    seed = ownBytes(key.native.export({ format: 'raw-seed' }));
  } catch {
    const der = key.native.export({ format: 'der', type: 'pkcs8' });
    const prefix = [DER_PREFIX.mlkem768Pkcs8Seed, DER_PREFIX.mlkem768Pkcs8Both]
      .map((hex) => Buffer.from(hex, 'hex'))
      .find((p) => der.length >= p.length + MLKEM768_SEED_KEY_BYTES && der.subarray(0, p.length).equals(p));
    if (prefix === undefined) throw new TypeError('"privateKey" native ML-KEM key carries no seed');
    seed = ownBytes(der.subarray(prefix.length, prefix.length + MLKEM768_SEED_KEY_BYTES));
  }
  key.seed = seed;
  return seed;
}

/**
 * The OpenSSL backend: X25519 and ML-KEM-768 through node:crypto KeyObjects (≈ 30× noble for X25519,
 * ≈ 15× for ML-KEM). Own keys are generated as KeyObjects and exported only when a state is serialized;
 * a peer's key is imported once and cached in its handle. Raw key formats ('raw-public', 'raw-private',
 * 'raw-seed') are feature-detected once; without them the DER prefixes of `backend.ts` are used, and
 * without ML-KEM in node:crypto (Node < 24.7) the KEM falls back to noble.
 *
 * Randomness: key generation and ML-KEM encapsulation use OpenSSL's DRBG (seeded from the OS, the same
 * source as `crypto.randomBytes`), not the `Rng` argument: node:crypto's `encapsulate` takes no caller
 * randomness, and generating a key is faster than importing one from caller bytes (33 vs 53 µs for
 * X25519, 42 vs 115 µs for ML-KEM). `createNodeBackend({ keysFromRng: true })` draws keys from the Rng
 * (slower; used by cross-backend tests). Knows nothing about sessions.
 */

import type { KeyObject } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import {
  assertNonZeroSharedSecret,
  type CryptoBackend,
  DER_PREFIX,
  type DhKeyPair,
  type DhPrivateKey,
  type DhPublicKey,
  exportDhSecret,
  exportKemSeed,
  type KemEncapsulation,
  type KemKeyPair,
  type KemPrivateKey,
  type KemPublicKey,
  MLKEM768_CIPHERTEXT_KEY_BYTES,
  MLKEM768_PUBLIC_KEY_BYTES,
  MLKEM768_SEED_KEY_BYTES,
  ownBytes,
  X25519_KEY_BYTES,
} from './backend.ts';
import { nobleBackend } from './backend-noble.ts';
import { assertBytes, type Rng } from './bytes.ts';

/** What this Node's node:crypto offers, probed once. */
export interface NodeCryptoSupport {
  /** 'raw-public' / 'raw-private' / 'raw-seed' key formats (Node 24.x backport of nodejs#62240). */
  readonly rawKeyFormats: boolean;
  /** ML-KEM-768 KeyObjects with `crypto.encapsulate` / `crypto.decapsulate` (Node ≥ 24.7, OpenSSL ≥ 3.5). */
  readonly mlkem768: boolean;
}

export interface NodeBackendOptions {
  /** Derive generated keys from the `Rng` instead of OpenSSL's DRBG (slower: an import per key). */
  readonly keysFromRng?: boolean;
  /** Use the DER-prefix import/export path even where raw formats exist (tests the fallback). */
  readonly forceDer?: boolean;
}

type Encapsulate = (key: KeyObject) => { sharedKey: Buffer; ciphertext: Buffer };
type Decapsulate = (key: KeyObject, ciphertext: Buffer) => Buffer;

const kemFunctions = nodeCrypto as unknown as { encapsulate?: Encapsulate; decapsulate?: Decapsulate };

let probed: NodeCryptoSupport | undefined;

/** Probes node:crypto once (≈ 0.2 ms) and remembers the answer. */
export function nodeCryptoSupport(): NodeCryptoSupport {
  if (probed !== undefined) return probed;
  let rawKeyFormats = false;
  let mlkem768 = false;
  try {
    const { publicKey, privateKey } = nodeCrypto.generateKeyPairSync('x25519');
    const raw = publicKey.export({ format: 'raw-public' });
    const back = nodeCrypto.createPublicKey({ key: raw, format: 'raw-public', asymmetricKeyType: 'x25519' });
    rawKeyFormats =
      raw.length === X25519_KEY_BYTES && back.equals(publicKey) && privateKey.asymmetricKeyType === 'x25519';
  } catch {
    rawKeyFormats = false;
  }
  try {
    const { encapsulate, decapsulate } = kemFunctions;
    if (typeof encapsulate === 'function' && typeof decapsulate === 'function') {
      const { publicKey, privateKey } = nodeCrypto.generateKeyPairSync('ml-kem-768');
      const { sharedKey, ciphertext } = encapsulate(publicKey);
      mlkem768 =
        ciphertext.length === MLKEM768_CIPHERTEXT_KEY_BYTES &&
        decapsulate(privateKey, ciphertext).equals(sharedKey);
    }
  } catch {
    mlkem768 = false;
  }
  probed = { rawKeyFormats, mlkem768 };
  return probed;
}

const derPrefix = {
  x25519Pkcs8: Buffer.from(DER_PREFIX.x25519Pkcs8, 'hex'),
  x25519Spki: Buffer.from(DER_PREFIX.x25519Spki, 'hex'),
  mlkem768Spki: Buffer.from(DER_PREFIX.mlkem768Spki, 'hex'),
  mlkem768Pkcs8Seed: Buffer.from(DER_PREFIX.mlkem768Pkcs8Seed, 'hex'),
};

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A node:crypto backend; throws when this runtime has no X25519 KeyObjects at all. */
export function createNodeBackend(options: NodeBackendOptions = {}): CryptoBackend {
  const support = nodeCryptoSupport();
  const raw = support.rawKeyFormats && options.forceDer !== true;
  const keysFromRng = options.keysFromRng === true;
  const { encapsulate, decapsulate } = kemFunctions;

  const importX25519Private = (secret: Uint8Array): KeyObject =>
    raw
      ? nodeCrypto.createPrivateKey({
          key: asBuffer(secret),
          format: 'raw-private',
          asymmetricKeyType: 'x25519',
        })
      : nodeCrypto.createPrivateKey({
          key: Buffer.concat([derPrefix.x25519Pkcs8, secret]),
          format: 'der',
          type: 'pkcs8',
        });
  const importX25519Public = (bytes: Uint8Array): KeyObject =>
    raw
      ? nodeCrypto.createPublicKey({
          key: asBuffer(bytes),
          format: 'raw-public',
          asymmetricKeyType: 'x25519',
        })
      : nodeCrypto.createPublicKey({
          key: Buffer.concat([derPrefix.x25519Spki, bytes]),
          format: 'der',
          type: 'spki',
        });
  const exportX25519Public = (key: KeyObject): Uint8Array =>
    raw
      ? ownBytes(key.export({ format: 'raw-public' }))
      : ownBytes(key.export({ format: 'der', type: 'spki' }).subarray(derPrefix.x25519Spki.length));
  const importMlkemPrivate = (seed: Uint8Array): KeyObject =>
    nodeCrypto.createPrivateKey({
      key: Buffer.concat([derPrefix.mlkem768Pkcs8Seed, seed]),
      format: 'der',
      type: 'pkcs8',
    });
  const importMlkemPublic = (bytes: Uint8Array): KeyObject =>
    raw
      ? nodeCrypto.createPublicKey({
          key: asBuffer(bytes),
          format: 'raw-public',
          asymmetricKeyType: 'ml-kem-768',
        })
      : nodeCrypto.createPublicKey({
          key: Buffer.concat([derPrefix.mlkem768Spki, bytes]),
          format: 'der',
          type: 'spki',
        });
  const exportMlkemPublic = (key: KeyObject): Uint8Array =>
    raw
      ? ownBytes(key.export({ format: 'raw-public' }))
      : ownBytes(key.export({ format: 'der', type: 'spki' }).subarray(derPrefix.mlkem768Spki.length));

  const dhNative = (key: DhPrivateKey): KeyObject => {
    if (key.native === undefined) key.native = importX25519Private(exportDhSecret(key));
    return key.native;
  };
  const dhPeerNative = (key: DhPublicKey): KeyObject => {
    if (key.native === undefined) {
      assertBytes('publicKey', key.bytes, X25519_KEY_BYTES);
      key.native = importX25519Public(key.bytes);
    }
    return key.native;
  };

  const dhGenerate = (rng: Rng): DhKeyPair => {
    if (keysFromRng) {
      const secret = rng(X25519_KEY_BYTES);
      assertBytes('rng output', secret, X25519_KEY_BYTES);
      const native = importX25519Private(secret);
      return {
        privateKey: { secret, native },
        publicKey: exportX25519Public(nodeCrypto.createPublicKey(native)),
      };
    }
    const { publicKey, privateKey } = nodeCrypto.generateKeyPairSync('x25519');
    return {
      privateKey: { secret: undefined, native: privateKey },
      publicKey: exportX25519Public(publicKey),
    };
  };

  const dh = (privateKey: DhPrivateKey, publicKey: DhPublicKey): Uint8Array => {
    let shared: Buffer;
    try {
      shared = nodeCrypto.diffieHellman({
        privateKey: dhNative(privateKey),
        publicKey: dhPeerNative(publicKey),
      });
    } catch {
      throw new RangeError('"publicKey" expected a valid X25519 public key, got a low-order point');
    }
    return assertNonZeroSharedSecret(ownBytes(shared));
  };

  if (!support.mlkem768 || encapsulate === undefined || decapsulate === undefined) {
    return {
      name: 'node',
      randomness: keysFromRng ? 'rng' : 'openssl',
      dhGenerate,
      dh,
      dhExportSecret: exportDhSecret,
      kemGenerate: nobleBackend.kemGenerate,
      kemImportPublic: nobleBackend.kemImportPublic,
      kemEncapsulate: nobleBackend.kemEncapsulate,
      kemDecapsulate: nobleBackend.kemDecapsulate,
      kemExportSeed: nobleBackend.kemExportSeed,
    };
  }

  const kemNative = (key: KemPrivateKey): KeyObject => {
    if (key.native === undefined) key.native = importMlkemPrivate(exportKemSeed(key));
    return key.native;
  };
  const kemPeerNative = (key: KemPublicKey): KeyObject => {
    if (key.native === undefined) {
      assertBytes('publicKey', key.bytes, MLKEM768_PUBLIC_KEY_BYTES);
      try {
        key.native = importMlkemPublic(key.bytes);
      } catch {
        throw new RangeError('"publicKey" expected a valid ML-KEM-768 encapsulation key');
      }
    }
    return key.native;
  };

  return {
    name: 'node',
    randomness: keysFromRng ? 'rng' : 'openssl',
    dhGenerate,
    dh,
    dhExportSecret: exportDhSecret,
    kemGenerate(rng: Rng): KemKeyPair {
      if (keysFromRng) {
        const seed = rng(MLKEM768_SEED_KEY_BYTES);
        assertBytes('rng output', seed, MLKEM768_SEED_KEY_BYTES);
        const native = importMlkemPrivate(seed);
        return {
          privateKey: { seed, expanded: undefined, native },
          publicKey: exportMlkemPublic(nodeCrypto.createPublicKey(native)),
        };
      }
      const { publicKey, privateKey } = nodeCrypto.generateKeyPairSync('ml-kem-768');
      return {
        privateKey: { seed: undefined, expanded: undefined, native: privateKey },
        publicKey: exportMlkemPublic(publicKey),
      };
    },
    kemImportPublic(bytes: Uint8Array): KemPublicKey {
      const handle: KemPublicKey = { bytes, native: undefined };
      kemPeerNative(handle);
      return handle;
    },
    kemEncapsulate(publicKey: KemPublicKey, _rng: Rng): KemEncapsulation {
      const { sharedKey, ciphertext } = encapsulate(kemPeerNative(publicKey));
      return { cipherText: ownBytes(ciphertext), sharedSecret: ownBytes(sharedKey) };
    },
    kemDecapsulate(privateKey: KemPrivateKey, cipherText: Uint8Array): Uint8Array {
      assertBytes('cipherText', cipherText, MLKEM768_CIPHERTEXT_KEY_BYTES);
      return ownBytes(decapsulate(kemNative(privateKey), asBuffer(cipherText)));
    },
    kemExportSeed: exportKemSeed,
  };
}

let defaultBackend: CryptoBackend | undefined;

/** The node backend when this runtime has X25519 KeyObjects (always on Node ≥ 22), else noble. */
export function defaultCryptoBackend(): CryptoBackend {
  if (defaultBackend === undefined) {
    try {
      defaultBackend = createNodeBackend();
    } catch {
      defaultBackend = nobleBackend;
    }
  }
  return defaultBackend;
}

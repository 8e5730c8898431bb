/**
 * The pure-JS backend: X25519 from @noble/curves, ML-KEM-768 from @noble/post-quantum. All randomness comes
 * from the `Rng` argument, so a seeded Rng gives byte-identical sessions (the vectors use this backend).
 * Knows nothing about sessions; keys made by the node backend are accepted through their exported bytes.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import {
  assertNonZeroSharedSecret,
  type CryptoBackend,
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
  mlkem768PublicKeyIsValid,
  X25519_KEY_BYTES,
} from './backend.ts';
import { assertBytes, type Rng } from './bytes.ts';

function expanded(key: KemPrivateKey): Uint8Array {
  if (key.expanded === undefined) key.expanded = ml_kem768.keygen(exportKemSeed(key)).secretKey;
  return key.expanded;
}

export const nobleBackend: CryptoBackend = {
  name: 'noble',
  randomness: 'rng',
  dhGenerate(rng: Rng): DhKeyPair {
    const secret = rng(X25519_KEY_BYTES);
    assertBytes('rng output', secret, X25519_KEY_BYTES);
    return { privateKey: { secret, native: undefined }, publicKey: x25519.getPublicKey(secret) };
  },
  dh(privateKey: DhPrivateKey, publicKey: DhPublicKey): Uint8Array {
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(exportDhSecret(privateKey), publicKey.bytes);
    } catch {
      throw new RangeError('"publicKey" expected a valid X25519 public key, got a low-order point');
    }
    return assertNonZeroSharedSecret(shared);
  },
  dhExportSecret: exportDhSecret,
  kemGenerate(rng: Rng): KemKeyPair {
    const seed = rng(MLKEM768_SEED_KEY_BYTES);
    assertBytes('rng output', seed, MLKEM768_SEED_KEY_BYTES);
    const { publicKey, secretKey } = ml_kem768.keygen(seed);
    return { privateKey: { seed, expanded: secretKey, native: undefined }, publicKey };
  },
  kemImportPublic(bytes: Uint8Array): KemPublicKey {
    assertBytes('publicKey', bytes, MLKEM768_PUBLIC_KEY_BYTES);
    if (!mlkem768PublicKeyIsValid(bytes)) {
      throw new RangeError('"publicKey" expected a valid ML-KEM-768 encapsulation key');
    }
    return { bytes, native: undefined };
  },
  kemEncapsulate(publicKey: KemPublicKey, rng: Rng): KemEncapsulation {
    const msg = rng(32);
    try {
      return ml_kem768.encapsulate(publicKey.bytes, msg);
    } catch {
      throw new RangeError('"publicKey" expected a valid ML-KEM-768 encapsulation key');
    }
  },
  kemDecapsulate(privateKey: KemPrivateKey, cipherText: Uint8Array): Uint8Array {
    assertBytes('cipherText', cipherText, MLKEM768_CIPHERTEXT_KEY_BYTES);
    return ml_kem768.decapsulate(cipherText, expanded(privateKey));
  },
  kemExportSeed: exportKemSeed,
};

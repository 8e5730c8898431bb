/**
 * The node:crypto curve fast path gives byte-identical results to @noble/curves, and primitives.ts
 * keeps its contract (RFC 7748 / RFC 8032 answers, low-order points rejected, bad signatures false).
 */
import { randomBytes } from 'node:crypto';
import { ed25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, test } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import {
  nodeCurvesAvailable,
  nodeEd25519PublicKey,
  nodeEd25519Sign,
  nodeEd25519Verify,
  nodeMlkemDecapsulate,
  nodeMlkemPublicKey,
  nodeX25519,
  nodeX25519PublicKey,
} from '../../src/crypto/node-curves.ts';
import {
  ed25519Sign,
  ed25519Verify,
  mlkemDecapsulate,
  mlkemKeygen,
  x25519,
  x25519PublicKey,
} from '../../src/crypto/primitives.ts';

const rand = (n: number) => new Uint8Array(randomBytes(n));

describe.skipIf(!nodeCurvesAvailable)('node:crypto curves agree with noble', () => {
  test('X25519 public keys and shared secrets on 200 random key pairs', () => {
    for (let i = 0; i < 200; i++) {
      const a = rand(32);
      const b = rand(32);
      expect(toHex(nodeX25519PublicKey(a))).toBe(toHex(nobleX25519.getPublicKey(a)));
      const pb = nobleX25519.getPublicKey(b);
      expect(toHex(nodeX25519(a, pb))).toBe(toHex(nobleX25519.getSharedSecret(a, pb)));
    }
  });

  test('Ed25519 public keys, signatures and verification on 100 random keys', () => {
    for (let i = 0; i < 100; i++) {
      const sk = rand(32);
      const msg = rand(i);
      const pk = nodeEd25519PublicKey(sk);
      expect(toHex(pk)).toBe(toHex(ed25519.getPublicKey(sk)));
      const sig = nodeEd25519Sign(sk, msg);
      expect(toHex(sig)).toBe(toHex(ed25519.sign(msg, sk)));
      expect(nodeEd25519Verify(pk, msg, sig)).toBe(true);
      sig[i % 64] = (sig[i % 64] as number) ^ 1;
      expect(nodeEd25519Verify(pk, msg, sig)).toBe(false);
    }
  });
});

describe('primitives keep their contract', () => {
  test('RFC 7748 §6.1 Diffie-Hellman answer', () => {
    const a = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const b = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(toHex(x25519PublicKey(a))).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    expect(toHex(x25519(a, x25519PublicKey(b)))).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
  });

  test('a low-order X25519 point is rejected', () => {
    expect(() => x25519(rand(32), new Uint8Array(32))).toThrow();
  });

  test('RFC 8032 test 1 signature, and a wrong key or message fails verification', () => {
    const sk = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const pk = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = ed25519Sign(sk, new Uint8Array(0));
    expect(toHex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(ed25519Verify(pk, new Uint8Array(0), sig)).toBe(true);
    expect(ed25519Verify(pk, new Uint8Array(1), sig)).toBe(false);
    expect(ed25519Verify(rand(32), new Uint8Array(0), sig)).toBe(false);
  });
});

describe('ML-KEM-768 on node:crypto from a seed (the handshake fast path)', () => {
  test('same encapsulation key as noble for the same seed; decapsulation agrees, tampered or not', () => {
    for (let i = 0; i < 16; i++) {
      const seed = rand(64);
      const noble = ml_kem768.keygen(seed);
      expect(toHex(nodeMlkemPublicKey(seed))).toBe(toHex(noble.publicKey));
      const { cipherText, sharedSecret } = ml_kem768.encapsulate(noble.publicKey);
      expect(toHex(nodeMlkemDecapsulate(seed, cipherText))).toBe(toHex(sharedSecret));
      const tampered = Uint8Array.from(cipherText);
      tampered[i] = (tampered[i] as number) ^ 1;
      // Implicit rejection gives the same pseudorandom secret in both libraries.
      expect(toHex(nodeMlkemDecapsulate(seed, tampered))).toBe(
        toHex(ml_kem768.decapsulate(tampered, noble.secretKey)),
      );
    }
  });

  test('primitives: keygen + decapsulate round-trip, and a seed whose bytes changed is not answered from the cache', () => {
    const k = mlkemKeygen(() => rand(64));
    const enc = ml_kem768.encapsulate(k.publicKey);
    expect(toHex(mlkemDecapsulate(k.secretKey, enc.cipherText))).toBe(toHex(enc.sharedSecret));
    const seed = rand(64);
    const before = toHex(nodeMlkemPublicKey(seed));
    seed[0] = (seed[0] as number) ^ 0xff;
    expect(toHex(nodeMlkemPublicKey(seed))).toBe(toHex(ml_kem768.keygen(seed).publicKey));
    expect(toHex(nodeMlkemPublicKey(seed))).not.toBe(before);
  });
});

describe('own-key cache', () => {
  test('one array used as an X25519 and as an Ed25519 secret gives each curve its own key', () => {
    const secret = rand(32);
    expect(toHex(nodeX25519PublicKey(secret))).toBe(toHex(nobleX25519.getPublicKey(secret)));
    const sig = nodeEd25519Sign(secret, new Uint8Array(3));
    expect(ed25519.verify(sig, new Uint8Array(3), ed25519.getPublicKey(secret))).toBe(true);
    expect(toHex(nodeX25519PublicKey(secret))).toBe(toHex(nobleX25519.getPublicKey(secret)));
  });
});

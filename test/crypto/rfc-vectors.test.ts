/**
 * Published vectors (docs/protocol/vectors/crypto-rfc.json): RFC 7748 X25519 on both backends, RFC 8032
 * Ed25519, RFC 5869 HKDF-SHA256, RFC 4231 HMAC-SHA256, draft-irtf-cfrg-xchacha XChaCha20-Poly1305,
 * RFC 8439 ChaCha20 (the test DRBG).
 */
import { describe, expect, test } from 'vitest';
import vectors from '../../docs/protocol/vectors/crypto-rfc.json' with { type: 'json' };
import { dhPrivateKey, dhPublicKey } from '../../src/crypto/backend.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createNodeBackend } from '../../src/crypto/backend-node.ts';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { createDrbg } from '../../src/crypto/drbg.ts';
import {
  aeadOpen,
  aeadSeal,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  hkdfSha256,
  hmacSha256,
  hmacSha256Pair,
  x25519,
  x25519PublicKey,
} from '../../src/crypto/primitives.ts';

const backends = [nobleBackend, createNodeBackend(), createNodeBackend({ forceDer: true })];

describe.each(backends.map((b, i) => [i === 2 ? 'node (DER fallback)' : b.name, b] as const))(
  'X25519 (RFC 7748) on %s',
  (_name, backend) => {
    const dh = (scalar: Uint8Array, u: Uint8Array): Uint8Array =>
      backend.dh(dhPrivateKey(Uint8Array.from(scalar)), dhPublicKey(Uint8Array.from(u)));

    test('section 5.2 scalar multiplication vectors (including a u with the top bit set)', () => {
      for (const c of vectors.x25519.scalarMult)
        expect(toHex(dh(fromHex(c.scalar), fromHex(c.u)))).toBe(c.output);
    });

    test('section 5.2 iterated vector, 1 and 1,000 iterations', () => {
      let k: Uint8Array = new Uint8Array(32);
      k[0] = 9;
      let u: Uint8Array = Uint8Array.from(k);
      const last = vectors.x25519.iterated.at(-1)?.iterations ?? 0;
      for (let i = 1; i <= last; i++) {
        const r = dh(k, u);
        u = k;
        k = r;
        const expected = vectors.x25519.iterated.find((v) => v.iterations === i);
        if (expected) expect(toHex(k)).toBe(expected.output);
      }
    }, 30_000);

    test('section 6.1 Diffie-Hellman', () => {
      const v = vectors.x25519.diffieHellman;
      expect(toHex(dh(fromHex(v.alicePrivate), fromHex(v.bobPublic)))).toBe(v.shared);
      expect(toHex(dh(fromHex(v.bobPrivate), fromHex(v.alicePublic)))).toBe(v.shared);
    });
  },
);

test('X25519 primitives adapter: RFC 7748 section 6.1 public keys and shared secret', () => {
  const v = vectors.x25519.diffieHellman;
  expect(toHex(x25519PublicKey(fromHex(v.alicePrivate)))).toBe(v.alicePublic);
  expect(toHex(x25519PublicKey(fromHex(v.bobPrivate)))).toBe(v.bobPublic);
  expect(toHex(x25519(fromHex(v.alicePrivate), fromHex(v.bobPublic)))).toBe(v.shared);
});

test('Ed25519 (RFC 8032 section 7.1 TEST 1-3): keys, signatures, verification', () => {
  for (const c of vectors.ed25519.cases) {
    const secret = fromHex(c.secretKey);
    expect(toHex(ed25519PublicKey(secret))).toBe(c.publicKey);
    expect(toHex(ed25519Sign(secret, fromHex(c.message)))).toBe(c.signature);
    expect(ed25519Verify(fromHex(c.publicKey), fromHex(c.message), fromHex(c.signature))).toBe(true);
    const wrong = fromHex(c.signature);
    wrong[0] = (wrong[0] as number) ^ 1;
    expect(ed25519Verify(fromHex(c.publicKey), fromHex(c.message), wrong)).toBe(false);
  }
});

test('HKDF-SHA256 (RFC 5869 A.1-A.3)', () => {
  for (const c of vectors.hkdfSha256.cases) {
    expect(toHex(hkdfSha256(fromHex(c.ikm), fromHex(c.salt), fromHex(c.info), c.length))).toBe(c.okm);
  }
});

test('HMAC-SHA256 (RFC 4231 4.3), and the paired form equals two single calls', () => {
  const v = vectors.hmacSha256;
  expect(toHex(hmacSha256(fromHex(v.key), fromHex(v.data)))).toBe(v.mac);
  const [first, second] = hmacSha256Pair(fromHex(v.key), fromHex(v.data), Uint8Array.of(2));
  expect(toHex(first)).toBe(v.mac);
  expect(toHex(second)).toBe(toHex(hmacSha256(fromHex(v.key), Uint8Array.of(2))));
});

test('XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 A.3.1): seal, open, reject a flipped tag', () => {
  const v = vectors.xchacha20poly1305;
  const sealed = aeadSeal(fromHex(v.key), fromHex(v.nonce), fromHex(v.plaintext), fromHex(v.aad));
  expect(toHex(sealed)).toBe(v.ciphertext + v.tag);
  const opened = aeadOpen(fromHex(v.key), fromHex(v.nonce), sealed, fromHex(v.aad));
  expect(opened && toHex(opened)).toBe(v.plaintext);
  sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 0x80;
  expect(aeadOpen(fromHex(v.key), fromHex(v.nonce), sealed, fromHex(v.aad))).toBeNull();
});

test('test DRBG = ChaCha20 keystream (RFC 8439 A.1 vectors 1 and 2)', () => {
  expect(toHex(createDrbg(fromHex(vectors.chacha20.key))(128))).toBe(vectors.chacha20.keystream);
});

/**
 * The node:crypto and noble backends agree: DRBG-derived X25519 and ML-KEM-768 vectors
 * (docs/protocol/vectors/crypto-backends.json), random keys, encapsulation in one and decapsulation in the
 * other, implicit rejection of tampered ciphertexts, malformed keys, serialization of native keys, and the
 * DER-prefix fallback. Input checks throw named TypeError/RangeError.
 */
import { type KeyObject, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import vectors from '../../docs/protocol/vectors/crypto-backends.json' with { type: 'json' };
import {
  type CryptoBackend,
  DER_PREFIX,
  dhPrivateKey,
  dhPublicKey,
  exportDhSecret,
  exportKemSeed,
  kemPrivateKey,
  kemPublicKey,
  mlkem768PublicKeyIsValid,
} from '../../src/crypto/backend.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createNodeBackend, defaultCryptoBackend, nodeCryptoSupport } from '../../src/crypto/backend-node.ts';
import { fromHex, type Rng, toHex } from '../../src/crypto/bytes.ts';
import { createDrbg } from '../../src/crypto/drbg.ts';
import { sha256Hash } from '../../src/crypto/primitives.ts';

const rng: Rng = (n) => new Uint8Array(randomBytes(n));
const node = createNodeBackend();
const nodeDer = createNodeBackend({ forceDer: true });
const nodeFromRng = createNodeBackend({ keysFromRng: true });
const all: [string, CryptoBackend][] = [
  ['noble', nobleBackend],
  ['node', node],
  ['node DER', nodeDer],
  ['node keysFromRng', nodeFromRng],
];

test('this Node offers raw key formats and ML-KEM-768 (the fast path the benchmarks assume)', () => {
  expect(nodeCryptoSupport()).toEqual({ rawKeyFormats: true, mlkem768: true });
  expect(defaultCryptoBackend().name).toBe('node');
  expect(node.randomness).toBe('openssl');
  expect(nobleBackend.randomness).toBe('rng');
  expect(nodeFromRng.randomness).toBe('rng');
});

describe.each(all)('%s backend on the DRBG vectors', (_name, backend) => {
  test('X25519 shared secrets', () => {
    for (const c of vectors.x25519) {
      expect(toHex(backend.dh(dhPrivateKey(fromHex(c.secretA)), dhPublicKey(fromHex(c.publicB))))).toBe(
        c.shared,
      );
      expect(toHex(backend.dh(dhPrivateKey(fromHex(c.secretB)), dhPublicKey(fromHex(c.publicA))))).toBe(
        c.shared,
      );
    }
  });

  test('ML-KEM-768 decapsulation of noble ciphertexts from seed keys, and implicit rejection', () => {
    for (const c of vectors.mlkem768) {
      const key = kemPrivateKey(fromHex(c.seed));
      expect(toHex(backend.kemDecapsulate(key, fromHex(c.cipherText)))).toBe(c.sharedSecret);
      const tampered = fromHex(c.cipherText);
      tampered[0] = (tampered[0] as number) ^ 1;
      expect(toHex(backend.kemDecapsulate(key, tampered))).toBe(c.tamperedSharedSecret);
      expect(toHex(backend.kemExportSeed(key))).toBe(c.seed);
    }
  });

  test.skipIf(backend.randomness !== 'rng')(
    'key generation from the Rng follows the vectors (skipped where keys come from OpenSSL, not the Rng)',
    () => {
      const c = vectors.mlkem768[0];
      if (c === undefined) throw new Error('no vector');
      const seedRng: Rng = (n) => (n === 64 ? fromHex(c.seed) : new Uint8Array(n));
      expect(toHex(sha256Hash(backend.kemGenerate(seedRng).publicKey))).toBe(c.publicKeySha256);
      const x = vectors.x25519[0];
      if (x === undefined) throw new Error('no vector');
      expect(toHex(backend.dhGenerate(() => fromHex(x.secretA)).publicKey)).toBe(x.publicA);
    },
  );

  test.skipIf(backend.randomness === 'rng')(
    'key generation ignores the Rng and uses OpenSSL randomness (skipped for backends that use the Rng)',
    () => {
      const zeros: Rng = (n) => new Uint8Array(n);
      const a = backend.kemGenerate(zeros);
      const b = backend.kemGenerate(zeros);
      expect(toHex(a.publicKey)).not.toBe(toHex(b.publicKey));
      expect(mlkem768PublicKeyIsValid(a.publicKey)).toBe(true);
      const d1 = backend.dhGenerate(zeros);
      const d2 = backend.dhGenerate(zeros);
      expect(toHex(d1.publicKey)).not.toBe(toHex(d2.publicKey));
      expect(toHex(backend.dh(d1.privateKey, dhPublicKey(d2.publicKey)))).toBe(
        toHex(backend.dh(d2.privateKey, dhPublicKey(d1.publicKey))),
      );
    },
  );
});

describe('cross-backend', () => {
  test('node and noble X25519 agree on 64 random key pairs (both generate, both compute)', () => {
    for (let i = 0; i < 64; i++) {
      const a = node.dhGenerate(rng);
      const b = nobleBackend.dhGenerate(rng);
      const viaNode = node.dh(a.privateKey, dhPublicKey(b.publicKey));
      const aSecret = node.dhExportSecret(a.privateKey);
      const viaNoble = nobleBackend.dh(dhPrivateKey(aSecret), dhPublicKey(b.publicKey));
      const reverse = nobleBackend.dh(b.privateKey, dhPublicKey(a.publicKey));
      expect(toHex(viaNode)).toBe(toHex(viaNoble));
      expect(toHex(reverse)).toBe(toHex(viaNode));
    }
  });

  test('unclamped scalars and a u with the top bit set: same result', () => {
    const scalar = new Uint8Array(32).fill(0xff);
    const u = fromHex(vectors.x25519[0]?.publicB ?? '');
    u[31] = (u[31] as number) | 0x80;
    expect(toHex(node.dh(dhPrivateKey(scalar), dhPublicKey(u)))).toBe(
      toHex(nobleBackend.dh(dhPrivateKey(scalar), dhPublicKey(u))),
    );
  });

  test.each([
    ['node', node, 'noble', nobleBackend],
    ['noble', nobleBackend, 'node', node],
    ['node DER', nodeDer, 'node', node],
  ] as const)('ML-KEM-768: %s generates and decapsulates, %s encapsulates', (_a, owner, _b, sender) => {
    for (let i = 0; i < 8; i++) {
      const pair = owner.kemGenerate(rng);
      const e = sender.kemEncapsulate(sender.kemImportPublic(pair.publicKey), rng);
      expect(toHex(owner.kemDecapsulate(pair.privateKey, e.cipherText))).toBe(toHex(e.sharedSecret));
      // The same key through its exported seed, in the other backend.
      const seed = owner.kemExportSeed(pair.privateKey);
      expect(toHex(sender.kemDecapsulate(kemPrivateKey(seed), e.cipherText))).toBe(toHex(e.sharedSecret));
    }
  });

  test('a tampered ML-KEM ciphertext gives the same implicit-rejection secret in both', () => {
    const pair = node.kemGenerate(rng);
    const e = nobleBackend.kemEncapsulate(kemPublicKey(pair.publicKey), rng);
    const seed = node.kemExportSeed(pair.privateKey);
    for (const index of [0, 500, 1087]) {
      const tampered = Uint8Array.from(e.cipherText);
      tampered[index] = (tampered[index] as number) ^ 0x40;
      const a = node.kemDecapsulate(pair.privateKey, tampered);
      const b = nobleBackend.kemDecapsulate(kemPrivateKey(seed), tampered);
      expect(toHex(a)).toBe(toHex(b));
      expect(toHex(a)).not.toBe(toHex(e.sharedSecret));
    }
  });

  test('the DER prefixes are the ones node:crypto exports', () => {
    const pair = node.kemGenerate(rng);
    const { privateKey } = pair;
    const der = privateKey.native?.export({ format: 'der', type: 'pkcs8' });
    expect(der && toHex(der.subarray(0, 30))).toBe(DER_PREFIX.mlkem768Pkcs8Both);
    const seed = node.kemExportSeed(privateKey);
    expect(der && toHex(der.subarray(30, 94))).toBe(toHex(seed));
    const imported = nodeDer.kemImportPublic(pair.publicKey).native?.export({ format: 'der', type: 'spki' });
    expect(imported && toHex(imported.subarray(0, 22))).toBe(DER_PREFIX.mlkem768Spki);
    const x = node.dhGenerate(rng).privateKey.native?.export({ format: 'der', type: 'pkcs8' });
    expect(x && toHex(x.subarray(0, 16))).toBe(DER_PREFIX.x25519Pkcs8);
  });
});

test('exporting native keys falls back to PKCS#8 DER where raw formats are missing', () => {
  const withoutRaw = (key: KeyObject): KeyObject =>
    ({
      export: (options: { format: string; type?: string }) => {
        if (options.format.startsWith('raw')) throw new TypeError('ERR_INVALID_ARG_VALUE');
        return key.export(options as { format: 'der'; type: 'pkcs8' });
      },
    }) as unknown as KeyObject;
  const kem = node.kemGenerate(rng).privateKey;
  const dh = node.dhGenerate(rng).privateKey;
  if (kem.native === undefined || dh.native === undefined) throw new Error('expected native keys');
  const seed = exportKemSeed({ seed: undefined, expanded: undefined, native: withoutRaw(kem.native) });
  expect(toHex(seed)).toBe(toHex(node.kemExportSeed(kem)));
  const secret = exportDhSecret({ secret: undefined, native: withoutRaw(dh.native) });
  expect(toHex(secret)).toBe(toHex(node.dhExportSecret(dh)));
  expect(() => exportKemSeed({ seed: undefined, expanded: new Uint8Array(2400), native: undefined })).toThrow(
    TypeError,
  );
});

describe('malformed keys are refused the same way', () => {
  test.each(all)('%s: a low-order X25519 public key throws RangeError', (_name, backend) => {
    const own = backend.dhGenerate(rng);
    for (const bad of [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
      expect(() => backend.dh(own.privateKey, dhPublicKey(bad))).toThrow(RangeError);
    }
  });

  test.each(all)('%s: an ML-KEM key with a coefficient ≥ q throws RangeError', (_name, backend) => {
    const bad = Uint8Array.from(node.kemGenerate(rng).publicKey);
    bad[0] = 0xff;
    bad[1] = (bad[1] as number) | 0x0f; // first coefficient = 0xfff ≥ 3329
    expect(mlkem768PublicKeyIsValid(bad)).toBe(false);
    expect(() => backend.kemImportPublic(bad)).toThrow(RangeError);
    expect(() => backend.kemEncapsulate(kemPublicKey(bad), rng)).toThrow(RangeError);
  });

  test.each(all)('%s: wrong-length inputs throw named TypeError/RangeError', (_name, backend) => {
    expect(() => backend.kemDecapsulate(kemPrivateKey(new Uint8Array(64)), new Uint8Array(1087))).toThrow(
      '"cipherText" expected 1088 bytes, got 1087',
    );
    expect(() => backend.kemImportPublic(new Uint8Array(10))).toThrow(
      '"publicKey" expected 1184 bytes, got 10',
    );
  });

  test('handle constructors check their input', () => {
    expect(() => dhPrivateKey(new Uint8Array(31))).toThrow(
      new RangeError('"secret" expected 32 bytes, got 31'),
    );
    expect(() => dhPublicKey('x' as unknown as Uint8Array)).toThrow(
      new TypeError('"publicKey" expected Uint8Array, got string'),
    );
    expect(() => kemPrivateKey(new Uint8Array(32))).toThrow(
      new RangeError('"seed" expected 64 bytes, got 32'),
    );
    expect(() => kemPublicKey(new Uint8Array(1183))).toThrow(RangeError);
  });
});

test('the DRBG is deterministic and independent of call sizes', () => {
  const seed = sha256Hash(new Uint8Array([1, 2, 3]));
  const whole = createDrbg(seed)(1000);
  const drbg = createDrbg(seed);
  const parts = [1, 63, 64, 65, 7, 300, 500].map((n) => drbg(n));
  expect(toHex(Uint8Array.from(parts.flatMap((p) => [...p])))).toBe(toHex(whole));
  expect(() => createDrbg(new Uint8Array(16))).toThrow(new RangeError('"seed" expected 32 bytes, got 16'));
  expect(() => drbg(-1)).toThrow(RangeError);
});

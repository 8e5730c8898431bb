/**
 * Writes the ratchet, payload, framing and cross-backend crypto vectors under docs/protocol/vectors/ from
 * labelled seeded DRBGs and the noble backend (deterministic). The tests load these files, so the spec's
 * numbers and the code cannot drift: change the protocol, re-run this, review the diff.
 *
 *   node_modules/.bin/node scripts/gen-vectors-ratchet.ts           (writes)
 *   node_modules/.bin/node scripts/gen-vectors-ratchet.ts --check   (exits 1 if a file differs)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { nobleBackend } from '../src/crypto/backend-noble.ts';
import { toHex, utf8 } from '../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../src/crypto/drbg.ts';
import { sha256Hash } from '../src/crypto/primitives.ts';
import { encodeFrame } from '../src/protocol/framing.ts';
import { paddedLength, padmeLength } from '../src/protocol/padding.ts';
import { encodePayload, type Payload } from '../src/protocol/payload.ts';
import { encodeHeader } from '../src/protocol/ratchet/header.ts';
import { chainKdf, kemFieldKey, rootKdf } from '../src/protocol/ratchet/kdf.ts';
import { KEM_KIND_CIPHERTEXT } from '../src/protocol/ratchet/state.ts';
import { runTranscript } from '../test/ratchet/transcript.ts';

const outDir = join(new URL('..', import.meta.url).pathname, 'docs', 'protocol', 'vectors');
const check = process.argv.includes('--check');
let differences = 0;
const write = (name: string, data: unknown): void => {
  const path = join(outDir, name);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = '';
    }
    const same = current === text;
    if (!same) differences++;
    console.log(`${same ? 'ok     ' : 'DIFFERS'} docs/protocol/vectors/${name}`);
    return;
  }
  writeFileSync(path, text);
  console.log(`wrote docs/protocol/vectors/${name}`);
};
const generatedBy = 'scripts/gen-vectors-ratchet.ts';

// ── ratchet transcript ──
write('ratchet-transcript.json', {
  description:
    'A frozen PQ double-ratchet conversation (docs/protocol/ratchet.md). One ChaCha20 DRBG seeded with SHA-256(label) supplies, in order: the seed pair (root key, alice header key, bob next header key, AD, bob DH secret, bob ML-KEM seed), then every Rng call of initSession/encrypt (message id, DH keys, ML-KEM randomness, nonces) in script order. Backend: noble.',
  generatedBy,
  ...runTranscript(nobleBackend).transcript,
});

// ── ratchet KDFs and header ──
{
  const rng = createLabelledDrbg('pvt vectors: ratchet kdf v1');
  const rootKey = rng(32);
  const dhOutput = rng(32);
  const kemSecret = rng(32);
  const plain = rootKdf(rootKey, dhOutput, undefined);
  const mixed = rootKdf(rootKey, dhOutput, kemSecret);
  const chain: { chainKey: string; messageKey: string; nextChainKey: string }[] = [];
  let ck = rng(32);
  for (let i = 0; i < 3; i++) {
    const next = chainKdf(ck);
    chain.push({
      chainKey: toHex(ck),
      messageKey: toHex(next.messageKey),
      nextChainKey: toHex(next.chainKey),
    });
    ck = next.chainKey;
  }
  const headerKey = rng(32);
  const dhPublic = rng(32);
  write('ratchet-kdf.json', {
    description: 'Root KDF (HKDF-SHA256), chain KDF (HMAC-SHA256), KEM-field key and header core encoding.',
    generatedBy,
    rootKdf: [
      {
        rootKey: toHex(rootKey),
        dhOutput: toHex(dhOutput),
        kemSecret: null,
        info: 'pvt ratchet v1 root',
        nextRootKey: toHex(plain.rootKey),
        chainKey: toHex(plain.chainKey),
        nextHeaderKey: toHex(plain.nextHeaderKey),
      },
      {
        rootKey: toHex(rootKey),
        dhOutput: toHex(dhOutput),
        kemSecret: toHex(kemSecret),
        info: 'pvt ratchet v1 root+kem',
        nextRootKey: toHex(mixed.rootKey),
        chainKey: toHex(mixed.chainKey),
        nextHeaderKey: toHex(mixed.nextHeaderKey),
      },
    ],
    chainKdf: chain,
    kemFieldKey: { headerKey: toHex(headerKey), kemFieldKey: toHex(kemFieldKey(headerKey)) },
    header: {
      kemKind: KEM_KIND_CIPHERTEXT,
      dhPublic: toHex(dhPublic),
      pn: 7,
      n: 258,
      encoded: toHex(encodeHeader({ kemKind: KEM_KIND_CIPHERTEXT, dhPublic, pn: 7, n: 258 })),
    },
  });
}

// ── payload and padding ──
{
  const rng = createLabelledDrbg('pvt vectors: payload v1');
  const cases: { name: string; payload: Payload }[] = [
    {
      name: 'short text',
      payload: { type: 'text', id: rng(16), timestampMs: 1_767_225_600_000, body: utf8('hello') },
    },
    { name: 'empty text', payload: { type: 'text', id: rng(16), timestampMs: 0, body: new Uint8Array(0) } },
    {
      name: 'text past the 256-byte floor',
      payload: { type: 'text', id: rng(16), timestampMs: 1_767_225_601_234, body: utf8('é'.repeat(150)) },
    },
    {
      name: 'receipt',
      payload: { type: 'receipt', id: rng(16), timestampMs: 1_767_225_602_000, body: rng(33) },
    },
    {
      name: 'address update',
      payload: { type: 'addressUpdate', id: rng(16), timestampMs: 1_767_225_603_000, body: rng(70) },
    },
    { name: 'control', payload: { type: 'control', id: rng(16), timestampMs: 2 ** 53 - 1, body: rng(1) } },
  ];
  write('ratchet-payload.json', {
    description:
      'Payload records (docs/protocol/ratchet.md, "Payload"): fields and their padded encoding; Padmé padding table with the 256-byte floor.',
    generatedBy,
    payloads: cases.map(({ name, payload }) => ({
      name,
      type: payload.type,
      id: toHex(payload.id),
      timestampMs: payload.timestampMs,
      body: toHex(payload.body),
      encoded: toHex(encodePayload(payload)),
    })),
    padding: [0, 1, 30, 100, 256, 257, 300, 1000, 1025, 4096, 4097, 10_000, 16_414].map((length) => ({
      length,
      padme: padmeLength(length),
      padded: paddedLength(length),
    })),
  });
}

// ── framing ──
{
  const rng = createLabelledDrbg('pvt vectors: framing v1');
  const bodies = [new Uint8Array(0), Uint8Array.of(0x2a), rng(300)];
  write('framing.json', {
    description: 'Length-prefixed frames (docs/protocol/framing.md): u32 big-endian length, then the body.',
    generatedBy,
    frames: bodies.map((body) => ({ body: toHex(body), encoded: toHex(encodeFrame(body)) })),
  });
}

// ── cross-backend X25519 and ML-KEM-768 ──
{
  const rng = createLabelledDrbg('pvt vectors: crypto v1');
  const x25519Cases = Array.from({ length: 4 }, () => {
    const a = rng(32);
    const b = rng(32);
    return {
      secretA: toHex(a),
      secretB: toHex(b),
      publicA: toHex(x25519.getPublicKey(a)),
      publicB: toHex(x25519.getPublicKey(b)),
      shared: toHex(x25519.getSharedSecret(a, x25519.getPublicKey(b))),
    };
  });
  const mlkemCases = Array.from({ length: 3 }, () => {
    const seed = rng(64);
    const message = rng(32);
    const { publicKey, secretKey } = ml_kem768.keygen(seed);
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, message);
    const tampered = Uint8Array.from(cipherText);
    tampered[0] = (tampered[0] as number) ^ 0x01;
    return {
      seed: toHex(seed),
      publicKeySha256: toHex(sha256Hash(publicKey)),
      encapsulationRandomness: toHex(message),
      cipherText: toHex(cipherText),
      sharedSecret: toHex(sharedSecret),
      tamperedCipherText: 'cipherText with bit 0 of byte 0 flipped',
      tamperedSharedSecret: toHex(ml_kem768.decapsulate(tampered, secretKey)),
    };
  });
  write('crypto-backends.json', {
    description:
      'X25519 and ML-KEM-768 (FIPS 203, seed = d ‖ z) cases from a labelled DRBG, computed with noble; the node:crypto backend must agree (decapsulation, implicit rejection, keys from seeds).',
    generatedBy,
    x25519: x25519Cases,
    mlkem768: mlkemCases,
  });
}

if (differences > 0) process.exit(1);

/**
 * Writes docs/protocol/vectors/mailbox.json from a labelled seeded DRBG: direction keys, slots of two
 * epochs in both directions, sealed envelopes (one and two fragments), a proof of work, a mailbox
 * locator list and every request and response encoding. test/mailbox/vectors.test.ts loads the file and
 * recomputes every value, so spec and code cannot drift.
 *
 *   node_modules/.bin/node scripts/gen-vectors-mailbox.ts           (writes)
 *   node_modules/.bin/node scripts/gen-vectors-mailbox.ts --check   (exits 1 if the file differs)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../src/crypto/drbg.ts';
import { MAILBOX_FRAGMENT_DATA_BYTES } from '../src/protocol/mailbox/constants.ts';
import { sealEnvelopes } from '../src/protocol/mailbox/envelope.ts';
import { encodeMailboxLocators } from '../src/protocol/mailbox/locator.ts';
import { envelopeHash, mailboxIdOf, powHash, solvePow } from '../src/protocol/mailbox/pow.ts';
import { directionKeys, slotFor } from '../src/protocol/mailbox/tokens.ts';
import {
  encodeRequest,
  encodeResponse,
  type MailboxRequest,
  type MailboxResponse,
} from '../src/protocol/mailbox/wire.ts';

const path = join(new URL('..', import.meta.url).pathname, 'docs', 'protocol', 'vectors', 'mailbox.json');
const rng = createLabelledDrbg('pvt vectors: mailbox v1');
const pairSecret = rng(32);
const annKey = rng(32);
const benKey = rng(32);
const epochs = [81_234, 81_235];
const annToBen = directionKeys(pairSecret, annKey, benKey);
const benToAnn = directionKeys(pairSecret, benKey, annKey);
const slots = (keys: ReturnType<typeof directionKeys>) =>
  epochs.map((e) => {
    const s = slotFor(keys, e);
    return { epoch: e, deleteCap: toHex(s.deleteCap), fetchCap: toHex(s.fetchCap), token: toHex(s.token) };
  });

const envelopeCases = [
  { label: 'short payload, one fragment', length: 100 },
  { label: 'payload of one fragment and one byte, two fragments', length: MAILBOX_FRAGMENT_DATA_BYTES + 1 },
].map(({ label, length }) => {
  const payload = rng(length);
  const draws: string[] = [];
  const recording = (n: number) => {
    const b = rng(n);
    draws.push(toHex(b));
    return b;
  };
  const envelopes = sealEnvelopes(annToBen.envelopeKey, epochs[0] as number, payload, recording);
  return {
    label,
    epoch: epochs[0],
    payload: toHex(payload),
    randomness: draws,
    envelopes: envelopes.map(toHex),
  };
});

const peerIdBytes = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...rng(32));
const mailboxId = mailboxIdOf(peerIdBytes);
const firstEnvelope = Uint8Array.from(Buffer.from(envelopeCases[0]?.envelopes[0] as string, 'hex'));
const token = slotFor(annToBen, epochs[0] as number).token;
const target = { mailboxId, token, envelopeHash: envelopeHash(firstEnvelope), bucket: 2_924_424 };
const bits = 12;
const nonce = solvePow(target, bits, rng);

const requests: MailboxRequest[] = [
  { kind: 'info' },
  { kind: 'deposit', token, bucket: target.bucket, nonce, envelope: firstEnvelope },
  {
    kind: 'fetch',
    skip: 3,
    fetchCaps: [slotFor(benToAnn, 81_234).fetchCap, slotFor(benToAnn, 81_235).fetchCap],
  },
  { kind: 'delete', deleteCap: slotFor(annToBen, 81_234).deleteCap, hashes: [envelopeHash(firstEnvelope)] },
];
const responses: MailboxResponse[] = [
  { kind: 'info', difficulty: 10, bucket: 2_924_424, ttlSeconds: 1_209_600, maxPerToken: 256 },
  { kind: 'deposited', stored: true },
  { kind: 'fetched', remaining: 0, envelopes: [{ cap: 1, envelope: firstEnvelope }] },
  { kind: 'deleted', count: 1 },
  { kind: 'refused', reason: 'pow', difficulty: 14, bucket: 2_924_425 },
];
const hexify = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(hexify);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hexify(x)]));
  return v;
};

const data = {
  description:
    'Mailbox protocol vectors (docs/protocol/mailbox.md). One ChaCha20 DRBG seeded with SHA-256("pvt vectors: mailbox v1") supplies, in order: pairSecret, annKey, benKey, then per envelope case the payload and the recorded randomness of sealEnvelopes, then the PeerId key and the proof-of-work start nonce.',
  generatedBy: 'scripts/gen-vectors-mailbox.ts',
  pairSecret: toHex(pairSecret),
  annKey: toHex(annKey),
  benKey: toHex(benKey),
  directions: {
    annToBen: { envelopeKey: toHex(annToBen.envelopeKey), slots: slots(annToBen) },
    benToAnn: { envelopeKey: toHex(benToAnn.envelopeKey), slots: slots(benToAnn) },
  },
  envelopes: envelopeCases,
  pow: {
    peerId: toHex(peerIdBytes),
    mailboxId: toHex(mailboxId),
    token: toHex(token),
    envelopeHash: toHex(target.envelopeHash),
    bucket: target.bucket,
    bits,
    nonce: toHex(nonce),
    hash: toHex(powHash(target, nonce)),
  },
  locators: {
    mailboxes: [
      { peerId: toHex(peerIdBytes), addrs: ['047f000001060fa1'] },
      { peerId: '0024080112207e1f0d3c0b2a19080706050403020100ffeeddccbbaa99887766554433221100', addrs: [] },
    ],
    encoded: '',
  },
  requests: requests.map((r) => ({ value: hexify(r), encoded: toHex(encodeRequest(r)) })),
  responses: responses.map((r) => ({ value: hexify(r), encoded: toHex(encodeResponse(r)) })),
};
data.locators.encoded = toHex(
  encodeMailboxLocators(
    data.locators.mailboxes.map((m) => ({
      peerId: Uint8Array.from(Buffer.from(m.peerId, 'hex')),
      addrs: m.addrs.map((a) => Uint8Array.from(Buffer.from(a, 'hex'))),
    })),
  ),
);

const text = `${JSON.stringify(data, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {}
  console.log(`${current === text ? 'ok     ' : 'DIFFERS'} docs/protocol/vectors/mailbox.json`);
  process.exit(current === text ? 0 : 1);
}
writeFileSync(path, text);
console.log('wrote docs/protocol/vectors/mailbox.json');

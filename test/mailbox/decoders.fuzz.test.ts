/**
 * Mailbox decoder fuzzing (PVT_FUZZ_RUNS inputs per decoder, default 3,000; `npm run fuzz` runs
 * 100,000): mutated valid messages and random bytes into the request, response, envelope and locator
 * decoders give a value or a named ProtocolError, never another exception; a decoded value re-encodes to
 * the same bytes.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { MAILBOX_ENVELOPE_BYTES } from '../../src/protocol/mailbox/constants.ts';
import { openEnvelope, sealEnvelopes } from '../../src/protocol/mailbox/envelope.ts';
import { decodeMailboxLocators, encodeMailboxLocators } from '../../src/protocol/mailbox/locator.ts';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from '../../src/protocol/mailbox/wire.ts';
import {
  FUZZ_RUNS,
  mutatedBytes,
  onlyProtocolErrors,
  sameLengthMutations,
} from '../protocol/fuzz-helpers.ts';

const rng = createLabelledDrbg('test: mailbox fuzz');
const env = rng(MAILBOX_ENVELOPE_BYTES);
const requests = [
  encodeRequest({ kind: 'info' }),
  encodeRequest({ kind: 'deposit', token: rng(32), bucket: 9, nonce: rng(8), envelope: env }),
  encodeRequest({ kind: 'fetch', skip: 2, fetchCaps: [rng(32), rng(32), rng(32)] }),
  encodeRequest({ kind: 'delete', deleteCap: rng(32), hashes: [rng(32), rng(32)] }),
];
const responses = [
  encodeResponse({ kind: 'info', difficulty: 12, bucket: 77, ttlSeconds: 1_209_600, maxPerToken: 256 }),
  encodeResponse({ kind: 'deposited', stored: false }),
  encodeResponse({
    kind: 'fetched',
    remaining: 4,
    envelopes: [
      { cap: 0, envelope: env },
      { cap: 2, envelope: env },
    ],
  }),
  encodeResponse({ kind: 'deleted', count: 3 }),
  encodeResponse({ kind: 'refused', reason: 'slotFull', difficulty: 10, bucket: 1 }),
];
const key = rng(32);
const [envelope] = sealEnvelopes(key, 5, rng(300), rng);
const peerId = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...rng(32));
const locators = encodeMailboxLocators([
  { peerId, addrs: [Uint8Array.of(4, 127, 0, 0, 1, 6, 0x0f, 0xa1)] },
  { peerId: rng(20), addrs: [] },
]);

const bytes = (seeds: Uint8Array[]) => fc.oneof(mutatedBytes(seeds), fc.uint8Array({ maxLength: 300 }));

test('requests: a value or a named error; values re-encode to the same bytes', () => {
  fc.assert(
    fc.property(bytes(requests), (b) => {
      onlyProtocolErrors(() => expect(encodeRequest(decodeRequest(b))).toEqual(b));
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('responses: a value or a named error; values re-encode to the same bytes', () => {
  fc.assert(
    fc.property(bytes(responses), (b) => {
      onlyProtocolErrors(() => expect(encodeResponse(decodeResponse(b))).toEqual(b));
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('envelopes: tampered bytes never open', () => {
  fc.assert(
    fc.property(sameLengthMutations(envelope as Uint8Array), (b) => {
      expect(() => openEnvelope(key, 5, b)).toThrow(/authentication/);
    }),
    { numRuns: Math.max(1, Math.floor(FUZZ_RUNS / 10)) },
  );
});

test('locator lists: a value or a named error', () => {
  fc.assert(
    fc.property(bytes([locators]), (b) => {
      onlyProtocolErrors(() => expect(encodeMailboxLocators(decodeMailboxLocators(b))).toEqual(b));
    }),
    { numRuns: FUZZ_RUNS },
  );
});

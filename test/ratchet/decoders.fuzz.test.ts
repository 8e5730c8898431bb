/**
 * Decoder fuzzing (PVT_FUZZ_RUNS inputs each, default 3,000): arbitrary and mutated bytes into the ratchet
 * message path, the header decoder, the state deserializer and the payload decoder give a value or a named
 * ProtocolError — never another exception, a hang or a changed state.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import {
  RATCHET_HEADER_PLAINTEXT_BYTES,
  RATCHET_MESSAGE_OVERHEAD_BYTES,
} from '../../src/protocol/constants.ts';
import { decodePayload, encodePayload, textPayload } from '../../src/protocol/payload.ts';
import { decodeHeader } from '../../src/protocol/ratchet/header.ts';
import {
  deserializeState,
  ratchetDecrypt,
  ratchetEncrypt,
  serializeState,
} from '../../src/protocol/ratchet/index.ts';
import {
  FUZZ_RUNS,
  mutatedBytes,
  onlyProtocolErrors,
  sameLengthMutations,
} from '../protocol/fuzz-helpers.ts';
import { newPair, nodeBackend, pooledSeeds, snapshot, systemRng, text } from './helpers.ts';

let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(6));
const first = ratchetEncrypt(alice, text('first'), systemRng);
alice = first.state;
bob = ratchetDecrypt(bob, first.message).state;
const second = ratchetEncrypt(alice, text('second'), systemRng);
const reply = ratchetEncrypt(bob, text('reply'), systemRng);
const bobBefore = snapshot(bob);
const aliceAfterSecond = snapshot(second.state);
const validMessages = [second.message, first.message];

describe('ratchet message decoder', () => {
  test('arbitrary bytes (all lengths around the minimum) → named errors, state untouched', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({
            minLength: RATCHET_MESSAGE_OVERHEAD_BYTES - 2,
            maxLength: RATCHET_MESSAGE_OVERHEAD_BYTES + 40,
          }),
        ),
        (bytes) => {
          if (bytes.length > 0) bytes[0] = 1;
          onlyProtocolErrors(() => ratchetDecrypt(bob, bytes));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
    expect(snapshot(bob)).toBe(bobBefore);
  });

  test('mutated valid messages (current chain, new chain, replay) → named errors or a decryption', () => {
    fc.assert(
      fc.property(mutatedBytes(validMessages), (bytes) => {
        onlyProtocolErrors(() => ratchetDecrypt(bob, bytes));
      }),
      { numRuns: FUZZ_RUNS },
    );
    fc.assert(
      fc.property(mutatedBytes([reply.message]), (bytes) => {
        onlyProtocolErrors(() => ratchetDecrypt(second.state, bytes));
      }),
      { numRuns: Math.max(1, Math.floor(FUZZ_RUNS / 4)) },
    );
    expect(snapshot(bob)).toBe(bobBefore);
    expect(snapshot(second.state)).toBe(aliceAfterSecond);
  });

  test('header decoder: any 41 bytes decode or throw MalformedRatchetMessageError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({
          minLength: RATCHET_HEADER_PLAINTEXT_BYTES,
          maxLength: RATCHET_HEADER_PLAINTEXT_BYTES,
        }),
        (bytes) => {
          onlyProtocolErrors(() => decodeHeader(bytes));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('state deserializer', () => {
  const seeds = [serializeState(bob), serializeState(second.state), serializeState(reply.state)];
  test('mutated states → a state that serializes back, or a named error', () => {
    fc.assert(
      fc.property(mutatedBytes(seeds), (bytes) => {
        onlyProtocolErrors(() => {
          const state = deserializeState(bytes, { backend: nobleBackend });
          expect(serializeState(state)).toEqual(bytes);
        });
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('arbitrary bytes → named errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        onlyProtocolErrors(() => deserializeState(bytes, { backend: nobleBackend }));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('payload decoder', () => {
  const seeds = [
    encodePayload(textPayload('hello', new Uint8Array(16), 1)),
    encodePayload({
      type: 'receipt',
      id: new Uint8Array(16).fill(1),
      timestampMs: 7,
      body: new Uint8Array(300),
    }),
  ];
  test('mutated and same-length-mutated payloads → a payload that re-encodes, or a named error', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedBytes(seeds), sameLengthMutations(seeds[0] as Uint8Array)), (bytes) => {
        onlyProtocolErrors(() => expect(encodePayload(decodePayload(bytes))).toEqual(bytes));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('arbitrary bytes → named errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        onlyProtocolErrors(() => decodePayload(bytes));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

/**
 * Fuzz: the onion decoders (link cells, relay plaintexts, EXTEND data, descriptors). Any bytes → a value
 * or a named ProtocolError; mutations of valid encodings reach the checks behind the length tests; what
 * decodes re-encodes to the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { ed25519PublicKey } from '../../src/crypto/primitives.ts';
import {
  decodeCell,
  decodeExtend,
  decodeRelay,
  encodeCell,
  encodeExtend,
  encodeRelay,
} from '../../src/protocol/onion/cell.ts';
import { CELL_BYTES, CELL_DESTROY, RELAY_PLAINTEXT_BYTES } from '../../src/protocol/onion/constants.ts';
import { decodeDescriptor, signDescriptor } from '../../src/protocol/onion/descriptor.ts';
import { generateOnionKeys } from '../../src/protocol/onion/handshake.ts';
import { FUZZ_RUNS, mutatedBytes, onlyProtocolErrors, sameLengthMutations } from './fuzz-helpers.ts';

const rng = createLabelledDrbg('pvt tests: onion fuzz');
const seed = rng(32);
const onion = generateOnionKeys(rng, nobleBackend);
const descriptor = signDescriptor(
  {
    transportKey: ed25519PublicKey(seed),
    x25519Public: onion.x25519Public,
    kemPublic: onion.kemPublic,
    publishedMs: 1,
    validUntilMs: 2,
    relayingSinceMs: 0,
    bandwidthKiBps: 5,
    flags: 3,
    addrs: [Uint8Array.of(4, 127, 0, 0, 1, 6, 1, 2)],
    services: ['echo', 'mailbox'],
  },
  seed,
);
const cell = encodeCell(9, CELL_DESTROY, Uint8Array.of(2));
const relay = encodeRelay({ command: 5, streamId: 2, data: Uint8Array.of(1, 2, 3) });
const extend = encodeExtend({
  peerId: new Uint8Array(38).fill(1),
  addrs: [Uint8Array.of(4, 1, 2, 3, 4)],
  handshake: new Uint8Array(1128).fill(3),
});

const runs = Math.max(1, Math.floor(FUZZ_RUNS / 4));

describe('onion decoders', () => {
  test('decodeCell: arbitrary cell-sized bytes and mutations', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: CELL_BYTES, maxLength: CELL_BYTES }), (b) =>
        onlyProtocolErrors(() => decodeCell(b)),
      ),
      { numRuns: runs },
    );
    fc.assert(
      fc.property(sameLengthMutations(cell), (b) =>
        onlyProtocolErrors(() => {
          const c = decodeCell(b);
          expect(encodeCell(c.circId, c.command, c.body)).toEqual(b);
        }),
      ),
      { numRuns: runs },
    );
  });
  test('decodeRelay: mutations of a valid plaintext; what decodes re-encodes identically', () => {
    fc.assert(
      fc.property(sameLengthMutations(relay), (b) => {
        expect(b.length).toBe(RELAY_PLAINTEXT_BYTES);
        onlyProtocolErrors(() => expect(encodeRelay(decodeRelay(b))).toEqual(b));
      }),
      { numRuns: runs },
    );
  });
  test('decodeExtend: arbitrary bytes and mutations', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 1600 }), mutatedBytes([extend])), (b) =>
        onlyProtocolErrors(() => expect(encodeExtend(decodeExtend(b))).toEqual(b)),
      ),
      { numRuns: runs },
    );
  });
  test('decodeDescriptor: arbitrary bytes and mutations never verify unless unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), mutatedBytes([descriptor])), (b) =>
        onlyProtocolErrors(() => {
          decodeDescriptor(b);
          expect(b).toEqual(descriptor);
        }),
      ),
      { numRuns: runs },
    );
  });
});

/**
 * Fuzz: the identity deserializers (private serialization, signed public bundle). Any bytes → an
 * identity or a named ProtocolError; whatever decodes re-encodes to the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import {
  decodeIdentity,
  decodePublicBundle,
  encodeIdentity,
  encodePublicBundle,
  generateIdentity,
} from '../../src/protocol/identity.ts';
import { NOW_MS } from './fixtures.ts';
import { FUZZ_RUNS, mutatedBytes, onlyProtocolErrors, sameLengthMutations } from './fuzz-helpers.ts';

const id = generateIdentity({
  displayName: 'Fuzz 🐛',
  nowMs: NOW_MS,
  rng: createLabelledDrbg('pvt tests: id fuzz'),
});
const priv = encodeIdentity(id);
const bundle = encodePublicBundle(id);

describe('decodeIdentity', () => {
  test('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => onlyProtocolErrors(() => decodeIdentity(b))),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('mutations of a valid encoding; what decodes re-encodes identically', () => {
    fc.assert(
      fc.property(mutatedBytes([priv]), (b) => {
        try {
          expect(encodeIdentity(decodeIdentity(b))).toEqual(b);
        } catch (e) {
          onlyProtocolErrors(() => {
            throw e;
          });
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('decodePublicBundle', () => {
  test('arbitrary bytes, and bytes of the right length', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 129, maxLength: 129 })),
        (b) => onlyProtocolErrors(() => decodePublicBundle(b)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('in-place mutations of a valid bundle never verify', () => {
    fc.assert(
      fc.property(sameLengthMutations(bundle), (b) => {
        onlyProtocolErrors(() => decodePublicBundle(b));
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / 10) },
    );
  });
});

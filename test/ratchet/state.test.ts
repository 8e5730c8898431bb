/**
 * The stored session state: canonical round trip at many points of a conversation and across backends,
 * then strict rejection of unknown versions, every truncation, trailing bytes and inconsistent fields.
 */
import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { CorruptRatchetStateError, UnsupportedRatchetStateVersionError } from '../../src/protocol/errors.ts';
import {
  deserializeState,
  RATCHET_MAX_STATE_BYTES,
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
  serializeState,
} from '../../src/protocol/ratchet/index.ts';
import { newPair, nodeBackend, pooledSeeds, systemRng, text, untext } from './helpers.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function roundTrips(state: RatchetState): void {
  const bytes = serializeState(state);
  expect(bytes.length).toBeLessThanOrEqual(RATCHET_MAX_STATE_BYTES);
  for (const backend of [nodeBackend, nobleBackend]) {
    expect(hex(serializeState(deserializeState(bytes, { backend })))).toBe(hex(bytes));
  }
}

/** A conversation with skipped keys in two chains, returning states along the way. */
function conversation(): RatchetState[] {
  const states: RatchetState[] = [];
  let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(2));
  states.push(alice, bob);
  const a0 = ratchetEncrypt(alice, text('a0'), systemRng);
  const a1 = ratchetEncrypt(a0.state, text('a1'), systemRng);
  alice = a1.state;
  bob = ratchetDecrypt(bob, a1.message).state;
  states.push(alice, bob);
  const b0 = ratchetEncrypt(bob, text('b0'), systemRng);
  const b1 = ratchetEncrypt(b0.state, text('b1'), systemRng);
  bob = b1.state;
  alice = ratchetDecrypt(alice, b1.message).state;
  states.push(alice, bob);
  const a2 = ratchetEncrypt(alice, text('a2'), systemRng);
  alice = a2.state;
  bob = ratchetDecrypt(bob, a2.message).state;
  states.push(alice, bob);
  return states;
}

test('serialize ∘ deserialize is the identity at every point, on both backends', () => {
  for (const state of conversation()) roundTrips(state);
});

test('a state saved on node:crypto continues on noble and vice versa', () => {
  let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(5));
  for (let i = 0; i < 4; i++) {
    const backend = i % 2 === 0 ? nobleBackend : nodeBackend;
    alice = deserializeState(serializeState(alice), { backend });
    bob = deserializeState(serializeState(bob), { backend: i % 2 === 0 ? nodeBackend : nobleBackend });
    const a = ratchetEncrypt(alice, text(`a${i}`), systemRng);
    alice = a.state;
    const ra = ratchetDecrypt(bob, a.message);
    bob = ra.state;
    expect(untext(ra.plaintext)).toBe(`a${i}`);
    const b = ratchetEncrypt(bob, text(`b${i}`), systemRng);
    bob = b.state;
    const rb = ratchetDecrypt(alice, b.message);
    alice = rb.state;
    expect(untext(rb.plaintext)).toBe(`b${i}`);
  }
});

describe('strict reader', () => {
  const states = conversation();
  const sample = serializeState(states[states.length - 1] as RatchetState);

  test('rejects unknown versions (UnsupportedRatchetStateVersionError)', () => {
    for (const version of [0, 2, 255]) {
      const bytes = Uint8Array.from(sample);
      bytes[0] = version;
      expect(() => deserializeState(bytes, { backend: defaultCryptoBackend() })).toThrow(
        UnsupportedRatchetStateVersionError,
      );
    }
  });

  test('rejects empty input and every truncation (CorruptRatchetStateError)', () => {
    for (const state of [states[0], states[1], states[states.length - 1]] as RatchetState[]) {
      const bytes = serializeState(state);
      for (let length = 0; length < bytes.length; length++) {
        expect(() => deserializeState(bytes.subarray(0, length), { backend: nobleBackend })).toThrow(
          CorruptRatchetStateError,
        );
      }
    }
  });

  test('rejects trailing bytes, unknown flags and roles, and inconsistent sections', () => {
    const cases: [string, (b: Uint8Array) => Uint8Array][] = [
      ['trailing byte', (b) => Uint8Array.of(...b, 0)],
      ['unknown role', (b) => Uint8Array.of(b[0] as number, 3, ...b.subarray(2))],
      [
        'unknown flag',
        (b) => Uint8Array.of(b[0] as number, b[1] as number, (b[2] as number) | 0x80, ...b.subarray(3)),
      ],
      ['oversize', () => new Uint8Array(RATCHET_MAX_STATE_BYTES + 1).fill(1)],
    ];
    for (const [name, mutate] of cases) {
      expect(() => deserializeState(mutate(sample), { backend: defaultCryptoBackend() }), name).toThrow(
        CorruptRatchetStateError,
      );
    }
  });

  test('rejects bad arguments with TypeError', () => {
    expect(() =>
      deserializeState('state' as unknown as Uint8Array, { backend: defaultCryptoBackend() }),
    ).toThrow(new TypeError('"bytes" expected Uint8Array, got string'));
    expect(() => serializeState(null as unknown as RatchetState)).toThrow(TypeError);
  });
});

/**
 * Negative tests, each named for what it rejects. Every rejection is a named ProtocolError and leaves the
 * receiving state byte-for-byte unchanged (serialized before and after).
 */
import { describe, expect, test } from 'vitest';
import { RATCHET_MESSAGE_OVERHEAD_BYTES, RATCHET_PREFIX_BYTES } from '../../src/protocol/constants.ts';
import {
  MalformedRatchetMessageError,
  ProtocolError,
  RatchetBodyAuthError,
  RatchetHeaderAuthError,
  RatchetReplayError,
  UnsupportedRatchetVersionError,
} from '../../src/protocol/errors.ts';
import { type RatchetState, ratchetDecrypt, ratchetEncrypt } from '../../src/protocol/ratchet/index.ts';
import {
  flipBit,
  newPair,
  nodeBackend,
  type Pair,
  pooledSeeds,
  snapshot,
  systemRng,
  text,
} from './helpers.ts';

/** Expects `decrypt` to throw `type` and the state to be unchanged. */
function rejects(
  state: RatchetState,
  message: Uint8Array,
  type: new (...args: never[]) => ProtocolError,
): void {
  const before = snapshot(state);
  let thrown: unknown;
  try {
    ratchetDecrypt(state, message);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  expect(thrown).toBeInstanceOf(ProtocolError);
  expect(snapshot(state)).toBe(before);
}

/** A pair where bob has received alice's first message and a second one waits in flight. */
function inFlight(seedIndex = 3): Pair & { first: Uint8Array; second: Uint8Array } {
  let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(seedIndex));
  const first = ratchetEncrypt(alice, text('first'), systemRng);
  alice = first.state;
  bob = ratchetDecrypt(bob, first.message).state;
  const second = ratchetEncrypt(alice, text('second'), systemRng);
  return { alice: second.state, bob, first: first.message, second: second.message };
}

/** A message that starts a new chain (bob's first reply) and alice's state before it. */
function newChainMessage(): { alice: RatchetState; message: Uint8Array } {
  const { alice, bob, first } = inFlight();
  void first;
  const reply = ratchetEncrypt(bob, text('reply'), systemRng);
  return { alice, message: reply.message };
}

const offsets = {
  version: 0,
  nonce: 1,
  sealedHeader: 25,
  headerTag: 25 + 41,
  kemField: 25 + 57,
  body: RATCHET_PREFIX_BYTES,
};

describe('tampering is rejected', () => {
  test('rejects an unknown version byte', () => {
    const { bob, second } = inFlight();
    rejects(bob, flipBit(second, offsets.version, 1), UnsupportedRatchetVersionError);
  });

  test('rejects a flipped bit in the nonce', () => {
    const { bob, second } = inFlight();
    rejects(bob, flipBit(second, offsets.nonce + 5), RatchetHeaderAuthError);
  });

  test('rejects a flipped bit in the sealed header (current chain and new chain)', () => {
    const { bob, second } = inFlight();
    rejects(bob, flipBit(second, offsets.sealedHeader + 3), RatchetHeaderAuthError);
    rejects(bob, flipBit(second, offsets.headerTag + 15, 7), RatchetHeaderAuthError);
    const { alice, message } = newChainMessage();
    rejects(alice, flipBit(message, offsets.sealedHeader), RatchetHeaderAuthError);
  });

  test('rejects a flipped bit in the KEM field (first message of a chain and a later one)', () => {
    // Both messages carry an ML-KEM public key (kind 2). The flips are in its 32-byte seed rho (offsets
    // 1,152..1,183), which no key validation looks at, so only the body's AEAD can catch them. (A flip
    // among the 12-bit coefficients may instead make the key invalid — MalformedRatchetMessage — which
    // depends on the random key: it made this test flaky when the flip was at offset 700.)
    const { alice, message } = newChainMessage();
    rejects(alice, flipBit(message, offsets.kemField + 1160), RatchetBodyAuthError);
    const { bob, second } = inFlight();
    rejects(bob, flipBit(second, offsets.kemField + 1183, 7), RatchetBodyAuthError);
  });

  test('rejects a flipped bit in the body', () => {
    const { bob, second } = inFlight();
    rejects(bob, flipBit(second, offsets.body + 2), RatchetBodyAuthError);
    const { alice, message } = newChainMessage();
    rejects(alice, flipBit(message, offsets.body), RatchetBodyAuthError);
  });

  test('rejects a flipped bit in the body tag', () => {
    const { bob, second } = inFlight();
    rejects(bob, flipBit(second, second.length - 1, 3), RatchetBodyAuthError);
  });

  test('rejects every single-bit flip of a message (sampled positions)', () => {
    const { bob, second } = inFlight();
    for (let index = 0; index < second.length; index += 37) {
      const before = snapshot(bob);
      expect(() => ratchetDecrypt(bob, flipBit(second, index, index % 8))).toThrow(ProtocolError);
      expect(snapshot(bob)).toBe(before);
    }
  });
});

describe('messages that are not for this session or not anymore', () => {
  test('rejects a message from another session (wrong session)', () => {
    const { bob } = inFlight(3);
    const other = inFlight(6);
    rejects(bob, other.second, RatchetHeaderAuthError);
    rejects(bob, other.first, RatchetHeaderAuthError);
  });

  test('rejects a replay of the last message, of a skipped-then-received one, and of an older chain', () => {
    let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(4));
    const m: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const s = ratchetEncrypt(alice, text(`m${i}`), systemRng);
      alice = s.state;
      m.push(s.message);
    }
    bob = ratchetDecrypt(bob, m[0] as Uint8Array).state;
    rejects(bob, m[0] as Uint8Array, RatchetReplayError);
    bob = ratchetDecrypt(bob, m[2] as Uint8Array).state;
    bob = ratchetDecrypt(bob, m[1] as Uint8Array).state;
    rejects(bob, m[1] as Uint8Array, RatchetReplayError);
    rejects(bob, m[2] as Uint8Array, RatchetReplayError);
    // After a DH step, a replay of the old chain whose keys are all used opens under no key.
    const b = ratchetEncrypt(bob, text('b'), systemRng);
    bob = b.state;
    alice = ratchetDecrypt(alice, b.message).state;
    const a = ratchetEncrypt(alice, text('a'), systemRng);
    bob = ratchetDecrypt(bob, a.message).state;
    rejects(bob, m[2] as Uint8Array, RatchetHeaderAuthError);
    rejects(bob, a.message, RatchetReplayError);
  });

  test('rejects a replay while an old chain still holds skipped keys', () => {
    let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(5));
    const m0 = ratchetEncrypt(alice, text('m0'), systemRng);
    const m1 = ratchetEncrypt(m0.state, text('m1'), systemRng);
    const m2 = ratchetEncrypt(m1.state, text('m2'), systemRng);
    alice = m2.state;
    bob = ratchetDecrypt(bob, m0.message).state;
    bob = ratchetDecrypt(bob, m2.message).state;
    const b = ratchetEncrypt(bob, text('b'), systemRng);
    bob = b.state;
    alice = ratchetDecrypt(alice, b.message).state;
    bob = ratchetDecrypt(bob, ratchetEncrypt(alice, text('a'), systemRng).message).state;
    rejects(bob, m2.message, RatchetReplayError);
    bob = ratchetDecrypt(bob, m1.message).state;
    rejects(bob, m1.message, RatchetHeaderAuthError);
  });
});

describe('size checks', () => {
  test('rejects an empty and a truncated message', () => {
    const { bob, second } = inFlight();
    rejects(bob, new Uint8Array(0), MalformedRatchetMessageError);
    for (const length of [1, 25, 100, RATCHET_PREFIX_BYTES, RATCHET_MESSAGE_OVERHEAD_BYTES - 1]) {
      rejects(bob, second.subarray(0, length), MalformedRatchetMessageError);
    }
    // Cut inside the body: the sizes are plausible, authentication fails.
    rejects(bob, second.subarray(0, second.length - 1), RatchetBodyAuthError);
  });

  test('rejects an oversize message', () => {
    const { bob, second } = inFlight();
    const big = new Uint8Array(RATCHET_MESSAGE_OVERHEAD_BYTES + 32 * 1024 + 1);
    big.set(second);
    rejects(bob, big, MalformedRatchetMessageError);
  });
});

describe('authenticated but invalid headers (a misbehaving peer)', () => {
  test('rejects a KEM key where a KEM ciphertext was due', () => {
    const { alice, bob, first } = inFlight();
    void first;
    const reply = ratchetEncrypt(bob, text('reply'), systemRng);
    const aliceAfter = ratchetDecrypt(alice, reply.message).state;
    // Alice should answer with a ciphertext to bob's key; forget that key so she publishes one instead.
    const rogue = ratchetEncrypt({ ...aliceAfter, kemRemote: undefined }, text('rogue'), systemRng);
    rejects(reply.state, rogue.message, MalformedRatchetMessageError);
  });

  test('rejects a low-order ratchet public key', () => {
    const pair = inFlight();
    // Bob's first reply, but with an all-zero ratchet public key in its header.
    const stepped = ratchetEncrypt(pair.bob, text('x'), systemRng).state;
    const dhSelf = stepped.dhSelf;
    if (dhSelf === undefined) throw new Error('no DH key');
    const forged = { ...stepped, sendCount: 0, dhSelf: { ...dhSelf, publicKey: new Uint8Array(32) } };
    rejects(pair.alice, ratchetEncrypt(forged, text('x'), systemRng).message, MalformedRatchetMessageError);
  });

  test('rejects non-zero padding after the KEM ciphertext', () => {
    const pair = inFlight();
    const b = ratchetEncrypt(pair.bob, text('b'), systemRng);
    const aliceAfter = ratchetDecrypt(pair.alice, b.message).state;
    const stepped = ratchetEncrypt(aliceAfter, text('a'), systemRng).state;
    const chain = stepped.sendChain;
    if (chain === undefined) throw new Error('no chain');
    const kemField = Uint8Array.from(chain.kemField);
    kemField[kemField.length - 1] = 1;
    const bad = ratchetEncrypt(
      { ...stepped, sendCount: 0, sendChain: { ...chain, kemField } },
      text('a'),
      systemRng,
    );
    rejects(b.state, bad.message, MalformedRatchetMessageError);
  });
});

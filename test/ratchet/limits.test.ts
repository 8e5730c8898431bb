/**
 * Skipped-key bounds: a forward jump of exactly RATCHET_MAX_FORWARD_JUMP is accepted and one more is
 * refused (in a chain and through PN across a DH step); at most RATCHET_MAX_SKIPPED_KEYS keys are kept,
 * oldest evicted first; at most RATCHET_MAX_SKIPPED_CHAINS chains are kept, oldest evicted first.
 */
import { describe, expect, test } from 'vitest';
import {
  RATCHET_MAX_FORWARD_JUMP,
  RATCHET_MAX_SKIPPED_CHAINS,
  RATCHET_MAX_SKIPPED_KEYS,
} from '../../src/protocol/constants.ts';
import {
  RatchetHeaderAuthError,
  RatchetReplayError,
  RatchetSkipLimitError,
} from '../../src/protocol/errors.ts';
import { type RatchetState, ratchetDecrypt, ratchetEncrypt } from '../../src/protocol/ratchet/index.ts';
import { chainKdf } from '../../src/protocol/ratchet/kdf.ts';
import { newPair, nodeBackend, pooledSeeds, snapshot, systemRng, text, untext } from './helpers.ts';

/** Alice's state moved `count` messages along her sending chain without encrypting them. */
function advanceSender(state: RatchetState, count: number): RatchetState {
  const chain = state.sendChain;
  if (chain === undefined) throw new Error('no sending chain');
  let chainKey = chain.chainKey;
  for (let i = 0; i < count; i++) chainKey = chainKdf(chainKey).chainKey;
  return { ...state, sendChain: { ...chain, chainKey }, sendCount: state.sendCount + count };
}

describe('forward jumps', () => {
  test(`a jump of exactly ${RATCHET_MAX_FORWARD_JUMP} keys is accepted; ${RATCHET_MAX_SKIPPED_KEYS} newest keys are kept`, () => {
    const { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(1));
    const far = advanceSender(alice, RATCHET_MAX_FORWARD_JUMP);
    const message = ratchetEncrypt(far, text('far'), systemRng).message;
    const got = ratchetDecrypt(bob, message);
    expect(untext(got.plaintext)).toBe('far');
    expect(got.state.skipped.length).toBe(RATCHET_MAX_SKIPPED_KEYS);
    // The newest skipped key (n = 24,999) is still there; an evicted one (n = 22,999) reads as used.
    const newest = ratchetEncrypt(
      advanceSender(alice, RATCHET_MAX_FORWARD_JUMP - 1),
      text('late'),
      systemRng,
    );
    expect(untext(ratchetDecrypt(got.state, newest.message).plaintext)).toBe('late');
    const evicted = ratchetEncrypt(
      advanceSender(alice, RATCHET_MAX_FORWARD_JUMP - RATCHET_MAX_SKIPPED_KEYS - 1),
      text('lost'),
      systemRng,
    );
    expect(() => ratchetDecrypt(got.state, evicted.message)).toThrow(RatchetReplayError);
  });

  test(`a jump of ${RATCHET_MAX_FORWARD_JUMP + 1} keys is refused (RatchetSkipLimitError), state unchanged`, () => {
    const { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(2));
    const message = ratchetEncrypt(
      advanceSender(alice, RATCHET_MAX_FORWARD_JUMP + 1),
      text('x'),
      systemRng,
    ).message;
    const before = snapshot(bob);
    expect(() => ratchetDecrypt(bob, message)).toThrow(RatchetSkipLimitError);
    expect(snapshot(bob)).toBe(before);
  });

  test('a too-far PN (end of the previous chain) is refused across a DH step', () => {
    let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(3));
    const a = ratchetEncrypt(alice, text('a'), systemRng);
    alice = a.state;
    bob = ratchetDecrypt(bob, a.message).state;
    const b = ratchetEncrypt(bob, text('b'), systemRng);
    alice = ratchetDecrypt(alice, b.message).state;
    // Alice claims her previous chain had 25,002 messages: bob has 1 and would skip 25,001.
    const next = ratchetEncrypt({ ...alice, sendCount: RATCHET_MAX_FORWARD_JUMP + 2 }, text('c'), systemRng);
    const before = snapshot(b.state);
    expect(() => ratchetDecrypt(b.state, next.message)).toThrow(RatchetSkipLimitError);
    expect(snapshot(b.state)).toBe(before);
  });
});

test(`at most ${RATCHET_MAX_SKIPPED_CHAINS} chains keep skipped keys; the oldest chain goes first`, () => {
  let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(4));
  const held: Uint8Array[] = [];
  for (let chain = 0; chain <= RATCHET_MAX_SKIPPED_CHAINS; chain++) {
    const skippedOne = ratchetEncrypt(alice, text(`held ${chain}`), systemRng);
    const delivered = ratchetEncrypt(skippedOne.state, text(`sent ${chain}`), systemRng);
    alice = delivered.state;
    held.push(skippedOne.message);
    bob = ratchetDecrypt(bob, delivered.message).state;
    const reply = ratchetEncrypt(bob, text('reply'), systemRng);
    bob = reply.state;
    alice = ratchetDecrypt(alice, reply.message).state;
  }
  expect(bob.skipped.length).toBe(RATCHET_MAX_SKIPPED_CHAINS);
  expect(() => ratchetDecrypt(bob, held[0] as Uint8Array)).toThrow(RatchetHeaderAuthError);
  for (let chain = 1; chain <= RATCHET_MAX_SKIPPED_CHAINS; chain++) {
    const got = ratchetDecrypt(bob, held[chain] as Uint8Array);
    bob = got.state;
    expect(untext(got.plaintext)).toBe(`held ${chain}`);
  }
  expect(bob.skipped.length).toBe(0);
});

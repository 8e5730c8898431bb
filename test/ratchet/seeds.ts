/**
 * Test fixture: a matching pair of SessionSeeds (what a completed handshake hands each side) drawn from an
 * Rng, so ratchet tests and the vector script start from the same place without running the handshake.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { Rng } from '../../src/crypto/bytes.ts';
import type { SessionSeed } from '../../src/protocol/session-seed.ts';

export interface SeedPair {
  readonly alice: SessionSeed;
  readonly bob: SessionSeed;
}

/** Draws in order: root key, alice's header key, bob's next header key, AD, bob's DH secret, KEM seed. */
export function seedPair(rng: Rng): SeedPair {
  const rootKey = rng(32);
  const headerKeyAlice = rng(32);
  const nextHeaderKeyBob = rng(32);
  const associatedData = rng(32);
  const dhSecret = rng(32);
  const dhPublic = x25519.getPublicKey(dhSecret);
  const kemSeed = rng(64);
  const kemPublic = ml_kem768.keygen(kemSeed).publicKey;
  const common = { rootKey, headerKeyAlice, nextHeaderKeyBob, associatedData };
  return {
    alice: { ...common, role: 'alice', bobRatchet: { kind: 'remote', dhPublic, kemPublic } },
    bob: { ...common, role: 'bob', bobRatchet: { kind: 'own', dhSecret, dhPublic, kemSeed, kemPublic } },
  };
}

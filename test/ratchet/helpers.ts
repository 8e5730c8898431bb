/**
 * Shared fixtures for the ratchet suites: session pairs on a chosen backend, a seeded Rng, byte helpers
 * for tampering, and a serialized snapshot to prove a failed step changed nothing.
 */
import { randomBytes } from 'node:crypto';
import type { CryptoBackend } from '../../src/crypto/backend.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createNodeBackend } from '../../src/crypto/backend-node.ts';
import type { Rng } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { initSession, type RatchetState, serializeState } from '../../src/protocol/ratchet/index.ts';
import { type SeedPair, seedPair } from './seeds.ts';

export const nodeBackend = createNodeBackend();
export const backends: readonly CryptoBackend[] = [nobleBackend, nodeBackend];

export const systemRng: Rng = (length) => new Uint8Array(randomBytes(length));

const seedPool: SeedPair[] = [];
/** One of 8 fixed seed pairs (noble keygen is slow; sessions from the same seed are still independent). */
export function pooledSeeds(index: number): SeedPair {
  const slot = Math.abs(index) % 8;
  if (seedPool[slot] === undefined)
    seedPool[slot] = seedPair(createLabelledDrbg(`pvt tests: seed pool ${slot}`));
  return seedPool[slot] as SeedPair;
}

export interface Pair {
  alice: RatchetState;
  bob: RatchetState;
}

export function newPair(backend: CryptoBackend, rng: Rng = systemRng, seeds: SeedPair = seedPair(rng)): Pair {
  return { alice: initSession(seeds.alice, rng, { backend }), bob: initSession(seeds.bob, rng, { backend }) };
}

export function snapshot(state: RatchetState): string {
  return Buffer.from(serializeState(state)).toString('hex');
}

export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index] = (out[index] as number) ^ (1 << bit);
  return out;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const untext = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * Deterministic random bit generator for tests, vectors and benchmarks: the ChaCha20 (RFC 8439) keystream
 * under a 32-byte seed, nonce 0, block counter from 0, handed out in order. Two generators with the same
 * seed return the same bytes whatever the sizes of the calls. Pure; never use it for real keys (the app
 * passes a CSPRNG as `Rng`). Knows nothing about keys or protocols.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes, type Rng, utf8 } from './bytes.ts';

const SEED_BYTES = 32;
const BLOCK_BYTES = 64;
const BATCH_BLOCKS = 16;
/** The 32-bit block counter bounds one generator's output (256 GiB). */
const MAX_BLOCKS = 2 ** 32;

/** An `Rng` that reproduces the ChaCha20 keystream of `seed` (32 bytes). */
export function createDrbg(seed: Uint8Array): Rng {
  assertBytes('seed', seed, SEED_BYTES);
  const key = Uint8Array.from(seed);
  const nonce = new Uint8Array(12);
  let counter = 0;
  let buffer = new Uint8Array(0);
  let offset = 0;
  return (length: number): Uint8Array => {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`"length" expected a non-negative integer, got ${length}`);
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (offset === buffer.length) {
        const blocks = Math.max(BATCH_BLOCKS, Math.ceil((length - filled) / BLOCK_BYTES));
        if (counter + blocks > MAX_BLOCKS) throw new RangeError('"drbg" keystream exhausted');
        buffer = chacha20(key, nonce, new Uint8Array(blocks * BLOCK_BYTES), undefined, counter);
        counter += blocks;
        offset = 0;
      }
      const take = Math.min(length - filled, buffer.length - offset);
      out.set(buffer.subarray(offset, offset + take), filled);
      offset += take;
      filled += take;
    }
    return out;
  };
}

/** A DRBG whose seed is SHA-256 of a text label (`"pvt vectors: ratchet"` …), for readable vector files. */
export function createLabelledDrbg(label: string): Rng {
  if (typeof label !== 'string') throw new TypeError(`"label" expected string, got ${typeof label}`);
  return createDrbg(sha256(utf8(label)));
}

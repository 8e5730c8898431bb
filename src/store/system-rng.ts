/**
 * The production random source (the OS CSPRNG via node:crypto), passed as the Rng parameter to the
 * pure layers. Tests pass seeded RNGs instead.
 */
import { randomBytes } from 'node:crypto';
import type { Rng } from '../crypto/bytes.ts';

export const systemRng: Rng = (length: number) => new Uint8Array(randomBytes(length));

/**
 * Argon2id for passphrases: node:crypto's native argon2 (Node ≥ 24.7, off the main thread) when
 * present, else @noble/hashes (pure JS, yields to the event loop). `tuneArgon2id` measures this machine
 * and picks parameters that take at least the target time. Knows nothing about what the output keys.
 */
import * as nodeCrypto from 'node:crypto';
import { argon2idAsync as nobleArgon2idAsync } from '@noble/hashes/argon2.js';
import {
  ARGON2_MAX_MEMORY_KIB,
  ARGON2_MAX_PARALLELISM,
  ARGON2_MAX_PASSES,
  ARGON2_MAX_TUNED_PASSES,
  ARGON2_PARALLELISM,
  ARGON2_START_MEMORY_KIB,
  ARGON2_START_PASSES,
  ARGON2_TARGET_MS,
} from './constants.ts';

export interface Argon2Params {
  /** Memory in KiB. */
  readonly memoryKiB: number;
  /** Iterations (passes over memory). */
  readonly passes: number;
  /** Lanes. */
  readonly parallelism: number;
}

export interface TunedArgon2Params extends Argon2Params {
  /** Cost of one derivation with these parameters as the tuner measured it (ms of CPU time). */
  readonly measuredMs: number;
  readonly implementation: Argon2Implementation;
}

export type Argon2Implementation = 'node:crypto' | '@noble/hashes';

type NodeArgon2 = typeof nodeCrypto.argon2;

function nativeArgon2(): NodeArgon2 | undefined {
  const fn = (nodeCrypto as { argon2?: unknown }).argon2;
  return typeof fn === 'function' ? (fn as NodeArgon2) : undefined;
}

export function argon2Implementation(): Argon2Implementation {
  return nativeArgon2() ? 'node:crypto' : '@noble/hashes';
}

/** True when the parameters are within the bounds pvt accepts (RFC 9106 minimums, pvt maximums). */
export function validArgon2Params(p: Partial<Record<keyof Argon2Params, unknown>>): p is Argon2Params {
  const int = (v: unknown, min: number, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  return (
    int(p.parallelism, 1, ARGON2_MAX_PARALLELISM) &&
    int(p.passes, 1, ARGON2_MAX_PASSES) &&
    int(p.memoryKiB, 8 * (p.parallelism as number), ARGON2_MAX_MEMORY_KIB)
  );
}

export async function argon2idDerive(
  passphrase: Uint8Array,
  salt: Uint8Array,
  params: Argon2Params,
  length = 32,
): Promise<Uint8Array> {
  if (!validArgon2Params(params)) throw new RangeError('"params" expected Argon2id parameters within bounds');
  const native = nativeArgon2();
  if (native) {
    const out = await new Promise<Buffer>((resolve, reject) => {
      native(
        'argon2id',
        {
          message: passphrase,
          nonce: salt,
          parallelism: params.parallelism,
          tagLength: length,
          memory: params.memoryKiB,
          passes: params.passes,
        },
        (error, key) => (error ? reject(error) : resolve(key)),
      );
    });
    const key = new Uint8Array(out);
    out.fill(0);
    return key;
  }
  return nobleArgon2idAsync(passphrase, salt, {
    t: params.passes,
    m: params.memoryKiB,
    p: params.parallelism,
    dkLen: length,
    maxmem: (params.memoryKiB + 1024) * 1024,
  });
}

/**
 * The cost of one derivation in ms of this process's CPU time (the work runs on a libuv thread or, for
 * the fallback, on the main thread): unlike wall time, it does not shrink or balloon with what else the
 * machine is running at that moment.
 */
async function costOnce(params: Argon2Params): Promise<number> {
  const before = process.cpuUsage();
  await argon2idDerive(new Uint8Array(16), new Uint8Array(16), params);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The cost of `params` here: the smaller of two runs (interference only ever adds). */
export async function measureArgon2idMs(params: Argon2Params): Promise<number> {
  return Math.min(await costOnce(params), await costOnce(params));
}

/**
 * Picks Argon2id parameters that take at least `targetMs` on this machine: starts at 64 MiB and three
 * passes, raises the passes (up to ARGON2_MAX_TUNED_PASSES), then the memory, and returns the first
 * setting whose cost (CPU time, the smaller of two runs — so a momentarily busy machine does not talk it
 * into weak parameters) reaches the target. Never goes below the starting point.
 */
export async function tuneArgon2id(
  o: { targetMs?: number; start?: Argon2Params } = {},
): Promise<TunedArgon2Params> {
  const targetMs = o.targetMs ?? ARGON2_TARGET_MS;
  let params: Argon2Params = o.start ?? {
    memoryKiB: ARGON2_START_MEMORY_KIB,
    passes: ARGON2_START_PASSES,
    parallelism: ARGON2_PARALLELISM,
  };
  for (;;) {
    const ms = await measureArgon2idMs(params);
    if (ms >= targetMs) return { ...params, measuredMs: ms, implementation: argon2Implementation() };
    // Cost is linear in passes and in memory: extrapolate with 15% headroom, at least one step up.
    const factor = Math.max(1, (targetMs * 1.15) / Math.max(ms, 1));
    if (params.passes < ARGON2_MAX_TUNED_PASSES) {
      const passes = Math.min(
        ARGON2_MAX_TUNED_PASSES,
        Math.max(params.passes + 1, Math.ceil(params.passes * factor)),
      );
      params = { ...params, passes };
    } else {
      const memoryKiB = Math.min(
        ARGON2_MAX_MEMORY_KIB,
        Math.ceil((params.memoryKiB * Math.max(factor, 1.25)) / 1024) * 1024,
      );
      if (memoryKiB === params.memoryKiB)
        return { ...params, measuredMs: ms, implementation: argon2Implementation() };
      params = { ...params, memoryKiB };
    }
  }
}

/**
 * Shared pieces of the protocol fuzz suites: the run count (PVT_FUZZ_RUNS, default 3,000; `npm run fuzz`
 * sets 100,000), the "a value or a named ProtocolError, nothing else" check, and byte/string mutators
 * that start from valid inputs so the fuzzer reaches the checks behind the first length test.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ProtocolError } from '../../src/protocol/errors.ts';

export const FUZZ_RUNS = Math.max(1, Number(process.env.PVT_FUZZ_RUNS ?? 3000));

/** Runs `f`; passes when it returns or throws a ProtocolError; fails on any other exception. */
export function onlyProtocolErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ProtocolError)) {
      expect.fail(`expected a value or a ProtocolError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    expect(typeof e.code).toBe('string');
  }
}

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : m.at % n;
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(bytes);
      if (n > 0) out[at] = (out[at] as number) ^ m.mask;
      return out;
    }
    case 'set': {
      const out = Uint8Array.from(bytes);
      if (n > 0) out[at] = m.value;
      return out;
    }
    case 'insert': {
      const out = new Uint8Array(n + m.bytes.length);
      out.set(bytes.subarray(0, at), 0);
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'delete':
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.count)]);
    case 'truncate':
      return bytes.slice(0, at);
  }
}

/** 1–4 random mutations of one of `seeds`. */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([seed, ms]) => ms.reduce(apply, seed));
}

/** Flips in-place bytes only (length kept), so a fixed-size decoder gets past its length check. */
export function sameLengthMutations(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 })
    .map((flips) => {
      const out = Uint8Array.from(seed);
      for (const [i, mask] of flips) out[i % out.length] = (out[i % out.length] as number) ^ mask;
      return out;
    });
}

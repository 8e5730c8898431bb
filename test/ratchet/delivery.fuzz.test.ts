/**
 * Property: random delivery schedules over a two-party session (both directions interleaved, reordering,
 * duplicates, 20 % of messages dropped, state saved and reloaded at random points). Every delivered message
 * decrypts exactly once to its plaintext, a duplicate is refused with a named error and changes nothing,
 * dropped messages never arrive, and afterwards the sessions still talk in both directions with equal
 * step counters. 1,000 schedules in `npm test`; `npm run fuzz` (PVT_FUZZ_RUNS=100,000) runs 10,000.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createDrbg } from '../../src/crypto/drbg.ts';
import {
  RatchetHeaderAuthError,
  RatchetNotReadyError,
  RatchetReplayError,
} from '../../src/protocol/errors.ts';
import {
  deserializeState,
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
  serializeState,
} from '../../src/protocol/ratchet/index.ts';
import { newPair, nodeBackend, pooledSeeds, snapshot, text, untext } from './helpers.ts';

const SCHEDULES = process.env.PVT_FUZZ_RUNS
  ? Math.min(10_000, Math.max(1, Math.floor(Number(process.env.PVT_FUZZ_RUNS) / 10)))
  : 1_000;

type Party = 'alice' | 'bob';
type Op =
  | { readonly kind: 'send'; readonly from: Party; readonly drop: boolean }
  | { readonly kind: 'deliver'; readonly pick: number }
  | { readonly kind: 'duplicate'; readonly pick: number }
  | { readonly kind: 'reload'; readonly who: Party };

const party = fc.constantFrom<Party>('alice', 'bob');
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 7,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      from: party,
      drop: fc.nat(4).map((n) => n === 0),
    }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reload' as const), who: party }) },
);

interface Flight {
  readonly to: Party;
  readonly message: Uint8Array;
  readonly text: string;
}

const other = (p: Party): Party => (p === 'alice' ? 'bob' : 'alice');

test(`${SCHEDULES} random delivery schedules: exactly-once delivery, replays refused, sessions in sync`, () => {
  let schedule = 0;
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.array(op, { maxLength: 40 }),
      (seed, ops) => {
        const rng = createDrbg(seed);
        const pair = newPair(nodeBackend, rng, pooledSeeds(schedule++));
        const states: Record<Party, RatchetState> = { alice: pair.alice, bob: pair.bob };
        let bobReady = false;
        let sent = 0;
        const inFlight: Flight[] = [];
        const delivered: Flight[] = [];

        const deliver = (flight: Flight): void => {
          const { state, plaintext } = ratchetDecrypt(states[flight.to], flight.message);
          expect(untext(plaintext)).toBe(flight.text);
          states[flight.to] = state;
          if (flight.to === 'bob') bobReady = true;
          delivered.push(flight);
        };

        for (const o of ops) {
          if (o.kind === 'send') {
            const body = `${o.from} ${sent++}`;
            if (o.from === 'bob' && !bobReady) {
              expect(() => ratchetEncrypt(states.bob, text(body), rng)).toThrow(RatchetNotReadyError);
              continue;
            }
            const { state, message } = ratchetEncrypt(states[o.from], text(body), rng);
            states[o.from] = state;
            if (!o.drop) inFlight.push({ to: other(o.from), message, text: body });
          } else if (o.kind === 'deliver' && inFlight.length > 0) {
            deliver(inFlight.splice(o.pick % inFlight.length, 1)[0] as Flight);
          } else if (o.kind === 'duplicate' && delivered.length > 0) {
            const flight = delivered[o.pick % delivered.length] as Flight;
            const before = snapshot(states[flight.to]);
            let error: unknown;
            try {
              ratchetDecrypt(states[flight.to], flight.message);
            } catch (e) {
              error = e;
            }
            expect(error instanceof RatchetReplayError || error instanceof RatchetHeaderAuthError).toBe(true);
            expect(snapshot(states[flight.to])).toBe(before);
          } else if (o.kind === 'reload') {
            const bytes = serializeState(states[o.who]);
            const reloaded = deserializeState(bytes, { backend: nodeBackend });
            expect(serializeState(reloaded)).toEqual(bytes);
            states[o.who] = reloaded;
          }
        }
        // Late deliveries of everything still in flight, newest first.
        while (inFlight.length > 0) deliver(inFlight.pop() as Flight);
        // In sync: a fresh exchange works both ways and the step counters agree.
        const a = ratchetEncrypt(states.alice, text('sync a'), rng);
        states.alice = a.state;
        deliver({ to: 'bob', message: a.message, text: 'sync a' });
        const b = ratchetEncrypt(states.bob, text('sync b'), rng);
        states.bob = b.state;
        deliver({ to: 'alice', message: b.message, text: 'sync b' });
        expect(states.alice.dhSteps).toBe(states.bob.dhSteps);
        expect(states.alice.lastKemStep).toBe(states.bob.lastKemStep);
      },
    ),
    { numRuns: SCHEDULES },
  );
});

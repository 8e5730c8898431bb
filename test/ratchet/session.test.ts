/**
 * PQ double ratchet behaviour on both backends: in-order and out-of-order delivery, crossing messages,
 * cross-backend sessions, message sizes, the KEM cadence bound, and argument checks.
 */
import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { RATCHET_MAX_PLAINTEXT_BYTES, RATCHET_MESSAGE_OVERHEAD_BYTES } from '../../src/protocol/constants.ts';
import { RatchetNotReadyError } from '../../src/protocol/errors.ts';
import {
  initSession,
  type RatchetState,
  ratchetCounters,
  ratchetDecrypt,
  ratchetEncrypt,
} from '../../src/protocol/ratchet/index.ts';
import { backends, newPair, nodeBackend, pooledSeeds, systemRng, text, untext } from './helpers.ts';

describe.each(backends.map((b) => [b.name, b] as const))('on the %s backend', (_name, backend) => {
  test('alice and bob exchange messages in order, in both directions', () => {
    let { alice, bob } = newPair(backend, systemRng, pooledSeeds(1));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) {
        const sent = ratchetEncrypt(alice, text(`a${round}.${i}`), systemRng);
        alice = sent.state;
        const got = ratchetDecrypt(bob, sent.message);
        bob = got.state;
        expect(untext(got.plaintext)).toBe(`a${round}.${i}`);
      }
      const sent = ratchetEncrypt(bob, text(`b${round}`), systemRng);
      bob = sent.state;
      const got = ratchetDecrypt(alice, sent.message);
      alice = got.state;
      expect(untext(got.plaintext)).toBe(`b${round}`);
    }
    expect(ratchetCounters(alice).dhSteps).toBe(6);
    expect(ratchetCounters(bob).dhSteps).toBe(6);
  });

  test('out-of-order delivery within a chain and across DH steps', () => {
    let { alice, bob } = newPair(backend, systemRng, pooledSeeds(2));
    const a: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) {
      const s = ratchetEncrypt(alice, text(`a${i}`), systemRng);
      alice = s.state;
      a.push(s.message);
    }
    for (const i of [3, 0]) {
      const r = ratchetDecrypt(bob, a[i] as Uint8Array);
      bob = r.state;
      expect(untext(r.plaintext)).toBe(`a${i}`);
    }
    const b = ratchetEncrypt(bob, text('b0'), systemRng);
    bob = b.state;
    alice = ratchetDecrypt(alice, b.message).state;
    const a4 = ratchetEncrypt(alice, text('a4'), systemRng);
    alice = a4.state;
    bob = ratchetDecrypt(bob, a4.message).state;
    expect(ratchetCounters(bob).skippedKeys).toBe(2);
    for (const i of [2, 1]) {
      const r = ratchetDecrypt(bob, a[i] as Uint8Array);
      bob = r.state;
      expect(untext(r.plaintext)).toBe(`a${i}`);
    }
    expect(ratchetCounters(bob).skippedKeys).toBe(0);
  });

  test('messages sent at the same time by both sides (crossing) all decrypt', () => {
    let { alice, bob } = newPair(backend, systemRng, pooledSeeds(3));
    const first = ratchetEncrypt(alice, text('hello'), systemRng);
    alice = first.state;
    bob = ratchetDecrypt(bob, first.message).state;
    const fromBob = ratchetEncrypt(bob, text('from bob'), systemRng);
    bob = fromBob.state;
    alice = ratchetDecrypt(alice, fromBob.message).state;
    const x = ratchetEncrypt(alice, text('x'), systemRng);
    const y = ratchetEncrypt(bob, text('y'), systemRng);
    alice = x.state;
    bob = y.state;
    const gotY = ratchetDecrypt(alice, y.message);
    const gotX = ratchetDecrypt(bob, x.message);
    expect(untext(gotY.plaintext)).toBe('y');
    expect(untext(gotX.plaintext)).toBe('x');
  });
});

test('a session with alice on noble and bob on node:crypto interoperates', () => {
  const seeds = pooledSeeds(4);
  let alice = initSession(seeds.alice, systemRng, { backend: nobleBackend });
  let bob = initSession(seeds.bob, systemRng, { backend: nodeBackend });
  for (let i = 0; i < 4; i++) {
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

test('bob cannot send before alice’s first message arrives (RatchetNotReadyError)', () => {
  const { bob } = newPair(nodeBackend, systemRng, pooledSeeds(5));
  expect(() => ratchetEncrypt(bob, text('too early'), systemRng)).toThrow(RatchetNotReadyError);
});

test('every message is the plaintext plus a fixed 1,282-byte overhead, whatever the step', () => {
  let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(6));
  expect(RATCHET_MESSAGE_OVERHEAD_BYTES).toBe(1282);
  for (const size of [0, 1, 256, 4096, RATCHET_MAX_PLAINTEXT_BYTES]) {
    const a = ratchetEncrypt(alice, new Uint8Array(size), systemRng);
    alice = a.state;
    expect(a.message.length).toBe(size + RATCHET_MESSAGE_OVERHEAD_BYTES);
    bob = ratchetDecrypt(bob, a.message).state;
    const b = ratchetEncrypt(bob, new Uint8Array(size), systemRng);
    bob = b.state;
    expect(b.message.length).toBe(size + RATCHET_MESSAGE_OVERHEAD_BYTES);
    alice = ratchetDecrypt(alice, b.message).state;
  }
});

describe('KEM cadence: an ML-KEM secret enters the root key at least every second DH step', () => {
  const check = (s: RatchetState): void => {
    const c = ratchetCounters(s);
    // Stated bound (ratchet.md): odd steps mix a fresh ML-KEM secret, so no two consecutive steps lack one.
    expect(c.dhSteps - c.lastKemStep).toBeLessThanOrEqual(1);
    expect(c.kemSteps).toBe(Math.ceil(c.dhSteps / 2));
  };

  test('300 strictly alternating messages: every odd step mixes, both sides agree', () => {
    let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(7));
    let steps = 0;
    for (let i = 0; i < 150; i++) {
      const a = ratchetEncrypt(alice, text('a'), systemRng);
      alice = a.state;
      steps++;
      expect(alice.dhSteps).toBe(steps);
      expect(alice.lastKemStep).toBe(steps % 2 === 1 ? steps : steps - 1);
      check(alice);
      bob = ratchetDecrypt(bob, a.message).state;
      check(bob);
      const b = ratchetEncrypt(bob, text('b'), systemRng);
      bob = b.state;
      steps++;
      expect(bob.dhSteps).toBe(steps);
      check(bob);
      alice = ratchetDecrypt(alice, b.message).state;
      check(alice);
      expect(ratchetCounters(alice)).toMatchObject({
        dhSteps: bob.dhSteps,
        kemSteps: bob.kemSteps,
        lastKemStep: bob.lastKemStep,
      });
    }
    expect(ratchetCounters(alice).kemSteps).toBe(150);
  });

  test('bursts of one-direction messages between turns do not change the cadence', () => {
    let { alice, bob } = newPair(nodeBackend, systemRng, pooledSeeds(0));
    const bursts = [1, 3, 1, 5, 2, 1, 4, 1, 1, 2, 7, 1];
    bursts.forEach((burst, turn) => {
      for (let i = 0; i < burst; i++) {
        if (turn % 2 === 0) {
          const a = ratchetEncrypt(alice, text('a'), systemRng);
          alice = a.state;
          bob = ratchetDecrypt(bob, a.message).state;
        } else {
          const b = ratchetEncrypt(bob, text('b'), systemRng);
          bob = b.state;
          alice = ratchetDecrypt(alice, b.message).state;
        }
        check(alice);
        check(bob);
      }
    });
    expect(alice.dhSteps).toBe(bursts.length);
  });
});

describe('argument checks', () => {
  const seeds = pooledSeeds(1);
  test('initSession names the bad field', () => {
    // The backend is never implied (the launcher chooses it): leaving it out is an argument error.
    expect(() => initSession(seeds.alice, systemRng, {} as unknown as { backend: never })).toThrow(
      new TypeError('"options.backend" expected CryptoBackend, got undefined'),
    );
    expect(() =>
      initSession({ ...seeds.alice, rootKey: new Uint8Array(31) }, systemRng, {
        backend: defaultCryptoBackend(),
      }),
    ).toThrow(new RangeError('"seed.rootKey" expected 32 bytes, got 31'));
    expect(() =>
      initSession({ ...seeds.bob, associatedData: 'ad' as unknown as Uint8Array }, systemRng, {
        backend: defaultCryptoBackend(),
      }),
    ).toThrow(new TypeError('"seed.associatedData" expected Uint8Array, got string'));
    expect(() =>
      initSession({ ...seeds.alice, bobRatchet: seeds.bob.bobRatchet }, systemRng, {
        backend: defaultCryptoBackend(),
      }),
    ).toThrow(TypeError);
    expect(() =>
      initSession({ ...seeds.bob, bobRatchet: seeds.alice.bobRatchet }, systemRng, {
        backend: defaultCryptoBackend(),
      }),
    ).toThrow(TypeError);
    expect(() =>
      initSession(seeds.alice, 'rng' as unknown as () => Uint8Array, { backend: defaultCryptoBackend() }),
    ).toThrow(new TypeError('"rng" expected function, got string'));
    const badKem = Uint8Array.from(seeds.alice.bobRatchet.kemPublic).fill(0xff, 0, 3);
    const remote = { kind: 'remote' as const, dhPublic: seeds.alice.bobRatchet.dhPublic, kemPublic: badKem };
    expect(() =>
      initSession({ ...seeds.alice, bobRatchet: remote }, systemRng, { backend: defaultCryptoBackend() }),
    ).toThrow(RangeError);
  });

  test('ratchetEncrypt and ratchetDecrypt check their arguments', () => {
    const { alice } = newPair(nodeBackend, systemRng, seeds);
    expect(() => ratchetEncrypt(alice, new Uint8Array(RATCHET_MAX_PLAINTEXT_BYTES + 1), systemRng)).toThrow(
      new RangeError(
        `"plaintext" expected at most ${RATCHET_MAX_PLAINTEXT_BYTES} bytes, got ${RATCHET_MAX_PLAINTEXT_BYTES + 1}`,
      ),
    );
    expect(() => ratchetEncrypt(alice, 'hi' as unknown as Uint8Array, systemRng)).toThrow(TypeError);
    expect(() => ratchetEncrypt({} as RatchetState, text('x'), systemRng)).toThrow(TypeError);
    expect(() => ratchetDecrypt(alice, [1, 2] as unknown as Uint8Array)).toThrow(
      new TypeError('"message" expected Uint8Array, got object'),
    );
    expect(() => ratchetEncrypt(alice, text('x'), () => new Uint8Array(3))).toThrow(
      new RangeError('"rng output" expected 24 bytes, got 3'),
    );
  });
});

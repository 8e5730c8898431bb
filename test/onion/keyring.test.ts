/**
 * Onion key rotation (src/net/onion/keyring.ts) on a fake clock: the key set rotates after
 * ONION_KEY_ROTATION_MS, the previous one is still found by its id during ONION_KEY_GRACE_MS and not
 * after (its secrets wiped); a handshake made against the old descriptor completes during the grace and
 * fails after it.
 */
import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { createKeyRing } from '../../src/net/onion/keyring.ts';
import { ONION_KEY_GRACE_MS, ONION_KEY_ROTATION_MS } from '../../src/protocol/onion/constants.ts';
import { OnionHandshakeError } from '../../src/protocol/onion/errors.ts';
import { clientCreate, generateOnionKeys, relayRespond } from '../../src/protocol/onion/handshake.ts';

describe('onion key ring', () => {
  test('rotates on schedule, keeps the previous set for the grace period, then forgets and wipes it', () => {
    const rng = createLabelledDrbg('pvt tests: key ring');
    let t = 1_000_000;
    const ring = createKeyRing(
      rng,
      () => t,
      (r) => generateOnionKeys(r, nobleBackend),
    );
    const first = ring.current();
    const relayId = rng(32);
    const pub = { relayId, x25519Public: first.x25519Public, kemPublic: first.kemPublic };
    t += ONION_KEY_ROTATION_MS - 1;
    expect(ring.tick()).toBe(false);
    expect(ring.current()).toBe(first);
    t += 1;
    expect(ring.tick()).toBe(true);
    const second = ring.current();
    expect(second.keyId).not.toEqual(first.keyId);
    expect(ring.rotatedAt()).toBe(t);
    // During the grace period a CREATE made from the old descriptor still gets an answer.
    expect(ring.keysFor(first.keyId)).toBe(first);
    const { message } = clientCreate(pub, rng, nobleBackend);
    expect(() => relayRespond(relayId, (id) => ring.keysFor(id), message, rng, nobleBackend)).not.toThrow();
    t += ONION_KEY_GRACE_MS;
    ring.tick();
    expect(ring.keysFor(first.keyId)).toBeUndefined();
    expect(first.x25519Secret.every((b) => b === 0)).toBe(true);
    expect(() => relayRespond(relayId, (id) => ring.keysFor(id), message, rng, nobleBackend)).toThrow(
      OnionHandshakeError,
    );
    expect(ring.keysFor(second.keyId)).toBe(second);
  });
});

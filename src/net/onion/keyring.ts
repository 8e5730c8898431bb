/**
 * A relay's onion keys over time (docs/protocol/onion.md, "Onion keys"): the current key set, rotated
 * every ONION_KEY_ROTATION_MS, and the previous one, still accepted for ONION_KEY_GRACE_MS after a
 * rotation and then forgotten (its secrets wiped). Memory only. The clock and randomness are injected.
 */
import type { Rng } from '../../crypto/bytes.ts';
import { equalBytes, wipe } from '../../crypto/bytes.ts';
import { ONION_KEY_GRACE_MS, ONION_KEY_ROTATION_MS } from '../../protocol/onion/constants.ts';
import { generateOnionKeys, type OnionKeys } from '../../protocol/onion/handshake.ts';

export interface KeyRing {
  /** The key set descriptors advertise. */
  current(): OnionKeys;
  /** When `current` was made. */
  rotatedAt(): number;
  /** The key set with this id: current, or previous within its grace period. */
  keysFor(keyId: Uint8Array): OnionKeys | undefined;
  /** Rotates when due and forgets the previous set after its grace; true when it rotated. */
  tick(): boolean;
  /** Rotates now. */
  rotate(): void;
}

export function createKeyRing(
  rng: Rng,
  now: () => number,
  generate: (rng: Rng) => OnionKeys = generateOnionKeys,
): KeyRing {
  let current = generate(rng);
  let madeAt = now();
  let previous: { keys: OnionKeys; until: number } | undefined;
  const forget = () => {
    if (!previous) return;
    wipe(previous.keys.x25519Secret, previous.keys.kemPrivate.seed, previous.keys.kemPrivate.expanded);
    previous = undefined;
  };
  const ring: KeyRing = {
    current: () => current,
    rotatedAt: () => madeAt,
    keysFor(keyId) {
      if (equalBytes(current.keyId, keyId)) return current;
      if (previous && previous.until > now() && equalBytes(previous.keys.keyId, keyId)) return previous.keys;
      return undefined;
    },
    tick() {
      if (previous && previous.until <= now()) forget();
      if (now() - madeAt < ONION_KEY_ROTATION_MS) return false;
      ring.rotate();
      return true;
    },
    rotate() {
      forget();
      previous = { keys: current, until: now() + ONION_KEY_GRACE_MS };
      current = generate(rng);
      madeAt = now();
    },
  };
  return ring;
}

import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { xwing } from '../../src/crypto/primitives.ts';

test('x-wing round trip', () => {
  const rng = (n: number) => new Uint8Array(randomBytes(n));
  const k = xwing.keygen(rng);
  const e = xwing.encapsulate(k.publicKey, rng);
  expect(xwing.decapsulate(k.secretKey, e.cipherText)).toEqual(e.sharedSecret);
});

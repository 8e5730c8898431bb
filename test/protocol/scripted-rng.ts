/**
 * An Rng that returns recorded draws (hex) in order and fails the test on any other call, so a vector's
 * listed randomness is checked to be exactly what each handshake step draws, in that order.
 */
import { fromHex, type Rng } from '../../src/crypto/bytes.ts';

export function scriptedRng(draws: readonly string[]): Rng & { remaining(): number } {
  let next = 0;
  const rng = (length: number): Uint8Array => {
    const hex = draws[next++];
    if (hex === undefined) throw new Error(`scripted rng: unexpected draw #${next} of ${length} bytes`);
    const bytes = fromHex(hex);
    if (bytes.length !== length) {
      throw new Error(`scripted rng: draw #${next} is ${bytes.length} bytes, the code asked for ${length}`);
    }
    return bytes;
  };
  return Object.assign(rng, { remaining: () => draws.length - next });
}

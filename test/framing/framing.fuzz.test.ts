/**
 * Framing decoder fuzzing (PVT_FUZZ_RUNS inputs, default 3,000): arbitrary chunk streams give frames or
 * FrameTooLargeError / FrameTruncatedError, never buffer more than one capped frame, and valid frame
 * streams cut at random points decode to exactly the frames sent.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { FRAME_LENGTH_PREFIX_BYTES } from '../../src/protocol/constants.ts';
import { encodeFrame, FrameDecoder } from '../../src/protocol/framing.ts';
import { FUZZ_RUNS, onlyProtocolErrors } from '../protocol/fuzz-helpers.ts';

const CAP = 512;

test('arbitrary chunks → frames or named errors, bounded buffering', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 12 }), (chunks) => {
      const decoder = new FrameDecoder({ maxFrameBytes: CAP });
      onlyProtocolErrors(() => {
        for (const chunk of chunks) {
          for (const frame of decoder.push(chunk)) expect(frame.length).toBeLessThanOrEqual(CAP);
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(CAP + FRAME_LENGTH_PREFIX_BYTES);
        }
        decoder.end();
      });
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('valid frame streams split at random points decode to the frames sent', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: CAP }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (bodies, cuts) => {
        const stream = Uint8Array.from(bodies.flatMap((b) => [...encodeFrame(b, CAP)]));
        const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort(
          (a, b) => a - b,
        );
        const decoder = new FrameDecoder({ maxFrameBytes: CAP });
        const out: Uint8Array[] = [];
        let last = 0;
        for (const point of [...points, stream.length]) {
          out.push(...decoder.push(stream.subarray(last, point)));
          last = point;
        }
        decoder.end();
        expect(out).toEqual(bodies);
      },
    ),
    { numRuns: FUZZ_RUNS },
  );
});

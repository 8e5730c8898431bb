/**
 * Stream framing: vectors from docs/protocol/vectors/framing.json, frames split across arbitrary chunks,
 * several frames per chunk, zero-length frames, the size cap enforced from the prefix before buffering,
 * truncation at end of stream, and argument checks.
 */
import { describe, expect, test } from 'vitest';
import vectors from '../../docs/protocol/vectors/framing.json' with { type: 'json' };
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { FRAME_MAX_BYTES } from '../../src/protocol/constants.ts';
import { FrameTooLargeError, FrameTruncatedError } from '../../src/protocol/errors.ts';
import { decodeFrames, encodeFrame, FrameDecoder } from '../../src/protocol/framing.ts';

test('frames match framing.json and decode back', () => {
  for (const v of vectors.frames) {
    expect(toHex(encodeFrame(fromHex(v.body)))).toBe(v.encoded);
    expect(new FrameDecoder().push(fromHex(v.encoded)).map(toHex)).toEqual([v.body]);
  }
});

test('every way of splitting a stream into chunks yields the same frames', () => {
  const bodies = vectors.frames.map((v) => fromHex(v.body));
  const stream = Uint8Array.from(bodies.flatMap((b) => [...encodeFrame(b)]));
  for (let size = 1; size <= stream.length; size += size < 10 ? 1 : 37) {
    const decoder = new FrameDecoder();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += size) frames.push(...decoder.push(stream.subarray(i, i + size)));
    decoder.end();
    expect(frames.map(toHex)).toEqual(bodies.map(toHex));
    expect(decoder.bufferedBytes).toBe(0);
  }
});

test('decodeFrames reads an async chunk source', async () => {
  async function* source(): AsyncGenerator<Uint8Array> {
    yield Uint8Array.of(0, 0);
    yield Uint8Array.of(0, 2, 7);
    yield Uint8Array.of(8, 0, 0, 0, 0);
  }
  const frames: string[] = [];
  for await (const frame of decodeFrames(source())) frames.push(toHex(frame));
  expect(frames).toEqual(['0708', '']);
});

describe('limits', () => {
  test('rejects an oversize frame from its prefix, before buffering the body (FrameTooLargeError)', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    expect(decoder.push(Uint8Array.of(0, 0, 0))).toEqual([]);
    expect(() => decoder.push(Uint8Array.of(101))).toThrow(FrameTooLargeError);
    expect(decoder.bufferedBytes).toBe(4);
    // The decoder stays failed: the stream is out of sync.
    expect(() => decoder.push(Uint8Array.of(1))).toThrow(FrameTooLargeError);
    expect(() => new FrameDecoder().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toThrow(
      new FrameTooLargeError(0xffffffff, FRAME_MAX_BYTES),
    );
  });

  test('accepts a frame of exactly the cap', () => {
    const body = new Uint8Array(FRAME_MAX_BYTES).fill(3);
    const frames = new FrameDecoder().push(encodeFrame(body));
    expect(frames[0]?.length).toBe(FRAME_MAX_BYTES);
    expect(() => encodeFrame(new Uint8Array(FRAME_MAX_BYTES + 1))).toThrow(FrameTooLargeError);
    expect(() => encodeFrame(new Uint8Array(11), 10)).toThrow(FrameTooLargeError);
  });

  test('rejects a stream that ends inside a frame (FrameTruncatedError)', () => {
    for (const cut of [1, 3, 4, 6]) {
      const decoder = new FrameDecoder();
      decoder.push(encodeFrame(Uint8Array.of(1, 2, 3)).subarray(0, cut));
      expect(() => decoder.end()).toThrow(FrameTruncatedError);
    }
  });

  test('argument checks', () => {
    expect(() => new FrameDecoder({ maxFrameBytes: FRAME_MAX_BYTES + 1 })).toThrow(RangeError);
    expect(() => new FrameDecoder({ maxFrameBytes: -1 })).toThrow(RangeError);
    expect(() => new FrameDecoder().push('x' as unknown as Uint8Array)).toThrow(
      new TypeError('"chunk" expected Uint8Array, got string'),
    );
    expect(() => encodeFrame(null as unknown as Uint8Array)).toThrow(TypeError);
  });
});

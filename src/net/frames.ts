/**
 * Length-prefixed frames over a libp2p stream (u32 big-endian length ‖ body; src/protocol/framing.ts),
 * with a hard per-stream cap checked on the prefix — before any body byte is buffered — so a peer can
 * never make us allocate more than the cap. The reader pulls chunks from the stream's async iterator
 * into the protocol's incremental decoder; the writer respects back-pressure. Knows nothing about what
 * the frames carry.
 */
import type { AbortOptions, Stream } from '@libp2p/interface';
import { FRAME_MAX_BYTES } from '../protocol/constants.ts';
import { encodeFrame, FrameDecoder } from '../protocol/framing.ts';

export interface FrameReader {
  /**
   * The next frame, or null when the stream ended cleanly between frames. Throws the protocol's
   * FrameTooLargeError / FrameTruncatedError (the stream is then out of sync and must be dropped).
   */
  next(): Promise<Uint8Array | null>;
}

type Chunk = Uint8Array | { subarray(): Uint8Array };

/** Reads frames of at most `maxBytes` (FRAME_MAX_BYTES is the ceiling) from a stream. */
export function frameReader(stream: AsyncIterable<Chunk>, maxBytes: number): FrameReader {
  const decoder = new FrameDecoder({ maxFrameBytes: Math.min(maxBytes, FRAME_MAX_BYTES) });
  const source = stream[Symbol.asyncIterator]();
  const ready: Uint8Array[] = [];
  return {
    async next() {
      for (;;) {
        const frame = ready.shift();
        if (frame !== undefined) return frame;
        const r = await source.next();
        if (r.done) {
          decoder.end();
          return null;
        }
        const chunk = r.value instanceof Uint8Array ? r.value : r.value.subarray();
        ready.push(...decoder.push(chunk));
      }
    },
  };
}

/** Writes one frame, waiting for the stream to drain when its buffer is full. */
export async function writeFrame(
  stream: Stream,
  body: Uint8Array,
  maxBytes: number = FRAME_MAX_BYTES,
  options: AbortOptions = {},
): Promise<void> {
  if (!stream.send(encodeFrame(body, maxBytes))) await stream.onDrain(options);
}

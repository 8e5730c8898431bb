/**
 * Length-prefixed frames for byte streams (docs/protocol/framing.md): u32 big-endian length ‖ body, with a
 * hard cap (FRAME_MAX_BYTES, or a lower per-protocol cap). The incremental decoder takes arbitrary chunks,
 * rejects an oversize frame from its 4-byte prefix before buffering any of its body, and never holds more
 * than one frame. Pure; knows nothing about what frames carry or about sockets.
 */
import { assertBytes } from '../crypto/bytes.ts';
import { FRAME_LENGTH_PREFIX_BYTES, FRAME_MAX_BYTES } from './constants.ts';
import { FrameTooLargeError, FrameTruncatedError } from './errors.ts';

function checkCap(maxFrameBytes: number): number {
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0 || maxFrameBytes > FRAME_MAX_BYTES) {
    throw new RangeError(
      `"maxFrameBytes" expected an integer in [0, ${FRAME_MAX_BYTES}], got ${maxFrameBytes}`,
    );
  }
  return maxFrameBytes;
}

/** One frame: 4-byte big-endian length, then `body`. Throws FrameTooLargeError above the cap. */
export function encodeFrame(body: Uint8Array, maxFrameBytes: number = FRAME_MAX_BYTES): Uint8Array {
  assertBytes('body', body);
  const cap = checkCap(maxFrameBytes);
  if (body.length > cap) throw new FrameTooLargeError(body.length, cap);
  const out = new Uint8Array(FRAME_LENGTH_PREFIX_BYTES + body.length);
  new DataView(out.buffer).setUint32(0, body.length, false);
  out.set(body, FRAME_LENGTH_PREFIX_BYTES);
  return out;
}

export interface FrameDecoderOptions {
  /** Largest accepted frame body in bytes; at most FRAME_MAX_BYTES (the default). */
  readonly maxFrameBytes?: number;
}

/**
 * Incremental decoder. `push` returns the frames completed by a chunk (possibly none, possibly several;
 * zero-length frames come out as empty arrays). After an error the decoder stays failed: the stream is
 * out of sync and must be closed.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number;
  readonly #prefix = new Uint8Array(FRAME_LENGTH_PREFIX_BYTES);
  #prefixFilled = 0;
  #frame: Uint8Array | undefined;
  #frameFilled = 0;
  #failure: Error | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = checkCap(options.maxFrameBytes ?? FRAME_MAX_BYTES);
  }

  /** Bytes held for the frame in progress (prefix included). */
  get bufferedBytes(): number {
    return this.#prefixFilled + this.#frameFilled;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    assertBytes('chunk', chunk);
    if (this.#failure !== undefined) throw this.#failure;
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#frame === undefined) {
        const take = Math.min(FRAME_LENGTH_PREFIX_BYTES - this.#prefixFilled, chunk.length - offset);
        this.#prefix.set(chunk.subarray(offset, offset + take), this.#prefixFilled);
        this.#prefixFilled += take;
        offset += take;
        if (this.#prefixFilled < FRAME_LENGTH_PREFIX_BYTES) break;
        const length = new DataView(this.#prefix.buffer).getUint32(0, false);
        if (length > this.maxFrameBytes) {
          this.#failure = new FrameTooLargeError(length, this.maxFrameBytes);
          throw this.#failure;
        }
        this.#frame = new Uint8Array(length);
        this.#frameFilled = 0;
      }
      const frame = this.#frame;
      const take = Math.min(frame.length - this.#frameFilled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + take), this.#frameFilled);
      this.#frameFilled += take;
      offset += take;
      if (this.#frameFilled === frame.length) {
        frames.push(frame);
        this.#frame = undefined;
        this.#frameFilled = 0;
        this.#prefixFilled = 0;
      }
    }
    return frames;
  }

  /** Call when the stream ends: throws FrameTruncatedError if a frame was cut off. */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.bufferedBytes > 0) {
      this.#failure = new FrameTruncatedError(this.bufferedBytes);
      throw this.#failure;
    }
  }
}

/** Frames of a chunked source, for `for await` over a stream; throws the decoder's errors. */
export async function* decodeFrames(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: FrameDecoderOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const decoder = new FrameDecoder(options);
  for await (const chunk of source) yield* decoder.push(chunk);
  decoder.end();
}

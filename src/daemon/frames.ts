/**
 * The socket protocol's framing and frame shapes: newline-delimited JSON, one object per line, with a
 * hard size cap enforced while bytes arrive (a peer can never make the other side buffer more than the
 * cap). Turns bytes into checked frames and errors into wire errors and back. Knows nothing about
 * sockets, cookies or what the methods do.
 */
import type { PvtEvent } from '../app/api.ts';
import { BadFrameError, FrameTooLargeError, RemoteError } from './errors.ts';

/** An error as it travels: `code` is the stable AppError code ("InternalError" for errors without one). */
export interface WireError {
  readonly code: string;
  readonly message: string;
  /** The JavaScript class of an error without a code (TypeError, RangeError), so it can be rebuilt. */
  readonly name?: string;
}

export type ClientFrame =
  | { readonly kind: 'auth'; readonly cookie: string; readonly v: number }
  | { readonly kind: 'request'; readonly id: number; readonly method: string; readonly params: unknown };

export type ServerFrame =
  | { readonly kind: 'auth-ok'; readonly v: number; readonly pid: number }
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number | undefined; readonly error: WireError }
  | { readonly kind: 'event'; readonly event: PvtEvent };

const MAX_METHOD_CHARS = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a byte stream into JSON objects at "\n". Throws FrameTooLargeError as soon as a frame grows past
 * `maxBytes` (before it is complete) and BadFrameError for invalid UTF-8, invalid JSON or a non-object.
 */
export class FrameDecoder {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): Record<string, unknown>[] {
    const frames: Record<string, unknown>[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      this.#checkSize(this.#size + piece.length);
      const whole = this.#parts.length === 0 ? piece : Buffer.concat([...this.#parts, piece]);
      this.#parts = [];
      this.#size = 0;
      frames.push(parseObject(whole));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#checkSize(this.#size + rest.length);
      this.#parts.push(Buffer.from(rest));
      this.#size += rest.length;
    }
    return frames;
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#maxBytes) throw new FrameTooLargeError(bytes, this.#maxBytes);
  }
}

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BadFrameError('not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadFrameError('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadFrameError('not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** One frame as bytes ("…\n"); FrameTooLargeError when it would exceed `maxBytes`. */
export function encodeFrame(frame: Record<string, unknown>, maxBytes: number): Buffer {
  const bytes = Buffer.from(`${JSON.stringify(frame)}\n`, 'utf8');
  if (bytes.length - 1 > maxBytes) throw new FrameTooLargeError(bytes.length - 1, maxBytes);
  return bytes;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** What the daemon accepts from a client. */
export function parseClientFrame(o: Record<string, unknown>): ClientFrame {
  if ('auth' in o) {
    if (typeof o.auth !== 'string') throw new BadFrameError('"auth" expected a string');
    if (typeof o.v !== 'number') throw new BadFrameError('"v" expected a number');
    return { kind: 'auth', cookie: o.auth, v: o.v };
  }
  if (!isId(o.id)) throw new BadFrameError('"id" expected a non-negative integer');
  if (typeof o.method !== 'string' || o.method.length === 0 || o.method.length > MAX_METHOD_CHARS) {
    throw new BadFrameError(`"method" expected a string of 1..${MAX_METHOD_CHARS} characters`);
  }
  return { kind: 'request', id: o.id, method: o.method, params: o.params ?? [] };
}

function parseWireError(value: unknown): WireError {
  if (typeof value !== 'object' || value === null) throw new BadFrameError('"error" expected an object');
  const e = value as Record<string, unknown>;
  if (typeof e.code !== 'string' || typeof e.message !== 'string') {
    throw new BadFrameError('"error" expected code and message strings');
  }
  return typeof e.name === 'string'
    ? { code: e.code, message: e.message, name: e.name }
    : { code: e.code, message: e.message };
}

/** What a client accepts from the daemon. */
export function parseServerFrame(o: Record<string, unknown>): ServerFrame {
  if (o.auth === 'ok') {
    if (typeof o.v !== 'number' || !isId(o.pid)) throw new BadFrameError('auth answer without v and pid');
    return { kind: 'auth-ok', v: o.v, pid: o.pid };
  }
  if ('event' in o) {
    const event = o.event;
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof (event as { type?: unknown }).type !== 'string'
    ) {
      throw new BadFrameError('"event" expected an object with a type');
    }
    return { kind: 'event', event: event as PvtEvent };
  }
  if ('error' in o) {
    if (o.id !== undefined && !isId(o.id)) throw new BadFrameError('"id" expected a non-negative integer');
    return { kind: 'error', id: o.id as number | undefined, error: parseWireError(o.error) };
  }
  if (!isId(o.id)) throw new BadFrameError('"id" expected a non-negative integer');
  if (!('result' in o)) throw new BadFrameError('a frame needs result, error or event');
  return { kind: 'result', id: o.id, result: o.result };
}

/** An error as sent to a client: AppError/StoreError codes are kept; other errors keep their class name. */
export function toWireError(error: unknown): WireError {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return { code, message: e.message };
  return { code: 'InternalError', message: e.message, name: e.name };
}

/**
 * The error a client throws for a wire error: the same class for TypeError/RangeError, a plain Error for
 * other uncoded errors (so the CLI reports them exactly as in-process), else a RemoteError with the code.
 */
export function fromWireError(w: WireError): Error {
  if (w.code === 'InternalError') {
    if (w.name === 'TypeError') return new TypeError(w.message);
    if (w.name === 'RangeError') return new RangeError(w.message);
    return new Error(w.message);
  }
  return new RemoteError(w.code, w.message);
}

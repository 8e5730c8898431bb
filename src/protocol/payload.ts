/**
 * The plaintext record a ratchet message carries (docs/protocol/ratchet.md, "Payload"): version, type,
 * random 128-bit message id, sender timestamp (ms since the Unix epoch, u64), body, then zero padding to
 * `paddedLength` (Padmé, ≥ 256 bytes) so the ciphertext leaks little about the body's size. Strict,
 * canonical decoder with named errors. Knows record layout only: the meaning of receipt, address-update
 * and control bodies belongs to their owners (app, net); text bodies must be valid UTF-8.
 */
import { assertBytes, type Rng } from '../crypto/bytes.ts';
import {
  PAYLOAD_FIXED_BYTES,
  PAYLOAD_ID_BYTES,
  PAYLOAD_MAX_BODY_BYTES,
  PAYLOAD_MAX_PADDED_BYTES,
  PAYLOAD_VERSION,
} from './constants.ts';
import { MalformedPayloadError, UnknownPayloadTypeError, UnsupportedPayloadVersionError } from './errors.ts';
import { paddedLength } from './padding.ts';

/** Type byte values. 0 is never valid; 5–255 are reserved (a decoder of this version rejects them). */
export const PAYLOAD_TYPE = {
  /** A chat message: UTF-8 text. */
  text: 1,
  /** A delivery/read receipt for earlier message ids (body defined by the app). */
  receipt: 2,
  /** The sender's new reachable addresses (body defined by the net layer). */
  addressUpdate: 3,
  /** Session control (typing, rekey requests, …; body defined by the app). */
  control: 4,
} as const;

export type PayloadType = keyof typeof PAYLOAD_TYPE;

const TYPE_BY_BYTE = new Map<number, PayloadType>(
  (Object.entries(PAYLOAD_TYPE) as [PayloadType, number][]).map(([name, value]) => [value, name]),
);

export interface Payload {
  readonly type: PayloadType;
  /** 16 random bytes, unique per message: the key for receipts and de-duplication. */
  readonly id: Uint8Array;
  /** Sender's clock in milliseconds since the Unix epoch (informational: never trusted for ordering). */
  readonly timestampMs: number;
  /** At most PAYLOAD_MAX_BODY_BYTES (16 KiB). */
  readonly body: Uint8Array;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const textEncoder = new TextEncoder();

/** A fresh random message id. */
export function newMessageId(rng: Rng): Uint8Array {
  if (typeof rng !== 'function') throw new TypeError(`"rng" expected function, got ${typeof rng}`);
  const id = rng(PAYLOAD_ID_BYTES);
  assertBytes('rng output', id, PAYLOAD_ID_BYTES);
  return id;
}

/** A text payload (UTF-8 encodes `text`). */
export function textPayload(text: string, id: Uint8Array, timestampMs: number): Payload {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  return { type: 'text', id, timestampMs, body: textEncoder.encode(text) };
}

/** The text of a text payload. */
export function payloadText(payload: Payload): string {
  if (payload.type !== 'text') throw new TypeError(`"payload.type" expected 'text', got ${payload.type}`);
  return textDecoder.decode(payload.body);
}

/** Encodes and pads a payload; throws TypeError/RangeError for a bad field. */
export function encodePayload(payload: Payload): Uint8Array {
  if (typeof payload !== 'object' || payload === null) {
    throw new TypeError(`"payload" expected object, got ${payload === null ? 'null' : typeof payload}`);
  }
  const typeByte = PAYLOAD_TYPE[payload.type];
  if (typeByte === undefined)
    throw new TypeError(`"payload.type" expected a payload type, got ${payload.type}`);
  assertBytes('payload.id', payload.id, PAYLOAD_ID_BYTES);
  assertBytes('payload.body', payload.body);
  const { timestampMs, body } = payload;
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    throw new RangeError(`"payload.timestampMs" expected a non-negative safe integer, got ${timestampMs}`);
  }
  if (body.length > PAYLOAD_MAX_BODY_BYTES) {
    throw new RangeError(
      `"payload.body" expected at most ${PAYLOAD_MAX_BODY_BYTES} bytes, got ${body.length}`,
    );
  }
  if (payload.type === 'text') {
    try {
      textDecoder.decode(body);
    } catch {
      throw new TypeError('"payload.body" expected UTF-8 text for a text payload');
    }
  }
  const length = PAYLOAD_FIXED_BYTES + body.length;
  const out = new Uint8Array(paddedLength(length));
  const view = new DataView(out.buffer);
  out[0] = PAYLOAD_VERSION;
  out[1] = typeByte;
  out.set(payload.id, 2);
  view.setBigUint64(2 + PAYLOAD_ID_BYTES, BigInt(timestampMs), false);
  view.setUint32(10 + PAYLOAD_ID_BYTES, body.length, false);
  out.set(body, PAYLOAD_FIXED_BYTES);
  return out;
}

/**
 * Decodes a padded payload; throws UnsupportedPayloadVersionError, UnknownPayloadTypeError or
 * MalformedPayloadError.
 */
export function decodePayload(bytes: Uint8Array): Payload {
  assertBytes('bytes', bytes);
  if (bytes.length > PAYLOAD_MAX_PADDED_BYTES) {
    throw new MalformedPayloadError(
      `${bytes.length} bytes exceeds the ${PAYLOAD_MAX_PADDED_BYTES}-byte maximum`,
    );
  }
  if (bytes.length < PAYLOAD_FIXED_BYTES)
    throw new MalformedPayloadError(`${bytes.length} bytes is too short`);
  const version = bytes[0] as number;
  if (version !== PAYLOAD_VERSION) throw new UnsupportedPayloadVersionError(version);
  const typeByte = bytes[1] as number;
  const type = TYPE_BY_BYTE.get(typeByte);
  if (type === undefined) throw new UnknownPayloadTypeError(typeByte, bytes.slice(2, 2 + PAYLOAD_ID_BYTES));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const timestamp = view.getBigUint64(2 + PAYLOAD_ID_BYTES, false);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedPayloadError('timestamp out of range');
  const bodyLength = view.getUint32(10 + PAYLOAD_ID_BYTES, false);
  if (bodyLength > PAYLOAD_MAX_BODY_BYTES)
    throw new MalformedPayloadError(`body length ${bodyLength} too large`);
  const end = PAYLOAD_FIXED_BYTES + bodyLength;
  if (end > bytes.length) throw new MalformedPayloadError(`body length ${bodyLength} overruns the record`);
  if (bytes.length !== paddedLength(end)) {
    throw new MalformedPayloadError(`padded to ${bytes.length} bytes, expected ${paddedLength(end)}`);
  }
  for (let i = end; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw new MalformedPayloadError('non-zero padding');
  }
  const body = bytes.slice(PAYLOAD_FIXED_BYTES, end);
  if (type === 'text') {
    try {
      textDecoder.decode(body);
    } catch {
      throw new MalformedPayloadError('text body is not valid UTF-8');
    }
  }
  return { type, id: bytes.slice(2, 2 + PAYLOAD_ID_BYTES), timestampMs: Number(timestamp), body };
}

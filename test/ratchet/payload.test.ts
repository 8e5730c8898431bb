/**
 * The payload record inside the encryption: round trips for every type, the 16 KiB body limit, padding
 * sizes, and a strict decoder that names what it rejects.
 */
import { describe, expect, test } from 'vitest';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import {
  PAYLOAD_FIXED_BYTES,
  PAYLOAD_MAX_BODY_BYTES,
  PAYLOAD_MAX_PADDED_BYTES,
  PAYLOAD_MIN_PADDED_BYTES,
} from '../../src/protocol/constants.ts';
import {
  MalformedPayloadError,
  UnknownPayloadTypeError,
  UnsupportedPayloadVersionError,
} from '../../src/protocol/errors.ts';
import { paddedLength, padmeLength } from '../../src/protocol/padding.ts';
import {
  decodePayload,
  encodePayload,
  newMessageId,
  PAYLOAD_TYPE,
  type Payload,
  type PayloadType,
  payloadText,
  textPayload,
} from '../../src/protocol/payload.ts';

const rng = createLabelledDrbg('pvt tests: payload');
const sample = (type: PayloadType, body: Uint8Array): Payload => ({
  type,
  id: newMessageId(rng),
  timestampMs: 1_767_225_600_000,
  body,
});

test('every type round-trips, and text helpers encode UTF-8', () => {
  for (const type of Object.keys(PAYLOAD_TYPE) as PayloadType[]) {
    const payload = sample(type, type === 'text' ? new TextEncoder().encode('hé ✓') : rng(40));
    expect(decodePayload(encodePayload(payload))).toEqual(payload);
  }
  const p = textPayload('salut 👋', newMessageId(rng), 5);
  expect(payloadText(decodePayload(encodePayload(p)))).toBe('salut 👋');
});

test('short payloads all pad to 256 bytes; longer ones to their Padmé length', () => {
  for (const length of [0, 1, 100, PAYLOAD_MIN_PADDED_BYTES - PAYLOAD_FIXED_BYTES]) {
    expect(encodePayload(sample('text', new Uint8Array(length).fill(0x61))).length).toBe(
      PAYLOAD_MIN_PADDED_BYTES,
    );
  }
  for (const length of [227, 1000, 5000, PAYLOAD_MAX_BODY_BYTES]) {
    const encoded = encodePayload(sample('receipt', new Uint8Array(length)));
    expect(encoded.length).toBe(padmeLength(PAYLOAD_FIXED_BYTES + length));
    expect(encoded.length / (PAYLOAD_FIXED_BYTES + length)).toBeLessThan(1.12);
  }
  expect(encodePayload(sample('text', new Uint8Array(PAYLOAD_MAX_BODY_BYTES).fill(0x61))).length).toBe(
    PAYLOAD_MAX_PADDED_BYTES,
  );
});

describe('encoder argument checks', () => {
  test('rejects a body over 16 KiB (RangeError)', () => {
    expect(() => encodePayload(sample('receipt', new Uint8Array(PAYLOAD_MAX_BODY_BYTES + 1)))).toThrow(
      new RangeError(
        `"payload.body" expected at most ${PAYLOAD_MAX_BODY_BYTES} bytes, got ${PAYLOAD_MAX_BODY_BYTES + 1}`,
      ),
    );
  });
  test('rejects a bad id, timestamp, type or text', () => {
    expect(() => encodePayload({ ...sample('text', new Uint8Array(0)), id: new Uint8Array(15) })).toThrow(
      new RangeError('"payload.id" expected 16 bytes, got 15'),
    );
    for (const timestampMs of [-1, 1.5, 2 ** 53]) {
      expect(() => encodePayload({ ...sample('text', new Uint8Array(0)), timestampMs })).toThrow(RangeError);
    }
    expect(() =>
      encodePayload({ ...sample('text', new Uint8Array(0)), type: 'file' as PayloadType }),
    ).toThrow(TypeError);
    expect(() => encodePayload(sample('text', Uint8Array.of(0xff)))).toThrow(TypeError);
    expect(() => paddedLength(10, -1)).toThrow(RangeError);
    expect(() => padmeLength(-1)).toThrow(RangeError);
  });
});

describe('strict decoder', () => {
  const good = encodePayload(sample('text', new TextEncoder().encode('hello')));
  const mutate = (index: number, value: number): Uint8Array => {
    const out = Uint8Array.from(good);
    out[index] = value;
    return out;
  };

  test('rejects an unknown version (UnsupportedPayloadVersionError)', () => {
    expect(() => decodePayload(mutate(0, 2))).toThrow(UnsupportedPayloadVersionError);
  });
  test('rejects reserved and unknown types (UnknownPayloadTypeError)', () => {
    for (const type of [0, 5, 127, 255])
      expect(() => decodePayload(mutate(1, type))).toThrow(UnknownPayloadTypeError);
  });
  test('an unknown type still exposes the message id, so the receiver can acknowledge it', () => {
    try {
      decodePayload(mutate(1, 9));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownPayloadTypeError);
      expect((error as UnknownPayloadTypeError).messageId).toEqual(good.slice(2, 18));
    }
  });
  test('rejects truncated, oversize and mis-padded records (MalformedPayloadError)', () => {
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['shorter than the fixed fields', good.subarray(0, PAYLOAD_FIXED_BYTES - 1)],
      ['unpadded', good.subarray(0, PAYLOAD_FIXED_BYTES + 5)],
      ['one byte short of its padding', good.subarray(0, good.length - 1)],
      ['one byte of extra padding', Uint8Array.of(...good, 0)],
      ['non-zero padding', mutate(good.length - 1, 1)],
      ['body length past the end', mutate(PAYLOAD_FIXED_BYTES - 2, 0x01)],
      ['body length over 16 KiB', mutate(PAYLOAD_FIXED_BYTES - 3, 0x01)],
      ['timestamp above 2^53', mutate(18, 0xff)],
      ['invalid UTF-8 text', mutate(PAYLOAD_FIXED_BYTES, 0xff)],
      ['oversize', new Uint8Array(PAYLOAD_MAX_PADDED_BYTES + 1)],
    ];
    for (const [name, bytes] of cases)
      expect(() => decodePayload(bytes), name).toThrow(MalformedPayloadError);
  });
});

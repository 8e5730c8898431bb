/**
 * Fuzz suite for the STUN decoder and parseStunServer (PVT_FUZZ_RUNS inputs each, default 2000): arbitrary
 * bytes, well-framed messages with arbitrary attributes and mutated valid answers either decode or throw
 * StunMalformed / NatMismatch / StunErrorResponse — never a TypeError, RangeError or hang; encoded XOR-MAPPED
 * answers for any address and port decode to that address and port.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  BadStunServerError,
  NatMismatchError,
  StunErrorResponseError,
  StunMalformedError,
} from '../../src/net/nat/errors.ts';
import { ipTo16 } from '../../src/net/nat/ip.ts';
import { parseStunServer } from '../../src/net/nat/stun.ts';
import { decodeStunBindingResponse } from '../../src/net/nat/stun-codec.ts';

const RUNS = Math.max(1, Number(process.env.PVT_FUZZ_RUNS ?? 2000));
const COOKIE = [0x21, 0x12, 0xa4, 0x42];
const id = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const nonZeroId = fc.uint8Array({ minLength: 12, maxLength: 12 }).filter((b) => b.some((x) => x !== 0));

/** Only the decoder's named errors may escape; returns whether it decoded. */
function named(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (
      e instanceof StunMalformedError ||
      e instanceof NatMismatchError ||
      e instanceof StunErrorResponseError
    ) {
      return false;
    }
    throw e;
  }
}

function attr(type: number, value: Uint8Array): number[] {
  const pad = (4 - (value.length % 4)) % 4;
  return [
    type >> 8,
    type & 0xff,
    value.length >> 8,
    value.length & 0xff,
    ...value,
    ...new Array(pad).fill(0),
  ];
}

function frame(type: number, tid: Uint8Array, body: number[]): Uint8Array {
  return Uint8Array.from([
    type >> 8,
    type & 0xff,
    body.length >> 8,
    body.length & 0xff,
    ...COOKIE,
    ...tid,
    ...body,
  ]);
}

// Made by the natlab's Python codec: SOFTWARE, XOR-MAPPED-ADDRESS, MAPPED-ADDRESS, FINGERPRINT.
const seed = Uint8Array.from(
  (
    '0101002c2112a4420102030405060708090a0b0c802200066e61746c61620000002000080001bdb6e721c049' +
    '00010008000104d20a00000180280004d648f189'
  ).match(/../g) ?? [],
  (h) => Number.parseInt(h, 16),
);

describe('STUN decoder fuzz', () => {
  test('arbitrary bytes → named errors only', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 1400 })), (bytes) => {
        named(() => decodeStunBindingResponse(bytes, id));
      }),
      { numRuns: RUNS },
    );
  });

  test('well-framed messages with arbitrary attributes → a decode or named errors', () => {
    // An address-shaped value (reserved byte, family 1/2/other, port, 4 or 16 bytes) reaches the decoder's
    // address checks; plain random bytes mostly stop at the family byte.
    const addressShaped = fc
      .tuple(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(1, 2, 3),
        fc.integer({ min: 0, max: 0xffff }),
        fc.oneof(
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
        ),
      )
      .map(([r, f, p, a]) => Uint8Array.from([r, f, p >> 8, p & 0xff, ...a]));
    const attribute = fc.record({
      type: fc.oneof(
        fc.constantFrom(0x0001, 0x0020, 0x0009, 0x8028, 0x8022),
        fc.integer({ min: 0, max: 0xffff }),
      ),
      value: fc.oneof(fc.uint8Array({ maxLength: 24 }), addressShaped),
    });
    let decoded = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(0x0101, 0x0111, 0x0001),
        fc.array(attribute, { maxLength: 6 }),
        (type, attrs) => {
          const m = frame(
            type,
            id,
            attrs.flatMap((a) => attr(a.type, a.value)),
          );
          if (named(() => decodeStunBindingResponse(m, id))) decoded++;
        },
      ),
      { numRuns: RUNS },
    );
    // The generator reaches the success path, not only the early checks.
    if (RUNS >= 500) expect(decoded).toBeGreaterThan(0);
  });

  test('mutated valid answers → a decode or named errors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(seed.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(seed.length),
        (edits, cut) => {
          const b = Uint8Array.from(seed);
          for (const e of edits) b[e.at] = e.byte;
          named(() => decodeStunBindingResponse(b.subarray(0, cut), id));
          named(() => decodeStunBindingResponse(b, id));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('XOR-MAPPED-ADDRESS round trip for any IPv4/IPv6 address, port and transaction id', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
        ),
        fc.integer({ min: 1, max: 65_535 }),
        nonZeroId,
        (raw, port, tid) => {
          fc.pre(raw.some((x) => x !== 0));
          const key = [...COOKIE, ...tid];
          const xored = [...raw].map((b, i) => b ^ (key[i] ?? 0));
          const p = port ^ 0x2112;
          const value = Uint8Array.from([0, raw.length === 4 ? 1 : 2, p >> 8, p & 0xff, ...xored]);
          const r = decodeStunBindingResponse(frame(0x0101, tid, attr(0x0020, value)), tid);
          expect(r.port).toBe(port);
          expect(r.xor).toBe(true);
          if (raw.length === 4) expect(r.address).toBe([...raw].join('.'));
          else expect(ipTo16(r.address)).toEqual(raw);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('parseStunServer fuzz', () => {
  test('arbitrary text → a server with a port in 1..65535, or BadStunServerError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.tuple(fc.domain(), fc.integer({ min: -5, max: 70_000 })).map(([h, p]) => `${h}:${p}`),
          fc.ipV6().map((ip) => `[${ip}]:3478`),
        ),
        (text) => {
          try {
            const s = parseStunServer(text);
            expect(Number.isInteger(s.port) && s.port >= 1 && s.port <= 65_535).toBe(true);
            expect(s.host.length).toBeGreaterThan(0);
          } catch (e) {
            if (!(e instanceof BadStunServerError)) throw e;
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

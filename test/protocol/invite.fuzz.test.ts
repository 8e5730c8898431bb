/**
 * Fuzz: the invite text and binary decoders. Any string or byte string → an Invite or a named
 * ProtocolError, never another exception or a hang; whatever decodes re-encodes to the canonical form.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BECH32_CHARSET, bech32mEncode } from '../../src/protocol/bech32m.ts';
import { decodeInviteBytes, encodeInviteBytes } from '../../src/protocol/invite/invite-code.ts';
import { decodeInviteText, encodeInviteText, INVITE_HRP } from '../../src/protocol/invite/invite-text.ts';
import { parties } from './fixtures.ts';
import { FUZZ_RUNS, mutatedBytes, onlyProtocolErrors } from './fuzz-helpers.ts';

const valid = parties('invite fuzz').invite;
const validBytes = encodeInviteBytes(valid);
const validText = encodeInviteText(valid);

describe('invite text decoder', () => {
  test('arbitrary strings (any Unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) =>
        onlyProtocolErrors(() => decodeInviteText(s)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('strings over the bech32 alphabet with the pvt1 prefix', () => {
    const body = fc.string({ unit: fc.constantFrom(...BECH32_CHARSET), maxLength: 300 });
    fc.assert(
      fc.property(body, fc.nat(), (b, now) =>
        onlyProtocolErrors(() => decodeInviteText(`pvt1${b}`, { nowMs: now })),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('valid checksums around arbitrary payloads (reaches the binary decoder)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = bech32mEncode(INVITE_HRP, bytes);
        try {
          const invite = decodeInviteText(text);
          expect(encodeInviteText(invite)).toBe(text); // canonical: one text per invite
        } catch (e) {
          onlyProtocolErrors(() => {
            throw e;
          });
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('mutations of a valid code (characters changed, inserted, deleted)', () => {
    const edits = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 3 })), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(edits, (es) => {
        let s = validText;
        for (const [at, del, ins] of es) {
          const i = at % (s.length + 1);
          s = s.slice(0, i) + ins + s.slice(i + (del % 3));
        }
        onlyProtocolErrors(() => decodeInviteText(s));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('invite binary decoder', () => {
  test('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => onlyProtocolErrors(() => decodeInviteBytes(b))),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('arbitrary bytes behind a valid version byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), (b, now) => {
        const bytes = Uint8Array.from([1, ...b]);
        try {
          const invite = decodeInviteBytes(bytes, { nowMs: now });
          expect(encodeInviteBytes(invite)).toEqual(bytes);
        } catch (e) {
          onlyProtocolErrors(() => {
            throw e;
          });
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('mutations of a valid payload', () => {
    fc.assert(
      fc.property(mutatedBytes([validBytes]), (b) => onlyProtocolErrors(() => decodeInviteBytes(b))),
      { numRuns: FUZZ_RUNS },
    );
  });
});

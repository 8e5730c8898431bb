/**
 * Property tests (fast-check) of the invite codec: binary and text round trips for arbitrary valid
 * invites; spaces, dashes, newlines and case changes anywhere are tolerated; every single-character
 * substitution, and every adjacent transposition, is detected.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BECH32_CHARSET } from '../../src/protocol/bech32m.ts';
import {
  MAX_INVITE_ADDRS,
  MAX_MAILBOX_LOCATOR_BYTES,
  MAX_MULTIADDR_BYTES,
  MAX_PEER_ID_BYTES,
} from '../../src/protocol/constants.ts';
import { ProtocolError } from '../../src/protocol/errors.ts';
import { decodeInviteBytes, encodeInviteBytes, type Invite } from '../../src/protocol/invite/invite-code.ts';
import { decodeInviteText, encodeInviteText } from '../../src/protocol/invite/invite-text.ts';

const runs = Math.max(100, Math.floor(Number(process.env.PVT_FUZZ_RUNS ?? 3000) / 3));

const ed25519PeerId = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((key) => Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...key]));
const rawPeerId = fc
  .uint8Array({ minLength: 1, maxLength: MAX_PEER_ID_BYTES })
  // the raw form of an Ed25519 PeerId is not canonical (it must use the compact form)
  .filter((b) => !(b.length === 38 && b[0] === 0 && b[1] === 0x24 && b[2] === 8 && b[3] === 1));

const arbitraryInvite: fc.Arbitrary<Invite> = fc.record({
  version: fc.constant(1),
  secret: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  expiresAtSeconds: fc.integer({ min: 0, max: 0xffffffff }),
  inviter: fc.record({
    peerId: fc.oneof(ed25519PeerId, rawPeerId),
    addrs: fc.array(fc.uint8Array({ minLength: 1, maxLength: MAX_MULTIADDR_BYTES }), {
      maxLength: MAX_INVITE_ADDRS,
    }),
    mailbox: fc.uint8Array({ maxLength: MAX_MAILBOX_LOCATOR_BYTES }),
  }),
});

const smallInvite: fc.Arbitrary<Invite> = fc.record({
  version: fc.constant(1),
  secret: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  expiresAtSeconds: fc.integer({ min: 0, max: 0xffffffff }),
  inviter: fc.record({
    peerId: ed25519PeerId,
    addrs: fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 2 }),
    mailbox: fc.constant(new Uint8Array(0)),
  }),
});

function errorCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return undefined;
}

describe('invite codec properties', () => {
  test('binary round trip', () => {
    fc.assert(
      fc.property(arbitraryInvite, (invite) => {
        expect(decodeInviteBytes(encodeInviteBytes(invite))).toEqual(invite);
      }),
      { numRuns: runs },
    );
  });

  test('text round trip, in lowercase and uppercase', () => {
    fc.assert(
      fc.property(arbitraryInvite, (invite) => {
        const text = encodeInviteText(invite);
        expect(decodeInviteText(text)).toEqual(invite);
        expect(decodeInviteText(text.toUpperCase())).toEqual(invite);
      }),
      { numRuns: runs },
    );
  });

  test('spaces, dashes, newlines, tabs and case changes anywhere are tolerated', () => {
    const separator = fc.constantFrom(' ', '-', '\n', '\r\n', '\t', '  ', ' - ', '_', '\u2013', '\u00a0');
    fc.assert(
      fc.property(
        smallInvite,
        fc.array(fc.tuple(fc.nat(), separator), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (invite, inserts, upper) => {
          const chars = [...encodeInviteText(invite)];
          for (const i of upper) chars[i % chars.length] = (chars[i % chars.length] as string).toUpperCase();
          for (const [i, sep] of inserts) chars.splice(i % (chars.length + 1), 0, sep);
          expect(decodeInviteText(chars.join(''))).toEqual(invite);
        },
      ),
      { numRuns: runs },
    );
  });

  test('every single-character substitution after the prefix is detected', () => {
    fc.assert(
      fc.property(smallInvite, fc.nat(), fc.integer({ min: 1, max: 31 }), (invite, at, delta) => {
        const text = encodeInviteText(invite);
        const i = 4 + (at % (text.length - 4));
        const replaced = BECH32_CHARSET[(BECH32_CHARSET.indexOf(text[i] as string) + delta) % 32] as string;
        const bad = text.slice(0, i) + replaced + text.slice(i + 1);
        expect(errorCode(() => decodeInviteText(bad))).toBe('InvalidInviteChecksum');
      }),
      { numRuns: runs },
    );
  });

  test('every adjacent transposition of two different characters is detected', () => {
    fc.assert(
      fc.property(smallInvite, fc.nat(), (invite, at) => {
        const text = encodeInviteText(invite);
        const i = 4 + (at % (text.length - 5));
        fc.pre(text[i] !== text[i + 1]);
        const bad = text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
        expect(errorCode(() => decodeInviteText(bad))).toBe('InvalidInviteChecksum');
      }),
      { numRuns: runs },
    );
  });

  test('a dropped or duplicated character is detected', () => {
    fc.assert(
      fc.property(smallInvite, fc.nat(), fc.boolean(), (invite, at, drop) => {
        const text = encodeInviteText(invite);
        const i = 4 + (at % (text.length - 4));
        const bad = drop ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + text[i] + text.slice(i);
        expect(errorCode(() => decodeInviteText(bad))).toMatch(/^(InvalidInviteChecksum|MalformedInvite)$/);
      }),
      { numRuns: runs },
    );
  });
});

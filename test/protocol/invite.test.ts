/**
 * Invite codes: creation, binary and text round trips, QR size, invite id, expiry, caps; negative tests
 * named for what they reject (bad checksum, bad character, unsupported version, expired, oversize, …).
 */

import { multiaddr } from '@multiformats/multiaddr';
import QRCode from 'qrcode';
import { describe, expect, test } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { BECH32_CHARSET, bech32mChecksum, bech32mEncode } from '../../src/protocol/bech32m.ts';
import {
  INVITE_DEFAULT_TTL_SECONDS,
  INVITE_MAX_TTL_SECONDS,
  MAX_INVITE_ADDRS,
  MAX_INVITE_INPUT_CHARS,
  MAX_INVITE_TEXT_CHARS,
} from '../../src/protocol/constants.ts';
import { ProtocolError } from '../../src/protocol/errors.ts';
import {
  assertInviteNotExpired,
  createInvite,
  decodeInviteBytes,
  encodeInviteBytes,
  type Invite,
  inviteId,
  isInviteExpired,
} from '../../src/protocol/invite/invite-code.ts';
import {
  decodeInviteText,
  encodeInviteText,
  groupInviteText,
  INVITE_HRP,
  inviteQrText,
} from '../../src/protocol/invite/invite-text.ts';
import { ADDR_IP4, ADDR_IP6, fakePeerId, NOW_MS } from './fixtures.ts';

const rng = createLabelledDrbg('pvt tests: invite');
const peerId = fakePeerId(rng);
const twoAddrs = createInvite({
  inviter: { peerId, addrs: [ADDR_IP4, ADDR_IP6], mailbox: new Uint8Array(0) },
  nowMs: NOW_MS,
  rng,
});
const text = encodeInviteText(twoAddrs);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return e.code;
  }
  return undefined;
}

describe('createInvite', () => {
  test('draws a 128-bit secret and expires after the default TTL', () => {
    expect(twoAddrs.secret).toHaveLength(16);
    expect(twoAddrs.expiresAtSeconds).toBe(Math.floor(NOW_MS / 1000) + INVITE_DEFAULT_TTL_SECONDS);
    expect(twoAddrs.version).toBe(1);
  });
  test('rejects bad arguments: TTL out of range, too many addresses, oversize peer id, oversize address', () => {
    const inviter = { peerId, addrs: [ADDR_IP4], mailbox: new Uint8Array(0) };
    expect(() => createInvite({ inviter, nowMs: NOW_MS, rng, ttlSeconds: 0 })).toThrow(/"ttlSeconds"/);
    expect(() =>
      createInvite({ inviter, nowMs: NOW_MS, rng, ttlSeconds: INVITE_MAX_TTL_SECONDS + 1 }),
    ).toThrow(RangeError);
    const five = Array.from({ length: MAX_INVITE_ADDRS + 1 }, () => ADDR_IP4);
    expect(() => createInvite({ inviter: { ...inviter, addrs: five }, nowMs: NOW_MS, rng })).toThrow(
      /"inviter.addrs"/,
    );
    expect(() =>
      createInvite({ inviter: { ...inviter, peerId: new Uint8Array(65) }, nowMs: NOW_MS, rng }),
    ).toThrow(/"inviter.peerId"/);
    expect(() =>
      createInvite({ inviter: { ...inviter, addrs: [new Uint8Array(65)] }, nowMs: NOW_MS, rng }),
    ).toThrow(/"inviter.addrs\[0\]"/);
  });
});

describe('binary form', () => {
  test('round trips', () => {
    expect(decodeInviteBytes(encodeInviteBytes(twoAddrs))).toEqual(twoAddrs);
  });
  test('stores an Ed25519 PeerId in the compact form (33 bytes instead of 39)', () => {
    const bytes = encodeInviteBytes(twoAddrs);
    expect(bytes[21]).toBe(0);
    expect(bytes).toHaveLength(21 + 33 + 1 + 9 + 21 + 1);
  });
  test('stores any other PeerId raw (a sha256 multihash, 34 bytes)', () => {
    const other = {
      ...twoAddrs,
      inviter: { ...twoAddrs.inviter, peerId: concatBytes(fromHex('1220'), rng(32)) },
    };
    const bytes = encodeInviteBytes(other);
    expect(bytes[21]).toBe(34);
    expect(decodeInviteBytes(bytes)).toEqual(other);
  });
  test('accepts the addresses @multiformats/multiaddr produces, byte for byte', () => {
    expect(toHex(multiaddr('/ip4/203.0.113.7/tcp/41873').bytes)).toBe(toHex(ADDR_IP4));
    expect(toHex(multiaddr('/ip6/2001:db8::7/tcp/41873').bytes)).toBe(toHex(ADDR_IP6));
  });
  test('rejects an unsupported version', () => {
    const bytes = encodeInviteBytes(twoAddrs);
    bytes[0] = 7;
    expect(codeOf(() => decodeInviteBytes(bytes))).toBe('UnsupportedInviteVersion');
  });
  test('rejects truncation at every length and a trailing byte', () => {
    const bytes = encodeInviteBytes(twoAddrs);
    for (let n = 0; n < bytes.length; n++)
      expect(codeOf(() => decodeInviteBytes(bytes.subarray(0, n)))).toBe('MalformedInvite');
    expect(codeOf(() => decodeInviteBytes(concatBytes(bytes, Uint8Array.of(0))))).toBe('MalformedInvite');
  });
  test('rejects more than 4 addresses, an empty address, and the raw form of an Ed25519 PeerId', () => {
    const bytes = encodeInviteBytes(twoAddrs);
    const countAt = 21 + 33;
    const five = Uint8Array.from(bytes);
    five[countAt] = 5;
    expect(codeOf(() => decodeInviteBytes(five))).toBe('MalformedInvite');
    const emptyAddr = Uint8Array.from(bytes);
    emptyAddr[countAt + 1] = 0;
    expect(codeOf(() => decodeInviteBytes(emptyAddr))).toBe('MalformedInvite');
    const raw = concatBytes(
      bytes.subarray(0, 21),
      Uint8Array.of(38),
      twoAddrs.inviter.peerId,
      bytes.subarray(countAt),
    );
    expect(codeOf(() => decodeInviteBytes(raw))).toBe('MalformedInvite');
  });
  test('rejects an oversize mailbox locator', () => {
    const bytes = encodeInviteBytes(twoAddrs);
    const big = concatBytes(bytes.subarray(0, bytes.length - 1), Uint8Array.of(129), new Uint8Array(129));
    expect(codeOf(() => decodeInviteBytes(big))).toBe('MalformedInvite');
  });
});

describe('text form', () => {
  test('starts with pvt1, uses only the bech32 alphabet, and round trips', () => {
    expect(text).toMatch(/^pvt1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]+$/);
    expect(decodeInviteText(text)).toEqual(twoAddrs);
  });
  test('a two-address invite is 148 characters and fits QR version 6 at level M (≤ 10 required)', () => {
    expect(text).toHaveLength(148);
    const qr = QRCode.create(inviteQrText(twoAddrs), { errorCorrectionLevel: 'M' });
    expect(qr.version).toBeLessThanOrEqual(10);
    expect(qr.version).toBe(6);
  });
  test('an invite with no address fits QR version 5 at level M', () => {
    const none = createInvite({
      inviter: { peerId, addrs: [], mailbox: new Uint8Array(0) },
      nowMs: NOW_MS,
      rng,
    });
    expect(QRCode.create(inviteQrText(none), { errorCorrectionLevel: 'M' }).version).toBe(5);
  });
  test('the largest invite (4 addresses of 64 bytes, 64-byte PeerId, 128-byte mailbox) stays under the length cap', () => {
    const big: Invite = createInvite({
      inviter: {
        peerId: new Uint8Array(64).fill(7),
        addrs: Array.from({ length: 4 }, () => new Uint8Array(64).fill(9)),
        mailbox: new Uint8Array(128).fill(1),
      },
      nowMs: NOW_MS,
      rng,
    });
    const t = encodeInviteText(big);
    expect(t.length).toBeLessThanOrEqual(MAX_INVITE_TEXT_CHARS);
    expect(decodeInviteText(t)).toEqual(big);
  });
  test('is read back from the QR (uppercase) form and from grouped forms', () => {
    expect(decodeInviteText(inviteQrText(twoAddrs))).toEqual(twoAddrs);
    expect(decodeInviteText(groupInviteText(text))).toEqual(twoAddrs);
    expect(decodeInviteText(groupInviteText(text, 4, '-'))).toEqual(twoAddrs);
    expect(decodeInviteText(groupInviteText(text, 30, '\n'))).toEqual(twoAddrs);
    expect(groupInviteText(text).split(' ')[0]).toBe('pvt1');
  });
  test('tolerates Unicode dashes and no-break spaces pasted from documents', () => {
    const pasted = `${text.slice(0, 20)}\u2013${text.slice(20, 60)}\u00a0${text.slice(60, 100)}\u2014${text.slice(100)}`;
    expect(decodeInviteText(pasted)).toEqual(twoAddrs);
  });
});

describe('text form: rejects', () => {
  test('a substituted character → InvalidInviteChecksum', () => {
    const i = 50;
    const bad = text.slice(0, i) + (text[i] === 'q' ? 'p' : 'q') + text.slice(i + 1);
    expect(codeOf(() => decodeInviteText(bad))).toBe('InvalidInviteChecksum');
  });
  test('a character outside the alphabet → InvalidInviteCharacter with its 1-based position in the input', () => {
    const bad = `  ${text.slice(0, 10)}i${text.slice(11)}`;
    let error: unknown;
    try {
      decodeInviteText(bad);
    } catch (e) {
      error = e;
    }
    expect((error as ProtocolError).code).toBe('InvalidInviteCharacter');
    expect((error as { position: number }).position).toBe(13);
  });
  test('an unsupported version (valid checksum) → UnsupportedInviteVersion', () => {
    const bytes = encodeInviteBytes(twoAddrs);
    bytes[0] = 2;
    expect(codeOf(() => decodeInviteText(bech32mEncode(INVITE_HRP, bytes)))).toBe('UnsupportedInviteVersion');
  });
  test('an expired invite → InviteExpired, from the expiry second on', () => {
    const at = twoAddrs.expiresAtSeconds * 1000;
    expect(decodeInviteText(text, { nowMs: at - 1 })).toEqual(twoAddrs);
    expect(codeOf(() => decodeInviteText(text, { nowMs: at }))).toBe('InviteExpired');
    expect(isInviteExpired(twoAddrs, at)).toBe(true);
    expect(() => assertInviteNotExpired(twoAddrs, at - 1)).not.toThrow();
  });
  test('oversize input → InviteTooLong, before any other work', () => {
    expect(codeOf(() => decodeInviteText(' '.repeat(MAX_INVITE_INPUT_CHARS + 1)))).toBe('InviteTooLong');
    expect(codeOf(() => decodeInviteText(`pvt1${'q'.repeat(MAX_INVITE_TEXT_CHARS)}`))).toBe('InviteTooLong');
  });
  test('something that is not an invite → MalformedInvite', () => {
    for (const s of [
      '',
      '   ',
      'hello',
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      'pvt1',
      'pvt1qqqqqq',
    ]) {
      expect(codeOf(() => decodeInviteText(s))).toMatch(/MalformedInvite|InvalidInviteChecksum/);
    }
    expect(codeOf(() => decodeInviteText('hello'))).toBe('MalformedInvite');
  });
  test('non-canonical padding (valid checksum) → MalformedInvite', () => {
    // One extra zero symbol adds 5 padding bits: not a canonical encoding of any byte string.
    const bytes = encodeInviteBytes(twoAddrs);
    const words = bech32mEncode(INVITE_HRP, bytes);
    const body = words.slice(4, words.length - 6);
    const w = [...`${body}q`].map((c) => BECH32_CHARSET.indexOf(c));
    const padded = `pvt1${body}q${bech32mChecksum(INVITE_HRP, w)
      .map((v) => BECH32_CHARSET[v])
      .join('')}`;
    expect(codeOf(() => decodeInviteText(padded))).toBe('MalformedInvite');
  });
  test('a non-string argument → TypeError', () => {
    expect(() => decodeInviteText(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('invite id', () => {
  test('is 16 bytes of a domain-separated hash of the secret, not the secret', () => {
    const id = inviteId(twoAddrs.secret);
    expect(id).toHaveLength(16);
    expect(toHex(id)).not.toContain(toHex(twoAddrs.secret).slice(0, 8));
    expect(inviteId(twoAddrs.secret)).toEqual(id);
  });
});

/**
 * The join handshake, negative paths, each test named for what it rejects: wrong invite secret, expired
 * invite, a tampered byte in each message, truncated/extended/oversize messages, replayed and reordered
 * messages, SAS commit mismatch, bad keys/names/signatures behind a valid AEAD. Every rejection is a
 * named ProtocolError and leaves the state as it was (the honest message still works afterwards).
 */

import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { concatBytes } from '../../src/crypto/bytes.ts';
import { x25519Keygen } from '../../src/crypto/primitives.ts';
import { MAX_HANDSHAKE_MESSAGE_BYTES } from '../../src/protocol/constants.ts';
import { ProtocolError } from '../../src/protocol/errors.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterConfirm,
  joinRequestInviteId,
} from '../../src/protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../../src/protocol/handshake/joiner.ts';
import {
  INVITER_RESPONSE_BODY_BYTES,
  LOCATOR_BLOCK_BYTES,
  NAME_BLOCK_BYTES,
  REVEAL_A_BYTES,
  REVEAL_B_BYTES,
} from '../../src/protocol/handshake/wire.ts';
import { generateIdentity } from '../../src/protocol/identity.ts';
import { createInvite } from '../../src/protocol/invite/invite-code.ts';
import { NOW_MS, parties, runJoin } from './fixtures.ts';
import { forgeInviterConfirm, forgeInviterResponse } from './handshake-forge.ts';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

const flip = (m: Uint8Array, i: number, mask = 0x01) => {
  const out = Uint8Array.from(m);
  out[i] = (out[i] as number) ^ mask;
  return out;
};

/** Positions to tamper with: both ends of every region plus a stride through the rest. */
function positions(length: number, boundaries: number[], stride: number): number[] {
  const out = new Set<number>();
  for (const b of [0, ...boundaries, length])
    for (const d of [-1, 0, 1]) if (b + d >= 0 && b + d < length) out.add(b + d);
  for (let i = 0; i < length; i += stride) out.add(i);
  return [...out].sort((a, b) => a - b);
}

const p = parties('handshake negative');
const t = runJoin(p);
const snap = structuredClone(t);

describe('wrong invite secret', () => {
  test('a JoinRequest made from another invite of the same inviter → UnknownInvite', () => {
    const other = createInvite({ inviter: p.inviterInvite.locator, nowMs: NOW_MS, rng: p.rng });
    const { message } = createJoinRequest({
      invite: other,
      identity: p.joinerIdentity,
      locator: p.joinerLocator,
      nowMs: NOW_MS,
      rng: p.rng,
    });
    expect(codeOf(() => consumeJoinRequest(p.inviterInvite, message, NOW_MS))).toBe('UnknownInvite');
  });
  test('a JoinRequest carrying the right invite id but sealed under a wrong secret → HandshakeAuthFailed', () => {
    const wrong = { ...p.invite, secret: p.rng(16) };
    const { message } = createJoinRequest({
      invite: wrong,
      identity: p.joinerIdentity,
      locator: p.joinerLocator,
      nowMs: NOW_MS,
      rng: p.rng,
    });
    const forged = concatBytes(message.subarray(0, 2), t.msg1.subarray(2, 18), message.subarray(18));
    expect(codeOf(() => consumeJoinRequest(p.inviterInvite, forged, NOW_MS))).toBe('HandshakeAuthFailed');
  });
  test('an InviterResponse from someone with a different secret → HandshakeAuthFailed at the joiner', () => {
    const q = parties('handshake negative other secret');
    const u = runJoin(q);
    expect(codeOf(() => consumeInviterResponse(t.j1, u.msg2))).toBe('HandshakeAuthFailed');
  });
});

describe('expired invite', () => {
  const expiry = p.invite.expiresAtSeconds * 1000;
  test('the joiner refuses to start → InviteExpired', () => {
    expect(
      codeOf(() =>
        createJoinRequest({
          invite: p.invite,
          identity: p.joinerIdentity,
          locator: p.joinerLocator,
          nowMs: expiry,
          rng: p.rng,
        }),
      ),
    ).toBe('InviteExpired');
  });
  test('the inviter refuses a JoinRequest that arrives at or after the expiry → InviteExpired', () => {
    expect(codeOf(() => consumeJoinRequest(p.inviterInvite, t.msg1, expiry))).toBe('InviteExpired');
    expect(() => consumeJoinRequest(p.inviterInvite, t.msg1, expiry - 1)).not.toThrow();
  });
});

describe('a tampered byte', () => {
  test('in the JoinRequest: version → Unsupported, type → Malformed, invite id → UnknownInvite, rest → AuthFailed', () => {
    for (const i of positions(t.msg1.length, [2, 18, 42], 7)) {
      const expected =
        i === 0
          ? 'UnsupportedHandshakeVersion'
          : i === 1
            ? 'MalformedHandshakeMessage'
            : i < 18
              ? 'UnknownInvite'
              : 'HandshakeAuthFailed';
      expect([i, codeOf(() => consumeJoinRequest(p.inviterInvite, flip(t.msg1, i), NOW_MS))]).toEqual([
        i,
        expected,
      ]);
    }
  });
  test('in the InviterResponse → HandshakeAuthFailed (type byte → UnexpectedHandshakeMessage)', () => {
    for (const i of positions(t.msg2.length, [2, 26], 37)) {
      const expected =
        i === 0
          ? 'UnsupportedHandshakeVersion'
          : i === 1
            ? 'UnexpectedHandshakeMessage'
            : 'HandshakeAuthFailed';
      expect([i, codeOf(() => consumeInviterResponse(t.j1, flip(t.msg2, i)))]).toEqual([i, expected]);
    }
  });
  test('in any segment of the JoinerReveal → HandshakeAuthFailed', () => {
    const a = 26;
    for (const i of positions(
      t.msg3.length,
      [2, a, a + REVEAL_A_BYTES, a + REVEAL_A_BYTES + REVEAL_B_BYTES],
      61,
    )) {
      const expected =
        i === 0
          ? 'UnsupportedHandshakeVersion'
          : i === 1
            ? 'UnexpectedHandshakeMessage'
            : 'HandshakeAuthFailed';
      expect([i, codeOf(() => consumeJoinerReveal(t.i2, flip(t.msg3, i), NOW_MS))]).toEqual([i, expected]);
    }
  });
  test('in the InviterConfirm → HandshakeAuthFailed', () => {
    for (const i of positions(t.msg4.length, [2, 26], 43)) {
      const expected =
        i === 0
          ? 'UnsupportedHandshakeVersion'
          : i === 1
            ? 'MalformedHandshakeMessage'
            : 'HandshakeAuthFailed';
      expect([i, codeOf(() => consumeInviterConfirm(t.j3, flip(t.msg4, i)))]).toEqual([i, expected]);
    }
  });
  test('…and no rejection changed any state: the honest messages still complete the join', () => {
    expect(t).toEqual(snap);
    const j2 = consumeInviterResponse(t.j1, t.msg2);
    const i3 = consumeJoinerReveal(t.i2, t.msg3, NOW_MS);
    expect(consumeInviterConfirm(t.j3, t.msg4).sas).toEqual(i3.sas);
    expect(j2.sas).toEqual(t.joiner.sas);
  });
});

describe('truncated, extended and oversize messages', () => {
  const cases = [
    ['JoinRequest', t.msg1, (m: Uint8Array) => consumeJoinRequest(p.inviterInvite, m, NOW_MS)],
    ['InviterResponse', t.msg2, (m: Uint8Array) => consumeInviterResponse(t.j1, m)],
    ['JoinerReveal', t.msg3, (m: Uint8Array) => consumeJoinerReveal(t.i2, m, NOW_MS)],
    ['InviterConfirm', t.msg4, (m: Uint8Array) => consumeInviterConfirm(t.j3, m)],
  ] as const;
  test.each(cases)('%s truncated or extended → MalformedHandshakeMessage', (_name, message, consume) => {
    for (const n of [2, 3, 26, message.length >> 1, message.length - 16, message.length - 1]) {
      expect(codeOf(() => consume(message.subarray(0, n)))).toBe('MalformedHandshakeMessage');
    }
    expect(codeOf(() => consume(concatBytes(message, Uint8Array.of(0))))).toBe('MalformedHandshakeMessage');
    expect(codeOf(() => consume(new Uint8Array(0)))).toBe('MalformedHandshakeMessage');
  });
  test.each(cases)('%s longer than the maximum → HandshakeMessageTooLarge', (_name, message, consume) => {
    const big = concatBytes(message, new Uint8Array(MAX_HANDSHAKE_MESSAGE_BYTES + 1 - message.length));
    expect(codeOf(() => consume(big))).toBe('HandshakeMessageTooLarge');
  });
});

describe('replayed and reordered messages', () => {
  test('the joiner given its own JoinRequest, or the InviterConfirm too early → UnexpectedHandshakeMessage', () => {
    expect(codeOf(() => consumeInviterResponse(t.j1, t.msg1))).toBe('UnexpectedHandshakeMessage');
    expect(codeOf(() => consumeInviterResponse(t.j1, t.msg4))).toBe('UnexpectedHandshakeMessage');
  });
  test('the InviterResponse replayed after the reveal → UnexpectedHandshakeMessage', () => {
    expect(codeOf(() => consumeInviterConfirm(t.j3, t.msg2))).toBe('UnexpectedHandshakeMessage');
  });
  test('the JoinRequest replayed while the inviter awaits the reveal → UnexpectedHandshakeMessage', () => {
    expect(codeOf(() => consumeJoinerReveal(t.i2, t.msg1, NOW_MS))).toBe('UnexpectedHandshakeMessage');
  });
  test('messages of another join over the same invite → HandshakeAuthFailed (the transcript differs)', () => {
    const u = runJoin(p);
    expect(codeOf(() => consumeInviterResponse(t.j1, u.msg2))).toBe('HandshakeAuthFailed');
    expect(codeOf(() => consumeJoinerReveal(t.i2, u.msg3, NOW_MS))).toBe('HandshakeAuthFailed');
    expect(codeOf(() => consumeInviterConfirm(t.j3, u.msg4))).toBe('HandshakeAuthFailed');
  });
  test('a JoinRequest replayed after the join names the consumed invite id, which the caller refuses', () => {
    const consumed = new Set([Buffer.from(t.inviter.inviteId).toString('hex')]);
    expect(consumed.has(Buffer.from(joinRequestInviteId(t.msg1)).toString('hex'))).toBe(true);
  });
  test('a state of the wrong step → TypeError (a programming error, not a peer error)', () => {
    expect(() => consumeInviterConfirm(t.j1 as never, t.msg4)).toThrow(TypeError);
    expect(() => createInviterConfirm(t.i2 as never, p.rng)).toThrow(TypeError);
  });
});

describe('SAS commit mismatch', () => {
  test('a joiner revealing another ephemeral key than it committed to → SasCommitMismatch', () => {
    const other = x25519Keygen(p.rng);
    const j2 = consumeInviterResponse({ ...t.j1, ephemeral: other }, t.msg2);
    const { message } = createJoinerReveal(j2, p.rng, { backend: nobleBackend });
    expect(codeOf(() => consumeJoinerReveal(t.i2, message, NOW_MS))).toBe('SasCommitMismatch');
  });
  test('a joiner revealing another identity than it committed to → SasCommitMismatch', () => {
    const other = generateIdentity({ displayName: 'Jo Joiner', nowMs: NOW_MS, rng: p.rng });
    const j2 = consumeInviterResponse({ ...t.j1, identity: other }, t.msg2);
    const { message } = createJoinerReveal(j2, p.rng, { backend: nobleBackend });
    expect(codeOf(() => consumeJoinerReveal(t.i2, message, NOW_MS))).toBe('SasCommitMismatch');
  });
});

describe('a joiner that cannot sign for the identity it revealed', () => {
  test('segment C opens (the joiner holds the DH key) but the signature does not verify → HandshakeAuthFailed', () => {
    const other = generateIdentity({ displayName: 'x', nowMs: NOW_MS, rng: p.rng });
    const j2 = consumeInviterResponse(t.j1, t.msg2);
    const impostor = { ...j2, identity: { ...j2.identity, signSecret: other.signSecret } };
    const { message } = createJoinerReveal(impostor, p.rng, { backend: nobleBackend });
    expect(codeOf(() => consumeJoinerReveal(t.i2, message, NOW_MS))).toBe('HandshakeAuthFailed');
  });
});

describe('bad content behind a valid AEAD (a peer that holds the secret)', () => {
  const edit = (f: (body: Uint8Array) => void) => forgeInviterResponse(t.i1, p.rng, f);
  const nameAt = INVITER_RESPONSE_BODY_BYTES - NAME_BLOCK_BYTES;
  test('the forger itself produces an acceptable InviterResponse when it changes nothing', () => {
    expect(
      consumeInviterResponse(
        t.j1,
        edit(() => {}),
      ).step,
    ).toBe('joiner/ready-to-reveal');
  });
  test('a low-order X25519 ephemeral key → MalformedHandshakeMessage', () => {
    expect(
      codeOf(() =>
        consumeInviterResponse(
          t.j1,
          edit((b) => b.fill(0, 0, 32)),
        ),
      ),
    ).toBe('MalformedHandshakeMessage');
  });
  test('an ML-KEM-768 key with a coefficient ≥ q → MalformedHandshakeMessage', () => {
    expect(
      codeOf(() =>
        consumeInviterResponse(
          t.j1,
          edit((b) => b.fill(0xff, 32, 34)),
        ),
      ),
    ).toBe('MalformedHandshakeMessage');
  });
  test('a display name with a terminal escape sequence → MalformedHandshakeMessage', () => {
    const msg = edit((b) => {
      b.set(new TextEncoder().encode('\u001b[2J'), nameAt + 2);
    });
    expect(codeOf(() => consumeInviterResponse(t.j1, msg))).toBe('MalformedHandshakeMessage');
  });
  test('non-zero name padding, and an empty name → MalformedHandshakeMessage', () => {
    expect(
      codeOf(() =>
        consumeInviterResponse(
          t.j1,
          edit((b) => b.fill(1, b.length - 1)),
        ),
      ),
    ).toBe('MalformedHandshakeMessage');
    expect(
      codeOf(() =>
        consumeInviterResponse(
          t.j1,
          edit((b) => b.fill(0, nameAt)),
        ),
      ),
    ).toBe('MalformedHandshakeMessage');
  });
  test('a signature by another key than the announced identity → HandshakeAuthFailed', () => {
    const other = generateIdentity({ displayName: 'x', nowMs: NOW_MS, rng: p.rng });
    const msg = forgeInviterResponse(t.i1, p.rng, () => {}, other.signSecret);
    expect(codeOf(() => consumeInviterResponse(t.j1, msg))).toBe('HandshakeAuthFailed');
  });
  test('an InviterConfirm with a malformed locator block → MalformedHandshakeMessage', () => {
    const locator = p.inviterInvite.locator;
    const good = forgeInviterConfirm(t.j3, p.rng, locator, () => {});
    expect(consumeInviterConfirm(t.j3, good).peerLocator).toEqual(locator);
    const padding = forgeInviterConfirm(t.j3, p.rng, locator, (pt) => pt.fill(1, pt.length - 1));
    expect(codeOf(() => consumeInviterConfirm(t.j3, padding))).toBe('MalformedHandshakeMessage');
    const length = forgeInviterConfirm(t.j3, p.rng, locator, (pt) => {
      const at = pt.length - LOCATOR_BLOCK_BYTES;
      pt[at] = 0xff;
    });
    expect(codeOf(() => consumeInviterConfirm(t.j3, length))).toBe('MalformedHandshakeMessage');
  });
});

describe('bad arguments (programming errors, not peer errors)', () => {
  test('an identity whose display name peers would refuse → RangeError before anything is sent', () => {
    const bad = { ...p.joinerIdentity, displayName: 'tab\tname' };
    expect(() =>
      createJoinRequest({
        invite: p.invite,
        identity: bad,
        locator: p.joinerLocator,
        nowMs: NOW_MS,
        rng: p.rng,
      }),
    ).toThrow(RangeError);
    expect(() => consumeJoinRequest({ ...p.inviterInvite, identity: bad }, t.msg1, NOW_MS)).toThrow(
      RangeError,
    );
  });
  test('a locator with too many addresses, and a reply locator over 128 bytes → RangeError', () => {
    const many = { ...p.joinerLocator, addrs: Array.from({ length: 9 }, () => Uint8Array.of(4, 1, 2, 3, 4)) };
    expect(() =>
      createJoinRequest({
        invite: p.invite,
        identity: p.joinerIdentity,
        locator: many,
        nowMs: NOW_MS,
        rng: p.rng,
      }),
    ).toThrow(RangeError);
    expect(() =>
      createJoinRequest({
        invite: p.invite,
        identity: p.joinerIdentity,
        locator: p.joinerLocator,
        replyTo: new Uint8Array(129),
        nowMs: NOW_MS,
        rng: p.rng,
      }),
    ).toThrow(RangeError);
  });
});

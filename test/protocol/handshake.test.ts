/**
 * The join handshake, positive paths: both sides complete with the same keys, SAS and transcript; the
 * right roles and ratchet keys; peers learn each other's identity, name and locator; fixed message
 * sizes; inputs never mutated; a man in the middle who holds the invite secret gets two different SAS.
 */

import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { mlkemKeygen, x25519PublicKey } from '../../src/crypto/primitives.ts';
import { MAX_HANDSHAKE_MESSAGE_BYTES } from '../../src/protocol/constants.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterConfirm,
  createInviterResponse,
  joinRequestInviteId,
} from '../../src/protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../../src/protocol/handshake/joiner.ts';
import {
  INVITER_CONFIRM_BYTES,
  INVITER_RESPONSE_BYTES,
  JOIN_REQUEST_BYTES,
  JOINER_REVEAL_BYTES,
  peekMessageType,
} from '../../src/protocol/handshake/wire.ts';
import { generateIdentity, publicIdentity, samePublicIdentity } from '../../src/protocol/identity.ts';
import { inviteId } from '../../src/protocol/invite/invite-code.ts';
import { NOW_MS, parties, runJoin } from './fixtures.ts';

describe('a complete join', () => {
  const p = parties('handshake ok');
  const t = runJoin(p, { replyTo: Uint8Array.of(1, 2, 3) });

  test('both sides derive the same session keys, transcript hash and SAS', () => {
    expect(toHex(t.joiner.session.rootKey)).toBe(toHex(t.inviter.session.rootKey));
    expect(toHex(t.joiner.session.headerKeyAlice)).toBe(toHex(t.inviter.session.headerKeyAlice));
    expect(toHex(t.joiner.session.nextHeaderKeyBob)).toBe(toHex(t.inviter.session.nextHeaderKeyBob));
    expect(t.joiner.transcriptHash).toEqual(t.inviter.transcriptHash);
    expect(t.joiner.session.associatedData).toEqual(t.joiner.transcriptHash);
    expect(t.joiner.sas).toEqual(t.inviter.sas);
    expect(t.joiner.sas.digits).toMatch(/^\d{6}$/);
    expect(t.joiner.sas.words).toHaveLength(3);
  });

  test('with the node:crypto backend (as the launcher chooses) the joiner encapsulates through OpenSSL: both sides still agree', () => {
    const n = runJoin(parties('handshake node kem'), { backend: defaultCryptoBackend() });
    expect(toHex(n.joiner.session.rootKey)).toBe(toHex(n.inviter.session.rootKey));
    expect(n.joiner.sas).toEqual(n.inviter.sas);
  });

  test('the session keys are three distinct 32-byte keys', () => {
    const { rootKey, headerKeyAlice, nextHeaderKeyBob } = t.joiner.session;
    expect(new Set([toHex(rootKey), toHex(headerKeyAlice), toHex(nextHeaderKeyBob)]).size).toBe(3);
    for (const k of [rootKey, headerKeyAlice, nextHeaderKeyBob]) expect(k).toHaveLength(32);
  });

  test('the joiner is alice (sends first); the inviter is bob and owns the initial ratchet keys', () => {
    expect(t.joiner.session.role).toBe('alice');
    expect(t.inviter.session.role).toBe('bob');
    const remote = t.joiner.session.bobRatchet;
    const own = t.inviter.session.bobRatchet;
    if (remote.kind !== 'remote' || own.kind !== 'own') throw new Error('unexpected ratchet key kinds');
    expect(remote.dhPublic).toEqual(own.dhPublic);
    expect(remote.kemPublic).toEqual(own.kemPublic);
    expect(x25519PublicKey(own.dhSecret)).toEqual(own.dhPublic);
    expect(mlkemKeygen(() => own.kemSeed).publicKey).toEqual(own.kemPublic);
  });

  test('each side learns the other identity, display name and transport locator', () => {
    expect(samePublicIdentity(t.joiner.peer.identity, publicIdentity(p.inviterIdentity))).toBe(true);
    expect(samePublicIdentity(t.inviter.peer.identity, publicIdentity(p.joinerIdentity))).toBe(true);
    expect(t.joiner.peer.displayName).toBe('Ines Inviter');
    expect(t.inviter.peer.displayName).toBe('Jo Joiner');
    expect(t.joiner.peerLocator).toEqual(p.inviterInvite.locator);
    expect(t.inviter.peerLocator).toEqual(p.joinerLocator);
    expect(t.i1.replyTo).toEqual(Uint8Array.of(1, 2, 3));
  });

  test('the inviter learns which invite was used, to consume it', () => {
    expect(t.inviter.inviteId).toEqual(inviteId(p.invite.secret));
    expect(joinRequestInviteId(t.msg1)).toEqual(t.inviter.inviteId);
    expect(t.joiner.inviteId).toEqual(t.inviter.inviteId);
  });

  test('every message has its one fixed size, under the maximum', () => {
    expect(t.msg1).toHaveLength(JOIN_REQUEST_BYTES);
    expect(t.msg2).toHaveLength(INVITER_RESPONSE_BYTES);
    expect(t.msg3).toHaveLength(JOINER_REVEAL_BYTES);
    expect(t.msg4).toHaveLength(INVITER_CONFIRM_BYTES);
    expect([JOIN_REQUEST_BYTES, INVITER_RESPONSE_BYTES, JOINER_REVEAL_BYTES, INVITER_CONFIRM_BYTES]).toEqual([
      219, 1644, 2297, 1975,
    ]);
    for (const m of [t.msg1, t.msg2, t.msg3, t.msg4])
      expect(m.length).toBeLessThanOrEqual(MAX_HANDSHAKE_MESSAGE_BYTES);
    expect([t.msg1, t.msg2, t.msg3, t.msg4].map(peekMessageType)).toEqual([
      'joinRequest',
      'inviterResponse',
      'joinerReveal',
      'inviterConfirm',
    ]);
  });

  test('the message size does not depend on the names, locators or reply locator', () => {
    const q = parties('handshake sizes', { inviterName: 'I'.repeat(64), joinerName: '🐉'.repeat(64) });
    const u = runJoin({ ...q, joinerLocator: { ...q.joinerLocator, addrs: [] } });
    expect([u.msg1, u.msg2, u.msg3, u.msg4].map((m) => m.length)).toEqual([219, 1644, 2297, 1975]);
    expect(u.inviter.peer.displayName).toBe('🐉'.repeat(64));
  });

  test('no step mutates the state or message it is given', () => {
    const q = parties('handshake purity');
    const snapshot = <T>(v: T): T => structuredClone(v);
    const { state: j1, message: m1 } = createJoinRequest({
      invite: q.invite,
      identity: q.joinerIdentity,
      locator: q.joinerLocator,
      nowMs: NOW_MS,
      rng: q.rng,
    });
    const [j1c, m1c] = [snapshot(j1), snapshot(m1)];
    const i1 = consumeJoinRequest(q.inviterInvite, m1, NOW_MS);
    const i1c = snapshot(i1);
    const { state: i2, message: m2 } = createInviterResponse(i1, q.rng);
    const [i2c, m2c] = [snapshot(i2), snapshot(m2)];
    const j2 = consumeInviterResponse(j1, m2);
    const j2c = snapshot(j2);
    const { state: j3, message: m3 } = createJoinerReveal(j2, q.rng, { backend: nobleBackend });
    const [j3c, m3c] = [snapshot(j3), snapshot(m3)];
    const i3 = consumeJoinerReveal(i2, m3, NOW_MS);
    const i3c = snapshot(i3);
    const { message: m4 } = createInviterConfirm(i3, q.rng);
    const m4c = snapshot(m4);
    consumeInviterConfirm(j3, m4);
    expect([j1, m1, i1, i2, m2, j2, j3, m3, i3, m4]).toEqual([
      j1c,
      m1c,
      i1c,
      i2c,
      m2c,
      j2c,
      j3c,
      m3c,
      i3c,
      m4c,
    ]);
  });

  test('two joins never share keys, even with the same parties and invite', () => {
    const q = parties('handshake twice');
    const a = runJoin(q);
    const b = runJoin(q);
    expect(toHex(a.joiner.session.rootKey)).not.toBe(toHex(b.joiner.session.rootKey));
    expect(a.msg1).not.toEqual(b.msg1);
  });
});

describe('a man in the middle who knows the invite secret', () => {
  test('completes both halves but the two people see different SAS', () => {
    const p = parties('handshake mitm');
    const mallory = generateIdentity({ displayName: 'Ines Inviter', nowMs: NOW_MS, rng: p.rng });
    // Mallory poses as the inviter to the joiner, with the stolen invite and her own identity …
    const towardJoiner = { ...p.inviterInvite, identity: mallory };
    const { state: j1, message: m1 } = createJoinRequest({
      invite: p.invite,
      identity: p.joinerIdentity,
      locator: p.joinerLocator,
      nowMs: NOW_MS,
      rng: p.rng,
    });
    const mi1 = consumeJoinRequest(towardJoiner, m1, NOW_MS);
    // … and as a joiner to the real inviter, committing to her own ephemeral key.
    const { state: mj1, message: n1 } = createJoinRequest({
      invite: p.invite,
      identity: mallory,
      locator: p.joinerLocator,
      nowMs: NOW_MS,
      rng: p.rng,
    });
    const i1 = consumeJoinRequest(p.inviterInvite, n1, NOW_MS);
    const { state: i2, message: n2 } = createInviterResponse(i1, p.rng);
    const mj2 = consumeInviterResponse(mj1, n2);
    const { state: mj3, message: n3 } = createJoinerReveal(mj2, p.rng, { backend: nobleBackend });
    const i3 = consumeJoinerReveal(i2, n3, NOW_MS);
    const { message: n4, result: inviterSide } = createInviterConfirm(i3, p.rng);
    consumeInviterConfirm(mj3, n4);

    const { state: mi2, message: m2 } = createInviterResponse(mi1, p.rng);
    const j2 = consumeInviterResponse(j1, m2);
    const { state: j3, message: m3 } = createJoinerReveal(j2, p.rng, { backend: nobleBackend });
    const mi3 = consumeJoinerReveal(mi2, m3, NOW_MS);
    const { message: m4 } = createInviterConfirm(mi3, p.rng);
    const joinerSide = consumeInviterConfirm(j3, m4);

    expect(joinerSide.sas.digits).not.toBe(inviterSide.sas.digits);
    // The joiner also sees Mallory's keys, not the inviter's: the safety number would differ too.
    expect(samePublicIdentity(joinerSide.peer.identity, publicIdentity(p.inviterIdentity))).toBe(false);
  });
});

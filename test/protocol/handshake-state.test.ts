/**
 * Handshake states at rest (src/protocol/handshake/state-codec.ts): each state an offline join keeps
 * across a restart decodes to what was encoded, and a join resumed from the decoded state ends with the
 * same keys and SAS as one that never stopped; damaged bytes are refused with CorruptHandshakeState.
 */
import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { sha256Hash } from '../../src/crypto/primitives.ts';
import { CorruptHandshakeStateError } from '../../src/protocol/errors.ts';
import { consumeJoinerReveal, createInviterConfirm } from '../../src/protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
} from '../../src/protocol/handshake/joiner.ts';
import {
  decodeInviterAwaitingReveal,
  decodeJoinerAwaitingConfirm,
  decodeJoinerAwaitingResponse,
  encodeInviterAwaitingReveal,
  encodeJoinerAwaitingConfirm,
  encodeJoinerAwaitingResponse,
} from '../../src/protocol/handshake/state-codec.ts';
import { NOW_MS, parties, runJoin } from './fixtures.ts';

describe('handshake states at rest', () => {
  const p = parties('handshake state codec');
  const t = runJoin(p);

  test('the joiner after message 1: round trip, and the join resumed from it completes alike', () => {
    const bytes = encodeJoinerAwaitingResponse(t.j1);
    const back = decodeJoinerAwaitingResponse(bytes, p.joinerIdentity);
    expect(back).toEqual(t.j1);
    const ready = consumeInviterResponse(back, t.msg2);
    expect(ready.sas).toEqual(t.j2.sas);
    expect(ready.sym).toEqual(t.j2.sym);
  });

  test('the joiner after message 3: round trip; message 4 completes the resumed join with the same keys', () => {
    const bytes = encodeJoinerAwaitingConfirm(t.j3);
    const back = decodeJoinerAwaitingConfirm(bytes);
    expect(back).toEqual(t.j3);
    const done = consumeInviterConfirm(back, t.msg4);
    expect(toHex(done.session.rootKey)).toBe(toHex(t.joiner.session.rootKey));
    expect(done.sas).toEqual(t.joiner.sas);
    // The layout is pinned: a change of it must be a new version.
    expect(bytes.length).toBe(2 + 16 + 64 + 64 + 258 + 9);
    expect(toHex(sha256Hash(bytes))).toBe('3f76482762a81b441f507759250fe42403cb0fd57140bb143a50ccda2654183d');
  });

  test('the inviter after message 2: round trip; the resumed inviter accepts message 3 and both agree', () => {
    const bytes = encodeInviterAwaitingReveal(t.i2);
    const back = decodeInviterAwaitingReveal(bytes, p.inviterInvite);
    expect(back).toEqual(t.i2);
    const revealed = consumeJoinerReveal(back, t.msg3, NOW_MS);
    expect(revealed.sas).toEqual(t.i3.sas);
    const { message, result } = createInviterConfirm(revealed, p.rng);
    const joiner = consumeInviterConfirm(t.j3, message);
    expect(toHex(joiner.session.rootKey)).toBe(toHex(result.session.rootKey));
  });

  test('a resumed joiner reveals to a resumed inviter (both restarted between messages 2 and 3)', () => {
    const q = parties('handshake state codec, both restart');
    const u = runJoin(q);
    const joiner = decodeJoinerAwaitingResponse(encodeJoinerAwaitingResponse(u.j1), q.joinerIdentity);
    const inviter = decodeInviterAwaitingReveal(encodeInviterAwaitingReveal(u.i2), q.inviterInvite);
    const reveal = createJoinerReveal(consumeInviterResponse(joiner, u.msg2), q.rng, {
      backend: nobleBackend,
    });
    const revealed = consumeJoinerReveal(inviter, reveal.message, NOW_MS);
    const confirm = createInviterConfirm(revealed, q.rng);
    const done = consumeInviterConfirm(
      decodeJoinerAwaitingConfirm(encodeJoinerAwaitingConfirm(reveal.state)),
      confirm.message,
    );
    expect(done.sas).toEqual(confirm.result.sas);
    expect(toHex(done.session.rootKey)).toBe(toHex(confirm.result.session.rootKey));
  });

  test('truncated, extended, other-step or other-version bytes are refused', () => {
    const j1 = encodeJoinerAwaitingResponse(t.j1);
    const j3 = encodeJoinerAwaitingConfirm(t.j3);
    const i2 = encodeInviterAwaitingReveal(t.i2);
    const bad: [() => unknown, string][] = [
      [() => decodeJoinerAwaitingResponse(j1.subarray(0, j1.length - 1), p.joinerIdentity), 'truncated'],
      [() => decodeJoinerAwaitingConfirm(Uint8Array.of(...j3, 0)), 'trailing'],
      [() => decodeJoinerAwaitingConfirm(j1), 'step'],
      [() => decodeInviterAwaitingReveal(j3, p.inviterInvite), 'step'],
      [() => decodeInviterAwaitingReveal(Uint8Array.of(2, ...i2.subarray(1)), p.inviterInvite), 'version'],
      [() => decodeJoinerAwaitingConfirm(new Uint8Array(0)), 'truncated'],
    ];
    for (const [f, detail] of bad) {
      expect(f).toThrow(CorruptHandshakeStateError);
      expect(f).toThrow(detail);
    }
  });
});

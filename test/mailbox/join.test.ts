/**
 * Join slots (src/protocol/mailbox/join.ts, docs/protocol/mailbox.md "Offline join"): the keys are the
 * documented HKDF chain (recomputed here with node:crypto, independently of the code), the two
 * directions and other invites get unrelated slots, envelopes sealed for a join direction open only
 * with that direction's keys, and the join payload codec is strict.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { expect, test } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { openEnvelope, Reassembler, sealEnvelopes } from '../../src/protocol/mailbox/envelope.ts';
import { MalformedMailboxMessageError } from '../../src/protocol/mailbox/errors.ts';
import { decodeJoinPayload, encodeJoinPayload, joinDirectionKeys } from '../../src/protocol/mailbox/join.ts';
import { directionKeys, slotFor } from '../../src/protocol/mailbox/tokens.ts';

const secret = fromHex('000102030405060708090a0b0c0d0e0f');
const other = fromHex('f00102030405060708090a0b0c0d0e0f');

function hkdf(ikm: Uint8Array, salt: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.from(salt), Buffer.from(info), 32));
}

function rng(n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 7 + 3) & 0xff);
}

test('join keys follow the documented HKDF chain', () => {
  for (const dir of ['request', 'reply'] as const) {
    const join = hkdf(secret, 'pvt/mailbox/v1/join', dir);
    const keys = joinDirectionKeys(secret, dir);
    expect(toHex(keys.slotKey)).toBe(hkdf(join, '', 'pvt/mailbox/v1/slot').toString('hex'));
    expect(toHex(keys.envelopeKey)).toBe(hkdf(join, '', 'pvt/mailbox/v1/envelope').toString('hex'));
    const epoch = 81234;
    const deleteCap = createHmac('sha256', keys.slotKey).update(Buffer.from('0000000000013d52', 'hex'));
    expect(toHex(slotFor(keys, epoch).deleteCap)).toBe(deleteCap.digest('hex'));
  }
});

test('directions, invites and pair slots are unrelated', () => {
  const tokens = [
    joinDirectionKeys(secret, 'request'),
    joinDirectionKeys(secret, 'reply'),
    joinDirectionKeys(other, 'request'),
    joinDirectionKeys(other, 'reply'),
    directionKeys(new Uint8Array(32), new Uint8Array(32), new Uint8Array(32).fill(1)),
  ].map((k) => toHex(slotFor(k, 5).token));
  expect(new Set(tokens).size).toBe(tokens.length);
  // Deterministic: both sides of the invite derive the same slot.
  expect(toHex(slotFor(joinDirectionKeys(secret, 'reply'), 5).token)).toBe(tokens[1]);
  expect(() => joinDirectionKeys(new Uint8Array(32), 'request')).toThrow(RangeError);
  expect(() => joinDirectionKeys(secret, 'sideways' as 'request')).toThrow(RangeError);
});

test('a handshake message sealed into a join slot opens only with that direction and invite', () => {
  const message = new Uint8Array(2297).map((_, i) => i & 0xff);
  const keys = joinDirectionKeys(secret, 'request');
  const sealed = sealEnvelopes(keys.envelopeKey, 7, encodeJoinPayload(message), rng);
  const r = new Reassembler();
  let whole: Uint8Array | null = null;
  for (const e of sealed) whole = r.add(openEnvelope(keys.envelopeKey, 7, e)) ?? whole;
  expect(whole).not.toBeNull();
  expect(toHex(decodeJoinPayload(whole as Uint8Array))).toBe(toHex(message));
  const wrong = [joinDirectionKeys(secret, 'reply'), joinDirectionKeys(other, 'request')];
  for (const k of wrong) expect(() => openEnvelope(k.envelopeKey, 7, sealed[0] as Uint8Array)).toThrow();
});

test('the join payload codec is strict', () => {
  expect(toHex(encodeJoinPayload(Uint8Array.of(1, 2)))).toBe('010102');
  expect(() => encodeJoinPayload(new Uint8Array(0))).toThrow(RangeError);
  expect(() => encodeJoinPayload(new Uint8Array(4097))).toThrow(RangeError);
  for (const bad of [
    new Uint8Array(0),
    Uint8Array.of(1),
    Uint8Array.of(2, 1),
    new Uint8Array(4098).fill(1),
  ]) {
    expect(() => decodeJoinPayload(bad)).toThrow(MalformedMailboxMessageError);
  }
});

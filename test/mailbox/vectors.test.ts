/**
 * Loads docs/protocol/vectors/mailbox.json (scripts/gen-vectors-mailbox.ts) and recomputes every value
 * through the public API: direction keys, slot chains, sealed envelopes, proof of work, locator list,
 * request and response encodings (and decodes them back).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { openEnvelope, Reassembler, sealEnvelopes } from '../../src/protocol/mailbox/envelope.ts';
import { decodeMailboxLocators, encodeMailboxLocators } from '../../src/protocol/mailbox/locator.ts';
import { envelopeHash, mailboxIdOf, powHash, verifyPow } from '../../src/protocol/mailbox/pow.ts';
import { directionKeys, fetchCapOf, slotFor, tokenOf } from '../../src/protocol/mailbox/tokens.ts';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from '../../src/protocol/mailbox/wire.ts';
import { scriptedRng } from '../protocol/scripted-rng.ts';

const root = new URL('../..', import.meta.url).pathname;
const v = JSON.parse(readFileSync(join(root, 'docs/protocol/vectors/mailbox.json'), 'utf8'));

/** Turns the hex strings of a vector value back into bytes (numbers, booleans and names stay). */
function unhex(x: unknown, key = ''): unknown {
  if (typeof x === 'string' && key !== 'kind' && key !== 'reason') return fromHex(x);
  if (Array.isArray(x)) return x.map((e) => unhex(e, key));
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, unhex(e, k)]));
  }
  return x;
}

test('direction keys and slot chains', () => {
  const pair = fromHex(v.pairSecret);
  const ann = fromHex(v.annKey);
  const ben = fromHex(v.benKey);
  for (const [name, keys] of [
    ['annToBen', directionKeys(pair, ann, ben)],
    ['benToAnn', directionKeys(pair, ben, ann)],
  ] as const) {
    const d = v.directions[name];
    expect(toHex(keys.envelopeKey)).toBe(d.envelopeKey);
    for (const s of d.slots) {
      const slot = slotFor(keys, s.epoch);
      expect(toHex(slot.deleteCap)).toBe(s.deleteCap);
      expect(toHex(slot.fetchCap)).toBe(s.fetchCap);
      expect(toHex(slot.token)).toBe(s.token);
      // What a mailbox checks: one hash from each capability to the next.
      expect(toHex(fetchCapOf(slot.deleteCap))).toBe(s.fetchCap);
      expect(toHex(tokenOf(slot.fetchCap))).toBe(s.token);
    }
  }
});

test('envelopes seal to the frozen bytes and open back to the payload', () => {
  const keys = directionKeys(fromHex(v.pairSecret), fromHex(v.annKey), fromHex(v.benKey));
  for (const c of v.envelopes) {
    const rng = scriptedRng(c.randomness);
    const sealed = sealEnvelopes(keys.envelopeKey, c.epoch, fromHex(c.payload), rng);
    expect(rng.remaining()).toBe(0);
    expect(sealed.map(toHex)).toEqual(c.envelopes);
    const r = new Reassembler();
    let whole: Uint8Array | null = null;
    for (const e of c.envelopes) whole = r.add(openEnvelope(keys.envelopeKey, c.epoch, fromHex(e))) ?? whole;
    expect(whole && toHex(whole)).toBe(c.payload);
  }
});

test('proof of work', () => {
  const p = v.pow;
  expect(toHex(mailboxIdOf(fromHex(p.peerId)))).toBe(p.mailboxId);
  const target = {
    mailboxId: fromHex(p.mailboxId),
    token: fromHex(p.token),
    envelopeHash: fromHex(p.envelopeHash),
    bucket: p.bucket,
  };
  expect(toHex(envelopeHash(fromHex(v.envelopes[0].envelopes[0])))).toBe(p.envelopeHash);
  expect(toHex(powHash(target, fromHex(p.nonce)))).toBe(p.hash);
  expect(verifyPow(target, fromHex(p.nonce), p.bits)).toBe(true);
});

test('locator list', () => {
  const mailboxes = v.locators.mailboxes.map((m: { peerId: string; addrs: string[] }) => ({
    peerId: fromHex(m.peerId),
    addrs: m.addrs.map(fromHex),
  }));
  expect(toHex(encodeMailboxLocators(mailboxes))).toBe(v.locators.encoded);
  expect(decodeMailboxLocators(fromHex(v.locators.encoded))).toEqual(mailboxes);
});

test('requests and responses', () => {
  for (const r of v.requests) {
    const value = unhex(r.value) as Parameters<typeof encodeRequest>[0];
    expect(toHex(encodeRequest(value))).toBe(r.encoded);
    expect(decodeRequest(fromHex(r.encoded))).toEqual(value);
  }
  for (const r of v.responses) {
    const value = unhex(r.value) as Parameters<typeof encodeResponse>[0];
    expect(toHex(encodeResponse(value))).toBe(r.encoded);
    expect(decodeResponse(fromHex(r.encoded))).toEqual(value);
  }
});

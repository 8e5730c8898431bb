/**
 * Loads the frozen vectors of docs/protocol/vectors (written by scripts/gen-vectors-handshake.ts) and
 * recomputes every value through the public API: identity, invite, handshake, SAS, safety number.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { ProtocolError } from '../../src/protocol/errors.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterConfirm,
  createInviterResponse,
} from '../../src/protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../../src/protocol/handshake/joiner.ts';
import { decodeLocatorBlock } from '../../src/protocol/handshake/wire.ts';
import {
  decodeIdentity,
  decodePublicBundle,
  encodeIdentity,
  encodePublicBundle,
  generateIdentity,
  identityFingerprint,
} from '../../src/protocol/identity.ts';
import {
  createInvite,
  decodeInviteBytes,
  encodeInviteBytes,
  inviteId,
} from '../../src/protocol/invite/invite-code.ts';
import { decodeInviteText, encodeInviteText, inviteQrText } from '../../src/protocol/invite/invite-text.ts';
import { encodeLocator, type TransportLocator } from '../../src/protocol/invite/locator.ts';
import { identityDigits, safetyNumber } from '../../src/protocol/safety-number.ts';
import { deriveSas, sasCommitment } from '../../src/protocol/sas.ts';
import { scriptedRng } from './scripted-rng.ts';

const root = new URL('../..', import.meta.url).pathname;
const dir = join(root, 'docs', 'protocol', 'vectors');
interface LocatorJson {
  peerId: string;
  addrs: string[];
  mailbox: string;
  encoded: string;
}
interface PublicJson {
  signPublic: string;
  dhPublic: string;
}
interface IdentityCase {
  displayName: string;
  nowMs: number;
  randomness: string[];
  signSecret: string;
  signPublic: string;
  dhSecret: string;
  dhPublic: string;
  transportSeed: string;
  privateEncoding: string;
  publicBundle: string;
  fingerprint: string;
}
interface InviteVectors {
  valid: {
    label: string;
    nowMs: number;
    ttlSeconds: number | null;
    randomness: string[];
    inviter: LocatorJson;
    secret: string;
    expiresAtSeconds: number;
    inviteId: string;
    bytes: string;
    text: string;
    qrText: string;
  }[];
  invalid: { label: string; text: string; nowMs: number; error: string }[];
  tolerated: { label: string; text: string; decodesTo: string }[];
}
interface PartyJson {
  privateIdentity: string;
  public: PublicJson;
  displayName: string;
  locator: LocatorJson;
}
type Steps<T> = { joinRequest: T; inviterResponse: T; joinerReveal: T; inviterConfirm: T };
interface HandshakeVector {
  nowMs: number;
  inviter: PartyJson;
  joiner: PartyJson & { replyTo: string };
  invite: { text: string; inviteId: string };
  randomness: Steps<string[]>;
  messages: Steps<string>;
  transcript: Record<
    'afterJoinRequest' | 'afterInviterResponse' | 'afterJoinerReveal',
    { h: string; ck: string }
  > & {
    final: { h: string };
  };
  commitment: string;
  sas: { digits: string; words: string[] };
  session: {
    rootKey: string;
    headerKeyAlice: string;
    nextHeaderKeyBob: string;
    associatedData: string;
    bobRatchet: { dhSecret: string; dhPublic: string; kemSeed: string; kemPublic: string };
  };
}
interface SasCase {
  transcriptHash: string;
  ephemeralPublic: string;
  joiner: PublicJson;
  commitment: string;
  digits: string;
  words: string[];
}
interface SafetyCase {
  a: PublicJson;
  b: PublicJson;
  digitsA: string;
  digitsB: string;
  safetyNumber: string;
}

const load = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

const locatorFrom = (l: LocatorJson): TransportLocator => ({
  peerId: fromHex(l.peerId),
  addrs: l.addrs.map(fromHex),
  mailbox: fromHex(l.mailbox),
});

describe('identity vectors', () => {
  const v = load<{ cases: IdentityCase[] }>('identity.json');
  test.each(v.cases)('$displayName', (c) => {
    const id = generateIdentity({
      displayName: c.displayName,
      nowMs: c.nowMs,
      rng: scriptedRng(c.randomness),
    });
    expect(toHex(id.signSecret)).toBe(c.signSecret);
    expect(toHex(id.signPublic)).toBe(c.signPublic);
    expect(toHex(id.dhSecret)).toBe(c.dhSecret);
    expect(toHex(id.dhPublic)).toBe(c.dhPublic);
    expect(toHex(id.transportSeed)).toBe(c.transportSeed);
    expect(toHex(encodeIdentity(id))).toBe(c.privateEncoding);
    expect(toHex(encodePublicBundle(id))).toBe(c.publicBundle);
    expect(identityFingerprint(id)).toBe(c.fingerprint);
    expect(decodeIdentity(fromHex(c.privateEncoding))).toEqual(id);
    expect(toHex(decodePublicBundle(fromHex(c.publicBundle)).dhPublic)).toBe(c.dhPublic);
  });
});

describe('invite vectors', () => {
  const v = load<InviteVectors>('invite.json');
  test.each(v.valid)('valid: $label', (c) => {
    const inviter = locatorFrom(c.inviter);
    expect(toHex(encodeLocator(inviter))).toBe(c.inviter.encoded);
    const invite = createInvite({
      inviter,
      nowMs: c.nowMs,
      rng: scriptedRng(c.randomness),
      ...(c.ttlSeconds === null ? {} : { ttlSeconds: c.ttlSeconds }),
    });
    expect(toHex(invite.secret)).toBe(c.secret);
    expect(invite.expiresAtSeconds).toBe(c.expiresAtSeconds);
    expect(toHex(inviteId(invite.secret))).toBe(c.inviteId);
    expect(toHex(encodeInviteBytes(invite))).toBe(c.bytes);
    expect(encodeInviteText(invite)).toBe(c.text);
    expect(inviteQrText(invite)).toBe(c.qrText);
    expect(decodeInviteText(c.text, { nowMs: c.nowMs })).toEqual(invite);
    expect(decodeInviteText(c.qrText, { nowMs: c.nowMs })).toEqual(invite);
    expect(decodeInviteBytes(fromHex(c.bytes))).toEqual(invite);
  });
  test.each(v.invalid)('rejects: $label → $error', (c) => {
    let error: unknown;
    try {
      decodeInviteText(c.text, { nowMs: c.nowMs });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(c.error);
  });
  test.each(v.tolerated)('tolerates: $label', (c) => {
    expect(toHex(encodeInviteBytes(decodeInviteText(c.text)))).toBe(c.decodesTo);
  });
});

describe('handshake vector', () => {
  const v = load<HandshakeVector>('handshake.json');
  const inviterIdentity = decodeIdentity(fromHex(v.inviter.privateIdentity));
  const joinerIdentity = decodeIdentity(fromHex(v.joiner.privateIdentity));
  const invite = decodeInviteText(v.invite.text, { nowMs: v.nowMs });
  const inviterLocator = locatorFrom(v.inviter.locator);
  const joinerLocator = locatorFrom(v.joiner.locator);

  test('the inputs are what the vector says', () => {
    expect(toHex(inviterIdentity.signPublic)).toBe(v.inviter.public.signPublic);
    expect(toHex(joinerIdentity.dhPublic)).toBe(v.joiner.public.dhPublic);
    expect(toHex(inviteId(invite.secret))).toBe(v.invite.inviteId);
    expect(invite.inviter).toEqual(inviterLocator);
    expect(decodeLocatorBlock(concatLocatorBlock(v.joiner.locator.encoded))).toEqual(joinerLocator);
  });

  test('every message, transcript hash, SAS and session key is reproduced from the listed randomness', () => {
    const rng1 = scriptedRng(v.randomness.joinRequest);
    const { state: j1, message: msg1 } = createJoinRequest({
      invite,
      identity: joinerIdentity,
      locator: joinerLocator,
      replyTo: fromHex(v.joiner.replyTo),
      nowMs: v.nowMs,
      rng: rng1,
    });
    expect(rng1.remaining()).toBe(0);
    expect(toHex(msg1)).toBe(v.messages.joinRequest);
    expect(toHex(j1.sym.h)).toBe(v.transcript.afterJoinRequest.h);
    expect(toHex(j1.sym.ck)).toBe(v.transcript.afterJoinRequest.ck);

    const i1 = consumeJoinRequest(
      { invite, identity: inviterIdentity, locator: inviterLocator },
      fromHex(v.messages.joinRequest),
      v.nowMs,
    );
    expect(toHex(i1.commitment)).toBe(v.commitment);
    expect(toHex(i1.replyTo)).toBe(v.joiner.replyTo);
    const rng2 = scriptedRng(v.randomness.inviterResponse);
    const { state: i2, message: msg2 } = createInviterResponse(i1, rng2);
    expect(rng2.remaining()).toBe(0);
    expect(toHex(msg2)).toBe(v.messages.inviterResponse);

    const j2 = consumeInviterResponse(j1, fromHex(v.messages.inviterResponse));
    expect(toHex(j2.sym.h)).toBe(v.transcript.afterInviterResponse.h);
    expect(j2.sas.digits).toBe(v.sas.digits);
    expect(j2.sas.words).toEqual(v.sas.words);
    expect(j2.inviter.displayName).toBe(v.inviter.displayName);
    const rng3 = scriptedRng(v.randomness.joinerReveal);
    const { state: j3, message: msg3 } = createJoinerReveal(j2, rng3, { backend: nobleBackend });
    expect(rng3.remaining()).toBe(0);
    expect(toHex(msg3)).toBe(v.messages.joinerReveal);
    expect(toHex(j3.sym.h)).toBe(v.transcript.afterJoinerReveal.h);
    expect(toHex(j3.sym.ck)).toBe(v.transcript.afterJoinerReveal.ck);

    const i3 = consumeJoinerReveal(i2, fromHex(v.messages.joinerReveal), v.nowMs);
    expect(i3.sas.digits).toBe(v.sas.digits);
    expect(i3.joiner.displayName).toBe(v.joiner.displayName);
    const rng4 = scriptedRng(v.randomness.inviterConfirm);
    const { message: msg4, result: inviter } = createInviterConfirm(i3, rng4);
    expect(rng4.remaining()).toBe(0);
    expect(toHex(msg4)).toBe(v.messages.inviterConfirm);
    const joiner = consumeInviterConfirm(j3, fromHex(v.messages.inviterConfirm));

    for (const r of [joiner, inviter]) {
      expect(toHex(r.transcriptHash)).toBe(v.transcript.final.h);
      expect(toHex(r.session.rootKey)).toBe(v.session.rootKey);
      expect(toHex(r.session.headerKeyAlice)).toBe(v.session.headerKeyAlice);
      expect(toHex(r.session.nextHeaderKeyBob)).toBe(v.session.nextHeaderKeyBob);
      expect(toHex(r.session.associatedData)).toBe(v.session.associatedData);
      expect(toHex(r.inviteId)).toBe(v.invite.inviteId);
    }
    expect(joiner.session.role).toBe('alice');
    expect(inviter.session.role).toBe('bob');
    expect(joiner.session.bobRatchet).toEqual({
      kind: 'remote',
      dhPublic: fromHex(v.session.bobRatchet.dhPublic),
      kemPublic: fromHex(v.session.bobRatchet.kemPublic),
    });
    expect(inviter.session.bobRatchet).toEqual({
      kind: 'own',
      dhSecret: fromHex(v.session.bobRatchet.dhSecret),
      dhPublic: fromHex(v.session.bobRatchet.dhPublic),
      kemSeed: fromHex(v.session.bobRatchet.kemSeed),
      kemPublic: fromHex(v.session.bobRatchet.kemPublic),
    });
    expect(joiner.peerLocator).toEqual(inviterLocator);
    expect(inviter.peerLocator).toEqual(joinerLocator);
  });
});

/** A locator block (u16 length ‖ encoding ‖ zero padding) around an encoded locator, for decodeLocatorBlock. */
function concatLocatorBlock(encodedHex: string): Uint8Array {
  const encoded = fromHex(encodedHex);
  const block = new Uint8Array(717);
  block[0] = encoded.length >>> 8;
  block[1] = encoded.length & 0xff;
  block.set(encoded, 2);
  return block;
}

describe('SAS vectors', () => {
  const v = load<{ cases: SasCase[] }>('sas.json');
  test.each(v.cases)('case %#', (c) => {
    const joiner = { signPublic: fromHex(c.joiner.signPublic), dhPublic: fromHex(c.joiner.dhPublic) };
    expect(toHex(sasCommitment(fromHex(c.ephemeralPublic), joiner))).toBe(c.commitment);
    const sas = deriveSas(fromHex(c.transcriptHash), fromHex(c.ephemeralPublic), joiner);
    expect(sas.digits).toBe(c.digits);
    expect(sas.words).toEqual(c.words);
  });
});

describe('safety number vectors', () => {
  const v = load<{ cases: SafetyCase[] }>('safety-number.json');
  test.each(v.cases)('case %#', (c) => {
    const a = { signPublic: fromHex(c.a.signPublic), dhPublic: fromHex(c.a.dhPublic) };
    const b = { signPublic: fromHex(c.b.signPublic), dhPublic: fromHex(c.b.dhPublic) };
    expect(identityDigits(a)).toBe(c.digitsA);
    expect(identityDigits(b)).toBe(c.digitsB);
    expect(safetyNumber(a, b)).toBe(c.safetyNumber);
    expect(safetyNumber(b, a)).toBe(c.safetyNumber);
  });
});

describe('vector files', () => {
  test('are what scripts/gen-vectors-handshake.ts generates today (run it without --check to refresh)', () => {
    const node = join(root, 'node_modules', '.bin', 'node');
    const r = spawnSync(node, [join(root, 'scripts', 'gen-vectors-handshake.ts'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

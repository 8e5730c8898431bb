/**
 * Generates the frozen test vectors of the identity, invite, handshake, SAS and safety-number specs
 * (docs/protocol/vectors/{identity,invite,handshake,sas,safety-number}.json) from labelled DRBGs, so
 * the specs, the code and the tests cannot drift: the tests load these files and recompute every value.
 * Every random input is written into the vectors (as the exact bytes each step drew), so another
 * implementation can reproduce them without our DRBG.
 * Run: node_modules/.bin/node scripts/gen-vectors-handshake.ts [--check]
 * (--check regenerates in memory and exits 1 if a file differs, instead of writing.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nobleBackend } from '../src/crypto/backend-noble.ts';
import { concatBytes, fromHex, type Rng, toHex } from '../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../src/crypto/drbg.ts';
import { bech32mEncode } from '../src/protocol/bech32m.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterConfirm,
  createInviterResponse,
} from '../src/protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../src/protocol/handshake/joiner.ts';
import {
  encodeIdentity,
  encodePublicBundle,
  generateIdentity,
  identityFingerprint,
  type PublicIdentity,
} from '../src/protocol/identity.ts';
import {
  createInvite,
  encodeInviteBytes,
  type Invite,
  inviteId,
} from '../src/protocol/invite/invite-code.ts';
import { encodeInviteText, INVITE_HRP, inviteQrText } from '../src/protocol/invite/invite-text.ts';
import { encodeLocator, type TransportLocator } from '../src/protocol/invite/locator.ts';
import { identityDigits, safetyNumber } from '../src/protocol/safety-number.ts';
import { deriveSas, sasCommitment } from '../src/protocol/sas.ts';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'docs', 'protocol', 'vectors');
const GENERATOR = 'scripts/gen-vectors-handshake.ts';
/** 2026-11-23T09:00:00Z. */
const NOW_MS = Date.UTC(2026, 10, 23, 9, 0, 0);
const ADDR_IP4 = '04cb00710706a391'; // /ip4/203.0.113.7/tcp/41873
const ADDR_IP6 = '2920010db800000000000000000000000706a391'; // /ip6/2001:db8::7/tcp/41873

/** Wraps an Rng and records every draw, so vectors can list the exact random bytes of each step. */
function recording(rng: Rng): { rng: Rng; take(): string[] } {
  let draws: string[] = [];
  return {
    rng: (n: number) => {
      const out = rng(n);
      draws.push(toHex(out));
      return out;
    },
    take() {
      const out = draws;
      draws = [];
      return out;
    },
  };
}

function locatorJson(l: TransportLocator) {
  return {
    peerId: toHex(l.peerId),
    addrs: l.addrs.map(toHex),
    mailbox: toHex(l.mailbox),
    encoded: toHex(encodeLocator(l)),
  };
}

function publicJson(p: PublicIdentity) {
  return { signPublic: toHex(p.signPublic), dhPublic: toHex(p.dhPublic) };
}

function ed25519PeerId(rng: Rng): Uint8Array {
  return concatBytes(fromHex('002408011220'), rng(32));
}

// ── identity ────────────────────────────────────────────────────────────────────────────────────────

function identityVectors() {
  const names = ['Ada', 'Zoë Ørsted-Müller', '李小龙 🐉'];
  return {
    description:
      'Identity generation (rng draws: Ed25519 seed 32, X25519 secret 32, transport seed 32), private serialization, signed public bundle, fingerprint. See docs/protocol/identity.md.',
    generator: GENERATOR,
    cases: names.map((displayName, i) => {
      const label = `pvt vectors: identity ${i}`;
      const rec = recording(createLabelledDrbg(label));
      const id = generateIdentity({ displayName, nowMs: NOW_MS + i, rng: rec.rng });
      return {
        drbgLabel: label,
        displayName,
        nowMs: NOW_MS + i,
        randomness: rec.take(),
        signSecret: toHex(id.signSecret),
        signPublic: toHex(id.signPublic),
        dhSecret: toHex(id.dhSecret),
        dhPublic: toHex(id.dhPublic),
        transportSeed: toHex(id.transportSeed),
        privateEncoding: toHex(encodeIdentity(id)),
        publicBundle: toHex(encodePublicBundle(id)),
        fingerprint: identityFingerprint(id),
      };
    }),
  };
}

// ── invite ─────────────────────────────────────────────────────────────────────────────────────────

function inviteCase(label: string, addrs: string[], rawPeerId: boolean, ttlSeconds?: number) {
  const drbgLabel = `pvt vectors: invite ${label}`;
  const rng = createLabelledDrbg(drbgLabel);
  const peerId = rawPeerId ? concatBytes(fromHex('1220'), rng(32)) : ed25519PeerId(rng);
  const inviter: TransportLocator = { peerId, addrs: addrs.map(fromHex), mailbox: new Uint8Array(0) };
  const rec = recording(rng);
  const invite = createInvite({
    inviter,
    nowMs: NOW_MS,
    rng: rec.rng,
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
  });
  return {
    label,
    drbgLabel,
    nowMs: NOW_MS,
    ttlSeconds: ttlSeconds ?? null,
    randomness: rec.take(),
    inviter: locatorJson(inviter),
    secret: toHex(invite.secret),
    expiresAtSeconds: invite.expiresAtSeconds,
    inviteId: toHex(inviteId(invite.secret)),
    bytes: toHex(encodeInviteBytes(invite)),
    text: encodeInviteText(invite),
    qrText: inviteQrText(invite),
  };
}

function inviteVectors(base: Invite) {
  const valid = [
    inviteCase('two addresses', [ADDR_IP4, ADDR_IP6], false),
    inviteCase('no address', [], false, 600),
    inviteCase('sha256 peer id', [ADDR_IP4], true, 86400),
  ];
  const bytes = encodeInviteBytes(base);
  const text = encodeInviteText(base);
  const flip = (s: string, i: number) => {
    const c = s.charAt(i);
    return s.slice(0, i) + (c === 'q' ? 'p' : 'q') + s.slice(i + 1);
  };
  const withVersion = Uint8Array.from(bytes);
  withVersion[0] = 2;
  const invalid = [
    { label: 'one substituted character', text: flip(text, 20), error: 'InvalidInviteChecksum' },
    {
      label: 'adjacent characters swapped',
      text: `${text.slice(0, 30)}${text[31]}${text[30]}${text.slice(32)}`,
      error: 'InvalidInviteChecksum',
    },
    {
      label: 'one character dropped',
      text: text.slice(0, 40) + text.slice(41),
      error: 'InvalidInviteChecksum',
    },
    {
      label: 'character outside the alphabet',
      text: `${text.slice(0, 10)}o${text.slice(11)}`,
      error: 'InvalidInviteCharacter',
    },
    { label: 'wrong prefix', text: `pvx1${text.slice(4)}`, error: 'MalformedInvite' },
    {
      label: 'unsupported version 2',
      text: bech32mEncode(INVITE_HRP, withVersion),
      error: 'UnsupportedInviteVersion',
    },
    {
      label: 'trailing byte',
      text: bech32mEncode(INVITE_HRP, concatBytes(bytes, Uint8Array.of(0))),
      error: 'MalformedInvite',
    },
    {
      label: 'truncated locator',
      text: bech32mEncode(INVITE_HRP, bytes.slice(0, 30)),
      error: 'MalformedInvite',
    },
    { label: 'expired (nowMs at expiry)', text, nowMs: base.expiresAtSeconds * 1000, error: 'InviteExpired' },
    { label: 'empty', text: '  - ', error: 'MalformedInvite' },
    { label: 'too long', text: `pvt1${'q'.repeat(1000)}`, error: 'InviteTooLong' },
  ];
  const tolerated = [
    { label: 'uppercase', text: text.toUpperCase() },
    { label: 'groups of 5 with spaces', text: text.replace(/(.{5})/g, '$1 ') },
    {
      label: 'dashes, newlines and mixed case',
      text: `  ${text.slice(0, 50).toUpperCase()}-\n${text.slice(50, 90)}\r\n- ${text.slice(90)}\t`,
    },
  ];
  return {
    description:
      'Invite codes: binary payload, bech32m text (hrp "pvt"), QR text, invite id; rejected and tolerated inputs. nowMs is in ms, expiresAtSeconds in s. See docs/protocol/invite.md.',
    generator: GENERATOR,
    valid,
    invalid: invalid.map((c) => ({ nowMs: NOW_MS, ...c })),
    tolerated: tolerated.map((c) => ({ ...c, decodesTo: toHex(bytes) })),
  };
}

// ── handshake ──────────────────────────────────────────────────────────────────────────────────────

function handshakeVectors() {
  const drbgLabel = 'pvt vectors: handshake';
  const rng = createLabelledDrbg(drbgLabel);
  const inviterId = generateIdentity({ displayName: 'Ines', nowMs: NOW_MS, rng });
  const joinerId = generateIdentity({ displayName: 'Jo', nowMs: NOW_MS, rng });
  const inviterLocator: TransportLocator = {
    peerId: ed25519PeerId(rng),
    addrs: [fromHex(ADDR_IP4), fromHex(ADDR_IP6)],
    mailbox: new Uint8Array(0),
  };
  const joinerLocator: TransportLocator = {
    peerId: ed25519PeerId(rng),
    addrs: [fromHex(ADDR_IP6)],
    mailbox: new Uint8Array(0),
  };
  const invite = createInvite({ inviter: inviterLocator, nowMs: NOW_MS, rng });
  const replyTo = rng(20);
  const rec = recording(rng);

  const { state: j1, message: msg1 } = createJoinRequest({
    invite,
    identity: joinerId,
    locator: joinerLocator,
    replyTo,
    nowMs: NOW_MS,
    rng: rec.rng,
  });
  const r1 = rec.take();
  const i1 = consumeJoinRequest({ invite, identity: inviterId, locator: inviterLocator }, msg1, NOW_MS);
  const { state: i2, message: msg2 } = createInviterResponse(i1, rec.rng);
  const r2 = rec.take();
  const j2 = consumeInviterResponse(j1, msg2);
  const { state: j3, message: msg3 } = createJoinerReveal(j2, rec.rng, { backend: nobleBackend });
  const r3 = rec.take();
  const i3 = consumeJoinerReveal(i2, msg3, NOW_MS);
  const { message: msg4, result: inviterResult } = createInviterConfirm(i3, rec.rng);
  const r4 = rec.take();
  const joinerResult = consumeInviterConfirm(j3, msg4);
  if (toHex(joinerResult.transcriptHash) !== toHex(inviterResult.transcriptHash))
    throw new Error('transcripts differ');
  const own = inviterResult.session.bobRatchet;
  if (own.kind !== 'own') throw new Error('inviter must own bob ratchet keys');

  return {
    description:
      'A complete join. randomness lists the exact bytes each step draws, in order: joinRequest [eJ secret 32, nonce 24]; inviterResponse [eI secret 32, ML-KEM seed 64, nonce 24]; joinerReveal [ML-KEM encapsulation m 32, nonce 24]; inviterConfirm [ratchet X25519 secret 32, ratchet ML-KEM seed 64, nonce 24]. h/ck are the transcript hash and chaining key after each message. See docs/protocol/handshake.md.',
    generator: GENERATOR,
    drbgLabel,
    nowMs: NOW_MS,
    inviter: {
      privateIdentity: toHex(encodeIdentity(inviterId)),
      public: publicJson(inviterId),
      displayName: inviterId.displayName,
      locator: locatorJson(inviterLocator),
    },
    joiner: {
      privateIdentity: toHex(encodeIdentity(joinerId)),
      public: publicJson(joinerId),
      displayName: joinerId.displayName,
      locator: locatorJson(joinerLocator),
      replyTo: toHex(replyTo),
    },
    invite: { text: encodeInviteText(invite), inviteId: toHex(inviteId(invite.secret)) },
    randomness: { joinRequest: r1, inviterResponse: r2, joinerReveal: r3, inviterConfirm: r4 },
    messages: {
      joinRequest: toHex(msg1),
      inviterResponse: toHex(msg2),
      joinerReveal: toHex(msg3),
      inviterConfirm: toHex(msg4),
    },
    transcript: {
      afterJoinRequest: { h: toHex(j1.sym.h), ck: toHex(j1.sym.ck) },
      afterInviterResponse: { h: toHex(j2.sym.h), ck: toHex(j2.sym.ck) },
      afterJoinerReveal: { h: toHex(j3.sym.h), ck: toHex(j3.sym.ck) },
      final: { h: toHex(joinerResult.transcriptHash) },
    },
    commitment: toHex(i1.commitment),
    sas: { digits: joinerResult.sas.digits, words: joinerResult.sas.words },
    session: {
      rootKey: toHex(joinerResult.session.rootKey),
      headerKeyAlice: toHex(joinerResult.session.headerKeyAlice),
      nextHeaderKeyBob: toHex(joinerResult.session.nextHeaderKeyBob),
      associatedData: toHex(joinerResult.session.associatedData),
      bobRatchet: {
        dhSecret: toHex(own.dhSecret),
        dhPublic: toHex(own.dhPublic),
        kemSeed: toHex(own.kemSeed),
        kemPublic: toHex(own.kemPublic),
      },
    },
  };
}

// ── SAS and safety number ──────────────────────────────────────────────────────────────────────────

function sasVectors() {
  const drbgLabel = 'pvt vectors: sas';
  const rng = createLabelledDrbg(drbgLabel);
  return {
    description:
      'commitment = SHA-256("pvt/sas/v1/commit" ‖ ephemeralPublic ‖ signPublic ‖ dhPublic); SAS from SHA-256("pvt/sas/v1/code" ‖ transcriptHash ‖ ephemeralPublic ‖ signPublic ‖ dhPublic). Inputs are random 32-byte strings. See docs/protocol/sas.md.',
    generator: GENERATOR,
    drbgLabel,
    cases: Array.from({ length: 8 }, () => {
      const transcriptHash = rng(32);
      const ephemeralPublic = rng(32);
      const joiner = { signPublic: rng(32), dhPublic: rng(32) };
      const sas = deriveSas(transcriptHash, ephemeralPublic, joiner);
      return {
        transcriptHash: toHex(transcriptHash),
        ephemeralPublic: toHex(ephemeralPublic),
        joiner: publicJson(joiner),
        commitment: toHex(sasCommitment(ephemeralPublic, joiner)),
        digits: sas.digits,
        words: sas.words,
      };
    }),
  };
}

function safetyNumberVectors() {
  const drbgLabel = 'pvt vectors: safety number';
  const rng = createLabelledDrbg(drbgLabel);
  return {
    description:
      'Per identity: d = SHA-256("pvt/safety-number/v1" ‖ signPublic ‖ dhPublic), 5,200 × d = SHA-256(d ‖ signPublic ‖ dhPublic), six 40-bit chunks mod 100000; the smaller 30-digit string first. See docs/protocol/sas.md.',
    generator: GENERATOR,
    drbgLabel,
    cases: Array.from({ length: 4 }, () => {
      const a = { signPublic: rng(32), dhPublic: rng(32) };
      const b = { signPublic: rng(32), dhPublic: rng(32) };
      return {
        a: publicJson(a),
        b: publicJson(b),
        digitsA: identityDigits(a),
        digitsB: identityDigits(b),
        safetyNumber: safetyNumber(a, b),
      };
    }),
  };
}

// ── write ──────────────────────────────────────────────────────────────────────────────────────────

const baseInvite = createInvite({
  inviter: {
    peerId: ed25519PeerId(createLabelledDrbg('pvt vectors: invite base peer')),
    addrs: [fromHex(ADDR_IP4), fromHex(ADDR_IP6)],
    mailbox: new Uint8Array(0),
  },
  nowMs: NOW_MS,
  rng: createLabelledDrbg('pvt vectors: invite base'),
});

const files: Record<string, unknown> = {
  'identity.json': identityVectors(),
  'invite.json': inviteVectors(baseInvite),
  'handshake.json': handshakeVectors(),
  'sas.json': sasVectors(),
  'safety-number.json': safetyNumberVectors(),
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [name, value] of Object.entries(files)) {
  const path = join(outDir, name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current !== text) {
      stale++;
      process.stdout.write(`stale: docs/protocol/vectors/${name}\n`);
    }
  } else {
    writeFileSync(path, text);
    process.stdout.write(`wrote docs/protocol/vectors/${name}\n`);
  }
}
process.exit(stale ? 1 : 0);

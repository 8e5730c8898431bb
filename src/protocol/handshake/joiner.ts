/**
 * The joiner's half of the join handshake (the side with the invite code; alice for the ratchet):
 * createJoinRequest → consumeInviterResponse → createJoinerReveal → consumeInviterConfirm. Each step
 * returns a new state and never mutates its input, so a rejected message leaves the caller's state as
 * it was. Pure: randomness and time are parameters. Spec: docs/protocol/handshake.md.
 */
import type { CryptoBackend } from '../../crypto/backend.ts';
import { assertBytes, concatBytes, type Rng, wipe } from '../../crypto/bytes.ts';
import { x25519Keygen } from '../../crypto/primitives.ts';
import { HANDSHAKE_NONCE_BYTES, MAX_LOCATOR_ADDRS } from '../constants.ts';
import { assertIdentity, type Identity, publicIdentity } from '../identity.ts';
import { assertInviteNotExpired, type Invite, inviteId } from '../invite/invite-code.ts';
import { assertLocator, type TransportLocator } from '../invite/locator.ts';
import { deriveSas, sasCommitment } from '../sas.ts';
import {
  assertPeerDhPublicKey,
  assertPeerKemPublicKey,
  dhWithPeer,
  encapsulateToPeer,
  freshNonce,
  INVITER_SIGNATURE_DOMAIN,
  JOINER_SIGNATURE_DOMAIN,
  open,
  seal,
  signTranscript,
  verifyTranscript,
} from './sealing.ts';
import { deriveSessionKeys, initialState, mixHash, mixKey, segmentKey } from './transcript.ts';
import type {
  JoinerAwaitingConfirm,
  JoinerAwaitingResponse,
  JoinerReadyToReveal,
  JoinResult,
} from './types.ts';
import {
  decodeConfirmPlaintext,
  decodeInviterResponsePlaintext,
  encodeJoinRequestPlaintext,
  encodeRevealA,
  encodeRevealB,
  expectMessage,
  HEADER_BYTES,
  header,
} from './wire.ts';

function assertStep<T extends { step: string }>(state: T, step: T['step']): void {
  if (typeof state !== 'object' || state === null || state.step !== step) {
    throw new TypeError(
      `"state" expected step ${step}, got ${String((state as { step?: unknown } | null)?.step)}`,
    );
  }
}

/** Message 1. Checks the invite's expiry; commits to the joiner's ephemeral key and identity. */
export function createJoinRequest(o: {
  invite: Invite;
  identity: Identity;
  /** The joiner's transport locator, sent sealed in the JoinerReveal. */
  locator: TransportLocator;
  /** Opaque locator the inviter should answer at (e.g. a mailbox slot); empty for "same stream". */
  replyTo?: Uint8Array;
  nowMs: number;
  rng: Rng;
}): { state: JoinerAwaitingResponse; message: Uint8Array } {
  assertBytes('invite.secret', o.invite?.secret);
  assertIdentity('identity', o.identity);
  assertLocator('locator', o.locator, MAX_LOCATOR_ADDRS);
  const replyTo = o.replyTo ?? new Uint8Array(0);
  assertBytes('replyTo', replyTo);
  assertInviteNotExpired(o.invite, o.nowMs);
  const id = inviteId(o.invite.secret);
  const start = initialState(o.invite.secret, id);
  const ephemeral = x25519Keygen(o.rng);
  const commitment = sasCommitment(ephemeral.publicKey, publicIdentity(o.identity));
  const nonce = freshNonce(o.rng);
  const prefix = concatBytes(header('joinRequest'), id, nonce);
  const sealed = seal(
    segmentKey(start.ck, 'msg1'),
    nonce,
    encodeJoinRequestPlaintext({ commitment, replyTo }),
    concatBytes(start.h, prefix),
  );
  const message = concatBytes(prefix, sealed);
  return {
    state: {
      step: 'joiner/awaiting-response',
      inviteId: id,
      identity: o.identity,
      locator: o.locator,
      ephemeral,
      sym: { ck: start.ck, h: mixHash(start.h, message) },
    },
    message,
  };
}

/** Message 2 in: the inviter's ephemeral keys and signed identity. Yields the SAS. */
export function consumeInviterResponse(
  state: JoinerAwaitingResponse,
  message: Uint8Array,
): JoinerReadyToReveal {
  assertStep(state, 'joiner/awaiting-response');
  expectMessage(message, 'inviterResponse');
  const prefix = message.subarray(0, HEADER_BYTES + HANDSHAKE_NONCE_BYTES);
  const nonce = message.subarray(HEADER_BYTES, HEADER_BYTES + HANDSHAKE_NONCE_BYTES);
  const plaintext = open(
    segmentKey(state.sym.ck, 'msg2'),
    nonce,
    message.subarray(prefix.length),
    concatBytes(state.sym.h, prefix),
    'inviterResponse',
  );
  const p = decodeInviterResponsePlaintext(plaintext);
  verifyTranscript(
    p.identity.signPublic,
    INVITER_SIGNATURE_DOMAIN,
    mixHash(state.sym.h, prefix, p.body),
    p.signature,
    'inviter',
  );
  assertPeerKemPublicKey(p.kemPublic);
  const ee = dhWithPeer(state.ephemeral.secretKey, p.ephemeralPublic, 'inviter ephemeral');
  const es = dhWithPeer(state.ephemeral.secretKey, p.identity.dhPublic, 'inviter identity');
  const se = dhWithPeer(state.identity.dhSecret, p.ephemeralPublic, 'inviter ephemeral');
  const eeEs = concatBytes(ee, es);
  wipe(ee, es);
  const h = mixHash(state.sym.h, message);
  return {
    step: 'joiner/ready-to-reveal',
    inviteId: state.inviteId,
    identity: state.identity,
    locator: state.locator,
    ephemeralPublic: state.ephemeral.publicKey,
    sym: { ck: state.sym.ck, h },
    inviter: { identity: p.identity, displayName: p.displayName },
    inviterKemPublic: p.kemPublic,
    eeEs,
    se,
    sas: deriveSas(h, state.ephemeral.publicKey, publicIdentity(state.identity)),
  };
}

/** Message 3: reveals the committed ephemeral key, encapsulates to the inviter's ML-KEM key, proves identity. */
export function createJoinerReveal(
  state: JoinerReadyToReveal,
  rng: Rng,
  options: { readonly backend: CryptoBackend },
): { state: JoinerAwaitingConfirm; message: Uint8Array } {
  assertStep(state, 'joiner/ready-to-reveal');
  const kem = encapsulateToPeer(state.inviterKemPublic, rng, options.backend);
  const nonce = freshNonce(rng);
  const prefix = concatBytes(header('joinerReveal'), nonce);

  const segA = seal(
    segmentKey(state.sym.ck, 'msg3a'),
    nonce,
    encodeRevealA({ ephemeralPublic: state.ephemeralPublic, kemCipherText: kem.cipherText }),
    concatBytes(state.sym.h, prefix),
  );
  const h4 = mixHash(state.sym.h, prefix, segA);
  const ikm = concatBytes(state.eeEs, kem.sharedSecret);
  const ck2 = mixKey(state.sym.ck, ikm);
  const segB = seal(
    segmentKey(ck2, 'msg3b'),
    nonce,
    encodeRevealB({
      identity: publicIdentity(state.identity),
      displayName: state.identity.displayName,
      locator: state.locator,
    }),
    h4,
  );
  const h5 = mixHash(h4, segB);
  const ck3 = mixKey(ck2, state.se);
  const segC = seal(
    segmentKey(ck3, 'msg3c'),
    nonce,
    signTranscript(state.identity.signSecret, JOINER_SIGNATURE_DOMAIN, h5),
    h5,
  );
  wipe(ikm, kem.sharedSecret, ck2);
  return {
    state: {
      step: 'joiner/awaiting-confirm',
      inviteId: state.inviteId,
      sym: { ck: ck3, h: mixHash(h5, segC) },
      inviter: state.inviter,
      sas: state.sas,
    },
    message: concatBytes(prefix, segA, segB, segC),
  };
}

/** Message 4 in: key confirmation, bob's initial ratchet keys and the inviter's locator. Completes the join. */
export function consumeInviterConfirm(state: JoinerAwaitingConfirm, message: Uint8Array): JoinResult {
  assertStep(state, 'joiner/awaiting-confirm');
  expectMessage(message, 'inviterConfirm');
  const prefix = message.subarray(0, HEADER_BYTES + HANDSHAKE_NONCE_BYTES);
  const nonce = message.subarray(HEADER_BYTES, HEADER_BYTES + HANDSHAKE_NONCE_BYTES);
  const plaintext = open(
    segmentKey(state.sym.ck, 'msg4'),
    nonce,
    message.subarray(prefix.length),
    concatBytes(state.sym.h, prefix),
    'inviterConfirm',
  );
  const p = decodeConfirmPlaintext(plaintext);
  // Bob's initial ratchet keys are checked here, so a bad key is a MalformedHandshakeMessage before any
  // contact is stored (not a RangeError from the ratchet's first step later).
  assertPeerDhPublicKey(p.ratchetDhPublic, 'inviter ratchet');
  assertPeerKemPublicKey(p.ratchetKemPublic);
  const final = { ck: state.sym.ck, h: mixHash(state.sym.h, message) };
  const keys = deriveSessionKeys(final);
  return {
    inviteId: state.inviteId,
    peer: state.inviter,
    peerLocator: p.locator,
    sas: state.sas,
    session: {
      role: 'alice',
      rootKey: keys.rootKey,
      headerKeyAlice: keys.headerKeyAlice,
      nextHeaderKeyBob: keys.nextHeaderKeyBob,
      bobRatchet: { kind: 'remote', dhPublic: p.ratchetDhPublic, kemPublic: p.ratchetKemPublic },
      associatedData: final.h,
    },
    transcriptHash: final.h,
  };
}

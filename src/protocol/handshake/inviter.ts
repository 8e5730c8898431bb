/**
 * The inviter's half of the join handshake (the side that made the invite; bob for the ratchet):
 * consumeJoinRequest → createInviterResponse → consumeJoinerReveal → createInviterConfirm. Each step
 * returns a new state and never mutates its input. Single use is the caller's job: record
 * `result.inviteId` as consumed (atomically, before accepting the contact) and refuse later joins for it.
 * Pure: randomness and time are parameters. Spec: docs/protocol/handshake.md.
 */
import { assertBytes, concatBytes, equalBytes, type Rng, wipe } from '../../crypto/bytes.ts';
import { mlkemDecapsulate, mlkemKeygen, x25519Keygen } from '../../crypto/primitives.ts';
import { HANDSHAKE_NONCE_BYTES, INVITE_ID_BYTES, MAX_LOCATOR_ADDRS } from '../constants.ts';
import { SasCommitMismatchError, UnknownInviteError } from '../errors.ts';
import { assertIdentity, publicIdentity } from '../identity.ts';
import { assertInviteNotExpired, inviteId } from '../invite/invite-code.ts';
import { assertLocator } from '../invite/locator.ts';
import { deriveSas, sasCommitment } from '../sas.ts';
import {
  dhWithPeer,
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
  InviterAwaitingReveal,
  InviterInvite,
  InviterReceivedRequest,
  InviterRevealed,
  JoinResult,
} from './types.ts';
import {
  decodeJoinRequestPlaintext,
  decodeRevealA,
  decodeRevealB,
  encodeConfirmPlaintext,
  encodeInviterResponseBody,
  expectMessage,
  HEADER_BYTES,
  header,
  REVEAL_A_BYTES,
  REVEAL_B_BYTES,
} from './wire.ts';

function assertStep<T extends { step: string }>(state: T, step: T['step']): void {
  if (typeof state !== 'object' || state === null || state.step !== step) {
    throw new TypeError(
      `"state" expected step ${step}, got ${String((state as { step?: unknown } | null)?.step)}`,
    );
  }
}

/**
 * The invite id a JoinRequest names (cleartext, unauthenticated): lets the caller find which of its
 * outstanding invites to pass to consumeJoinRequest, and drop requests for consumed ones cheaply.
 */
export function joinRequestInviteId(message: Uint8Array): Uint8Array {
  expectMessage(message, 'joinRequest');
  return message.slice(HEADER_BYTES, HEADER_BYTES + INVITE_ID_BYTES);
}

/**
 * Message 1 in. UnknownInvite when it names another invite (or was made from a wrong secret),
 * InviteExpired past the expiry, HandshakeAuthFailed when it does not authenticate under the secret.
 */
export function consumeJoinRequest(
  invite: InviterInvite,
  message: Uint8Array,
  nowMs: number,
): InviterReceivedRequest {
  assertBytes('invite.invite.secret', invite?.invite?.secret);
  assertIdentity('invite.identity', invite.identity);
  assertLocator('invite.locator', invite.locator, MAX_LOCATOR_ADDRS);
  expectMessage(message, 'joinRequest');
  const id = inviteId(invite.invite.secret);
  if (!equalBytes(id, message.subarray(HEADER_BYTES, HEADER_BYTES + INVITE_ID_BYTES))) {
    throw new UnknownInviteError();
  }
  assertInviteNotExpired(invite.invite, nowMs);
  const start = initialState(invite.invite.secret, id);
  const prefixEnd = HEADER_BYTES + INVITE_ID_BYTES + HANDSHAKE_NONCE_BYTES;
  const plaintext = open(
    segmentKey(start.ck, 'msg1'),
    message.subarray(HEADER_BYTES + INVITE_ID_BYTES, prefixEnd),
    message.subarray(prefixEnd),
    concatBytes(start.h, message.subarray(0, prefixEnd)),
    'joinRequest',
  );
  const p = decodeJoinRequestPlaintext(plaintext);
  return {
    step: 'inviter/received-request',
    invite,
    inviteId: id,
    commitment: p.commitment,
    replyTo: p.replyTo,
    sym: { ck: start.ck, h: mixHash(start.h, message) },
  };
}

/** Message 2: fresh X25519 and ML-KEM-768 ephemerals and the inviter's identity, signed over the transcript. */
export function createInviterResponse(
  state: InviterReceivedRequest,
  rng: Rng,
): { state: InviterAwaitingReveal; message: Uint8Array } {
  assertStep(state, 'inviter/received-request');
  const identity = state.invite.identity;
  const ephemeral = x25519Keygen(rng);
  const kemKeys = mlkemKeygen(rng);
  const kem = { secretKey: kemKeys.secretKey, publicKey: kemKeys.publicKey };
  const nonce = freshNonce(rng);
  const prefix = concatBytes(header('inviterResponse'), nonce);
  const body = encodeInviterResponseBody({
    ephemeralPublic: ephemeral.publicKey,
    kemPublic: kem.publicKey,
    identity: publicIdentity(identity),
    displayName: identity.displayName,
  });
  const signature = signTranscript(
    identity.signSecret,
    INVITER_SIGNATURE_DOMAIN,
    mixHash(state.sym.h, prefix, body),
  );
  const sealed = seal(
    segmentKey(state.sym.ck, 'msg2'),
    nonce,
    concatBytes(body, signature),
    concatBytes(state.sym.h, prefix),
  );
  const message = concatBytes(prefix, sealed);
  return {
    state: {
      step: 'inviter/awaiting-reveal',
      invite: state.invite,
      inviteId: state.inviteId,
      commitment: state.commitment,
      ephemeral,
      kem,
      sym: { ck: state.sym.ck, h: mixHash(state.sym.h, message) },
    },
    message,
  };
}

/**
 * Message 3 in: checks the reveal against the commitment (SasCommitMismatch), the joiner's identity
 * (signature and se) and derives the SAS. InviteExpired when the invite expired since message 1 (a
 * reveal held back, or one arriving late through a mailbox, does not outlive the invite). The caller
 * should check here that `state.inviteId` is not consumed yet, then record it when it sends the
 * InviterConfirm.
 */
export function consumeJoinerReveal(
  state: InviterAwaitingReveal,
  message: Uint8Array,
  nowMs: number,
): InviterRevealed {
  assertStep(state, 'inviter/awaiting-reveal');
  assertInviteNotExpired(state.invite.invite, nowMs);
  expectMessage(message, 'joinerReveal');
  const prefixEnd = HEADER_BYTES + HANDSHAKE_NONCE_BYTES;
  const prefix = message.subarray(0, prefixEnd);
  const nonce = message.subarray(HEADER_BYTES, prefixEnd);
  const segA = message.subarray(prefixEnd, prefixEnd + REVEAL_A_BYTES);
  const segB = message.subarray(prefixEnd + REVEAL_A_BYTES, prefixEnd + REVEAL_A_BYTES + REVEAL_B_BYTES);
  const segC = message.subarray(prefixEnd + REVEAL_A_BYTES + REVEAL_B_BYTES);

  const a = decodeRevealA(
    open(
      segmentKey(state.sym.ck, 'msg3a'),
      nonce,
      segA,
      concatBytes(state.sym.h, prefix),
      'joinerReveal segment A',
    ),
  );
  const h4 = mixHash(state.sym.h, prefix, segA);
  const ee = dhWithPeer(state.ephemeral.secretKey, a.ephemeralPublic, 'joiner ephemeral');
  const es = dhWithPeer(state.invite.identity.dhSecret, a.ephemeralPublic, 'joiner ephemeral');
  const kemSecret = mlkemDecapsulate(state.kem.secretKey, a.kemCipherText);
  const ikm = concatBytes(ee, es, kemSecret);
  const ck2 = mixKey(state.sym.ck, ikm);
  wipe(ee, es, kemSecret, ikm);
  const b = decodeRevealB(open(segmentKey(ck2, 'msg3b'), nonce, segB, h4, 'joinerReveal segment B'));
  if (!equalBytes(sasCommitment(a.ephemeralPublic, b.identity), state.commitment)) {
    throw new SasCommitMismatchError();
  }
  const h5 = mixHash(h4, segB);
  const se = dhWithPeer(state.ephemeral.secretKey, b.identity.dhPublic, 'joiner identity');
  const ck3 = mixKey(ck2, se);
  wipe(se, ck2);
  const signature = open(segmentKey(ck3, 'msg3c'), nonce, segC, h5, 'joinerReveal segment C');
  verifyTranscript(b.identity.signPublic, JOINER_SIGNATURE_DOMAIN, h5, signature, 'joiner');
  return {
    step: 'inviter/revealed',
    invite: state.invite,
    inviteId: state.inviteId,
    joiner: { identity: b.identity, displayName: b.displayName },
    joinerLocator: b.locator,
    sas: deriveSas(state.sym.h, a.ephemeralPublic, b.identity),
    sym: { ck: ck3, h: mixHash(h5, segC) },
  };
}

/** Message 4: key confirmation carrying bob's fresh initial ratchet keys and the inviter's locator. Completes. */
export function createInviterConfirm(
  state: InviterRevealed,
  rng: Rng,
): { message: Uint8Array; result: JoinResult } {
  assertStep(state, 'inviter/revealed');
  const ratchetDh = x25519Keygen(rng);
  const ratchetKem = mlkemKeygen(rng);
  const nonce = freshNonce(rng);
  const prefix = concatBytes(header('inviterConfirm'), nonce);
  const sealed = seal(
    segmentKey(state.sym.ck, 'msg4'),
    nonce,
    encodeConfirmPlaintext({
      ratchetDhPublic: ratchetDh.publicKey,
      ratchetKemPublic: ratchetKem.publicKey,
      locator: state.invite.locator,
    }),
    concatBytes(state.sym.h, prefix),
  );
  const message = concatBytes(prefix, sealed);
  const final = { ck: state.sym.ck, h: mixHash(state.sym.h, message) };
  const keys = deriveSessionKeys(final);
  return {
    message,
    result: {
      inviteId: state.inviteId,
      peer: state.joiner,
      peerLocator: state.joinerLocator,
      sas: state.sas,
      session: {
        role: 'bob',
        rootKey: keys.rootKey,
        headerKeyAlice: keys.headerKeyAlice,
        nextHeaderKeyBob: keys.nextHeaderKeyBob,
        bobRatchet: {
          kind: 'own',
          dhSecret: ratchetDh.secretKey,
          dhPublic: ratchetDh.publicKey,
          kemSeed: ratchetKem.seed,
          kemPublic: ratchetKem.publicKey,
        },
        associatedData: final.h,
      },
      transcriptHash: final.h,
    },
  };
}

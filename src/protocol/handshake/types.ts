/**
 * The join handshake's states (one type per step, immutable: each create/consume returns a new one and
 * leaves its input untouched) and its result. Pure data; no behaviour. States hold secrets: keep them
 * in memory only, and drop them once the handshake completes or is abandoned.
 */
import type { KeyPair } from '../../crypto/primitives.ts';
import type { Identity, PublicIdentity } from '../identity.ts';
import type { Invite } from '../invite/invite-code.ts';
import type { TransportLocator } from '../invite/locator.ts';
import type { Sas } from '../sas.ts';
import type { SessionSeed } from '../session-seed.ts';
import type { SymmetricState } from './transcript.ts';

/** The peer as learnt in the handshake: its identity keys, display name and (later) transport locator. */
export interface HandshakePeer {
  readonly identity: PublicIdentity;
  readonly displayName: string;
}

// ── joiner (has the invite code; becomes alice, who sends the first ratchet message) ───────────────

/** After createJoinRequest: waiting for the InviterResponse. */
export interface JoinerAwaitingResponse {
  readonly step: 'joiner/awaiting-response';
  readonly inviteId: Uint8Array;
  readonly identity: Identity;
  readonly locator: TransportLocator;
  readonly ephemeral: KeyPair;
  readonly sym: SymmetricState;
}

/**
 * After consumeInviterResponse: the inviter's keys are checked and the three X25519 results computed
 * (so createJoinerReveal fails on nothing the peer sent); the SAS is known; createJoinerReveal next.
 */
export interface JoinerReadyToReveal {
  readonly step: 'joiner/ready-to-reveal';
  readonly inviteId: Uint8Array;
  readonly identity: Identity;
  readonly locator: TransportLocator;
  readonly ephemeralPublic: Uint8Array;
  readonly sym: SymmetricState;
  readonly inviter: HandshakePeer;
  readonly inviterKemPublic: Uint8Array;
  /** DH(eJ, eI) ‖ DH(eJ, I.dh): 64 secret bytes, mixed with the KEM secret. */
  readonly eeEs: Uint8Array;
  /** DH(J.dh, eI): 32 secret bytes, mixed after the joiner's identity. */
  readonly se: Uint8Array;
  readonly sas: Sas;
}

/** After createJoinerReveal: waiting for the InviterConfirm. */
export interface JoinerAwaitingConfirm {
  readonly step: 'joiner/awaiting-confirm';
  readonly inviteId: Uint8Array;
  readonly sym: SymmetricState;
  readonly inviter: HandshakePeer;
  readonly sas: Sas;
}

// ── inviter (holds the invite; becomes bob, whose initial ratchet keys travel in the InviterConfirm) ─

/** What the inviter holds for one outstanding invite. */
export interface InviterInvite {
  readonly invite: Invite;
  readonly identity: Identity;
  /** The inviter's current transport locator, sent (sealed) in the InviterConfirm. */
  readonly locator: TransportLocator;
}

/** After consumeJoinRequest: createInviterResponse next. */
export interface InviterReceivedRequest {
  readonly step: 'inviter/received-request';
  readonly invite: InviterInvite;
  readonly inviteId: Uint8Array;
  readonly commitment: Uint8Array;
  /** Opaque reply locator the joiner asked to be answered at (empty when it answers on the same stream). */
  readonly replyTo: Uint8Array;
  readonly sym: SymmetricState;
}

/** After createInviterResponse: waiting for the JoinerReveal. */
export interface InviterAwaitingReveal {
  readonly step: 'inviter/awaiting-reveal';
  readonly invite: InviterInvite;
  readonly inviteId: Uint8Array;
  readonly commitment: Uint8Array;
  readonly ephemeral: KeyPair;
  readonly kem: KeyPair;
  readonly sym: SymmetricState;
}

/** After consumeJoinerReveal: the joiner is authenticated and the SAS known; createInviterConfirm next. */
export interface InviterRevealed {
  readonly step: 'inviter/revealed';
  readonly invite: InviterInvite;
  readonly inviteId: Uint8Array;
  readonly joiner: HandshakePeer;
  readonly joinerLocator: TransportLocator;
  readonly sas: Sas;
  readonly sym: SymmetricState;
}

// ── result ─────────────────────────────────────────────────────────────────────────────────────────

/** What a completed handshake gives each side. */
export interface JoinResult {
  /** The invite this join consumed: the inviter records it so that the invite works only once. */
  readonly inviteId: Uint8Array;
  readonly peer: HandshakePeer;
  /** The peer's transport locator (the inviter's fresh one for the joiner; the joiner's for the inviter). */
  readonly peerLocator: TransportLocator;
  /** What the two people compare. Identical on both sides unless someone is in the middle. */
  readonly sas: Sas;
  /** Hand-over to the ratchet: the joiner is alice, the inviter is bob. */
  readonly session: SessionSeed;
  /** Final transcript hash (also `session.associatedData`). */
  readonly transcriptHash: Uint8Array;
}

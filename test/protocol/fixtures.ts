/**
 * Shared fixtures of the identity/invite/handshake tests: deterministic identities, locators with the
 * two addresses of the spec examples, invites, and a helper that runs a whole join and keeps every
 * intermediate state and message (so negative tests can replay, reorder and tamper with any of them).
 */
import type { CryptoBackend } from '../../src/crypto/backend.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { concatBytes, fromHex, type Rng } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
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
import type {
  InviterAwaitingReveal,
  InviterInvite,
  InviterReceivedRequest,
  InviterRevealed,
  JoinerAwaitingConfirm,
  JoinerAwaitingResponse,
  JoinerReadyToReveal,
  JoinResult,
} from '../../src/protocol/handshake/types.ts';
import { generateIdentity, type Identity } from '../../src/protocol/identity.ts';
import { createInvite, type Invite } from '../../src/protocol/invite/invite-code.ts';
import type { TransportLocator } from '../../src/protocol/invite/locator.ts';

/** 2026-11-23T09:00:00Z, the fixed clock of the tests and vectors. */
export const NOW_MS = Date.UTC(2026, 10, 23, 9, 0, 0);

/** Raw multiaddr bytes of /ip4/203.0.113.7/tcp/41873 and /ip6/2001:db8::7/tcp/41873. */
export const ADDR_IP4 = fromHex('04cb00710706a391');
export const ADDR_IP6 = fromHex('2920010db800000000000000000000000706a391');

/** A libp2p Ed25519 PeerId: identity multihash (0x00, 36) of the protobuf public key (0x08 0x01 0x12 0x20 ‖ key). */
export function fakePeerId(rng: Rng): Uint8Array {
  return concatBytes(fromHex('002408011220'), rng(32));
}

export function locator(rng: Rng, addrs: Uint8Array[] = [ADDR_IP4, ADDR_IP6]): TransportLocator {
  return { peerId: fakePeerId(rng), addrs, mailbox: new Uint8Array(0) };
}

export interface Parties {
  readonly rng: Rng;
  readonly inviterIdentity: Identity;
  readonly joinerIdentity: Identity;
  readonly invite: Invite;
  readonly inviterInvite: InviterInvite;
  readonly joinerLocator: TransportLocator;
}

export function parties(label: string, o: { inviterName?: string; joinerName?: string } = {}): Parties {
  const rng = createLabelledDrbg(`pvt tests: ${label}`);
  const inviterIdentity = generateIdentity({
    displayName: o.inviterName ?? 'Ines Inviter',
    nowMs: NOW_MS,
    rng,
  });
  const joinerIdentity = generateIdentity({ displayName: o.joinerName ?? 'Jo Joiner', nowMs: NOW_MS, rng });
  const inviterLocator = locator(rng);
  const invite = createInvite({ inviter: inviterLocator, nowMs: NOW_MS, rng });
  return {
    rng,
    inviterIdentity,
    joinerIdentity,
    invite,
    inviterInvite: { invite, identity: inviterIdentity, locator: inviterLocator },
    joinerLocator: locator(rng, [ADDR_IP6]),
  };
}

export interface Transcript {
  readonly msg1: Uint8Array;
  readonly msg2: Uint8Array;
  readonly msg3: Uint8Array;
  readonly msg4: Uint8Array;
  readonly j1: JoinerAwaitingResponse;
  readonly j2: JoinerReadyToReveal;
  readonly j3: JoinerAwaitingConfirm;
  readonly i1: InviterReceivedRequest;
  readonly i2: InviterAwaitingReveal;
  readonly i3: InviterRevealed;
  readonly joiner: JoinResult;
  readonly inviter: JoinResult;
}

/** Runs a complete join between the two parties, both in this thread. */
/** `backend`: the joiner's KEM backend (noble by default: deterministic transcripts). */
export function runJoin(
  p: Parties,
  o: { replyTo?: Uint8Array; nowMs?: number; backend?: CryptoBackend } = {},
): Transcript {
  const nowMs = o.nowMs ?? NOW_MS;
  const { state: j1, message: msg1 } = createJoinRequest({
    invite: p.invite,
    identity: p.joinerIdentity,
    locator: p.joinerLocator,
    ...(o.replyTo === undefined ? {} : { replyTo: o.replyTo }),
    nowMs,
    rng: p.rng,
  });
  const i1 = consumeJoinRequest(p.inviterInvite, msg1, nowMs);
  const { state: i2, message: msg2 } = createInviterResponse(i1, p.rng);
  const j2 = consumeInviterResponse(j1, msg2);
  const { state: j3, message: msg3 } = createJoinerReveal(j2, p.rng, { backend: o.backend ?? nobleBackend });
  const i3 = consumeJoinerReveal(i2, msg3, nowMs);
  const { message: msg4, result: inviter } = createInviterConfirm(i3, p.rng);
  const joiner = consumeInviterConfirm(j3, msg4);
  return { msg1, msg2, msg3, msg4, j1, j2, j3, i1, i2, i3, joiner, inviter };
}

/**
 * The two halves of a DH ratchet step and the symmetric skip, as pure functions from state to state:
 * `sendStep` (new DH key; encapsulate to the peer's ML-KEM key, or publish a fresh one) and `receiveStep`
 * (the peer's new DH key; decapsulate, or store the peer's fresh ML-KEM key). The KEM alternation that
 * mixes an ML-KEM secret into every second step lives here. Knows state, not wire bytes.
 */
import type { DhPublicKey } from '../../crypto/backend.ts';
import type { Rng } from '../../crypto/bytes.ts';
import { RATCHET_MAX_FORWARD_JUMP } from '../constants.ts';
import { MalformedRatchetMessageError, RatchetSkipLimitError } from '../errors.ts';
import { encodeKemField, type RatchetHeader } from './header.ts';
import { chainKdf, kemFieldKey, rootKdf } from './kdf.ts';
import {
  type ChainKem,
  KEM_KIND_CIPHERTEXT,
  KEM_KIND_PUBLIC_KEY,
  type RatchetState,
  type ReceivingChain,
  type SendingChain,
  type SkippedKey,
} from './state.ts';

/** KEM counters after a step: `mixed` says whether this step folded an ML-KEM secret into the root key. */
function countStep(state: RatchetState, mixed: boolean) {
  const dhSteps = state.dhSteps + 1;
  return {
    dhSteps,
    kemSteps: mixed ? state.kemSteps + 1 : state.kemSteps,
    lastKemStep: mixed ? dhSteps : state.lastKemStep,
  };
}

/** A sending chain with its derived KEM-field key and plaintext. */
export function sendingChain(chainKey: Uint8Array, headerKey: Uint8Array, kem: ChainKem): SendingChain {
  return {
    chainKey,
    headerKey,
    kem,
    kemFieldKey: kemFieldKey(headerKey),
    kemField: encodeKemField(kem.kind, kem.bytes),
  };
}

/**
 * Starts a new sending chain: fresh X25519 key, DH with the peer's current key, and either a ciphertext to
 * the peer's pending ML-KEM key (the secret joins the root KDF) or a fresh ML-KEM key for the peer's next
 * step. Requires `dhRemote`.
 */
export function sendStep(state: RatchetState, rng: Rng, dhRemote: DhPublicKey): RatchetState {
  const { backend } = state;
  const dhSelf = backend.dhGenerate(rng);
  const dhOutput = backend.dh(dhSelf.privateKey, dhRemote);
  let kem: ChainKem;
  let kemSecret: Uint8Array | undefined;
  let kemSelf = state.kemSelf;
  if (state.kemRemote !== undefined) {
    const encapsulation = backend.kemEncapsulate(state.kemRemote, rng);
    kem = { kind: KEM_KIND_CIPHERTEXT, bytes: encapsulation.cipherText };
    kemSecret = encapsulation.sharedSecret;
  } else {
    const pair = backend.kemGenerate(rng);
    kem = { kind: KEM_KIND_PUBLIC_KEY, bytes: pair.publicKey };
    kemSelf = pair.privateKey;
  }
  const root = rootKdf(state.rootKey, dhOutput, kemSecret);
  return {
    ...state,
    ...countStep(state, kemSecret !== undefined),
    rootKey: root.rootKey,
    dhSelf,
    sendChain: sendingChain(root.chainKey, state.nextSendHeaderKey, kem),
    nextSendHeaderKey: root.nextHeaderKey,
    prevSendCount: state.sendCount,
    sendCount: 0,
    kemSelf,
    kemRemote: undefined,
  };
}

/**
 * Accepts the peer's new ratchet key from an authenticated header opened with the next receiving header
 * key: a new receiving chain, and our next message will take a send step. Enforces the KEM alternation: a
 * ciphertext only when we published a key, a key only when we did not.
 */
export function receiveStep(state: RatchetState, header: RatchetHeader, kem: Uint8Array): RatchetState {
  const { backend } = state;
  if (state.dhSelf === undefined)
    throw new MalformedRatchetMessageError('a new ratchet key before our first one');
  let kemSecret: Uint8Array | undefined;
  let kemSelf = state.kemSelf;
  let kemRemote = state.kemRemote;
  if (header.kemKind === KEM_KIND_CIPHERTEXT) {
    if (kemSelf === undefined)
      throw new MalformedRatchetMessageError('a KEM ciphertext where a KEM key was due');
    kemSecret = backend.kemDecapsulate(kemSelf, kem);
    kemSelf = undefined;
  } else {
    if (kemSelf !== undefined || kemRemote !== undefined) {
      throw new MalformedRatchetMessageError('a KEM key where a KEM ciphertext was due');
    }
    try {
      kemRemote = backend.kemImportPublic(kem);
    } catch {
      throw new MalformedRatchetMessageError('invalid ML-KEM-768 encapsulation key');
    }
  }
  const dhRemote: DhPublicKey = { bytes: header.dhPublic, native: undefined };
  let dhOutput: Uint8Array;
  try {
    dhOutput = backend.dh(state.dhSelf.privateKey, dhRemote);
  } catch {
    throw new MalformedRatchetMessageError('invalid X25519 ratchet key');
  }
  const root = rootKdf(state.rootKey, dhOutput, kemSecret);
  return {
    ...state,
    ...countStep(state, kemSecret !== undefined),
    rootKey: root.rootKey,
    dhRemote,
    recvChain: { chainKey: root.chainKey, headerKey: state.nextRecvHeaderKey },
    recvCount: 0,
    nextRecvHeaderKey: root.nextHeaderKey,
    sendChain: undefined,
    kemSelf,
    kemRemote,
  };
}

/**
 * The skip work a caller allows: `remaining` message keys may still be derived for skipped messages. The
 * one mutable parameter of the ratchet: it is spent by work done, whether the decryption then succeeds
 * or not (a contact must not be able to make us derive keys for free with messages that fail later).
 */
export interface SkipBudget {
  remaining: number;
}

/**
 * Advances a receiving chain from `from` to `until`, returning the skipped keys; refuses jumps longer than
 * RATCHET_MAX_FORWARD_JUMP or than the budget's remaining keys (RatchetSkipLimitError, nothing spent).
 */
export function skipKeys(
  chain: ReceivingChain,
  from: number,
  until: number,
  budget?: SkipBudget,
): { chain: ReceivingChain; skipped: SkippedKey[] } {
  if (until <= from) return { chain, skipped: [] };
  if (until - from > RATCHET_MAX_FORWARD_JUMP)
    throw new RatchetSkipLimitError(until - from, RATCHET_MAX_FORWARD_JUMP);
  if (budget !== undefined && until - from > budget.remaining)
    throw new RatchetSkipLimitError(until - from, Math.max(0, Math.floor(budget.remaining)));
  if (budget !== undefined) budget.remaining -= until - from;
  const skipped: SkippedKey[] = [];
  let chainKey = chain.chainKey;
  for (let n = from; n < until; n++) {
    const next = chainKdf(chainKey);
    skipped.push({ headerKey: chain.headerKey, n, messageKey: next.messageKey });
    chainKey = next.chainKey;
  }
  return { chain: { ...chain, chainKey }, skipped };
}

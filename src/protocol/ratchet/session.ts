/**
 * The PQ double ratchet's public operations (docs/protocol/ratchet.md): `initSession` from the handshake's
 * SessionSeed, `ratchetEncrypt`, `ratchetDecrypt`. Each takes a state and returns a new one; a failure
 * throws a named ProtocolError and the caller's state is untouched (nothing is mutated in place, except
 * backend key caches that do not change what a key is). Knows the algorithm, not storage or transport.
 */
import type { CryptoBackend } from '../../crypto/backend.ts';
import { assertBytes, concatBytes, type Rng } from '../../crypto/bytes.ts';
import { aeadOpen, aeadSeal, xchacha20Xor } from '../../crypto/primitives.ts';
import {
  RATCHET_AD_BYTES,
  RATCHET_KEM_PUBLIC_BYTES,
  RATCHET_KEM_SEED_BYTES,
  RATCHET_KEY_BYTES,
  RATCHET_MAX_CHAIN_INDEX,
  RATCHET_MAX_PLAINTEXT_BYTES,
  RATCHET_NONCE_BYTES,
  RATCHET_TAG_BYTES,
} from '../constants.ts';
import {
  MalformedRatchetMessageError,
  RatchetBodyAuthError,
  RatchetCounterOverflowError,
  RatchetHeaderAuthError,
  RatchetNotReadyError,
  RatchetReplayError,
} from '../errors.ts';
import type { SessionSeed } from '../session-seed.ts';
import { decodeHeader, decodeKemField, encodeHeader, type RatchetHeader } from './header.ts';
import { chainKdf, kemFieldKey } from './kdf.ts';
import { assembleMessage, headerAssociatedData, type MessageParts, splitMessage } from './message.ts';
import { addSkipped, findSkipped, removeSkipped, sameKey, skippedHeaderKeys } from './skipped.ts';
import type { RatchetState } from './state.ts';
import { receiveStep, type SkipBudget, sendStep, skipKeys } from './steps.ts';

export interface RatchetOptions {
  /**
   * Asymmetric backend, chosen by the caller (the launcher picks node:crypto when available, else noble;
   * vectors use `nobleBackend`). Never implied: a run is reproducible from its inputs.
   */
  readonly backend: CryptoBackend;
}

function copyKey(name: string, value: unknown, length: number): Uint8Array {
  assertBytes(name, value, length);
  return Uint8Array.from(value);
}

function assertRng(rng: unknown): asserts rng is Rng {
  if (typeof rng !== 'function') throw new TypeError(`"rng" expected function, got ${typeof rng}`);
}

function assertState(state: unknown): asserts state is RatchetState {
  if (typeof state !== 'object' || state === null || !('rootKey' in state) || !('backend' in state)) {
    throw new TypeError(`"state" expected RatchetState, got ${state === null ? 'null' : typeof state}`);
  }
}

/**
 * Starts a session from the handshake's SessionSeed. Alice takes her first send step now (she holds bob's
 * initial ratchet keys, so her first chain already mixes an ML-KEM secret); bob waits for her first message.
 * The seed's bytes are copied: the caller may wipe it afterwards.
 */
export function initSession(seed: SessionSeed, rng: Rng, options: RatchetOptions): RatchetState {
  if (typeof seed !== 'object' || seed === null)
    throw new TypeError(`"seed" expected SessionSeed, got ${seed}`);
  assertRng(rng);
  const backend = options?.backend;
  if (typeof backend !== 'object' || backend === null)
    throw new TypeError(`"options.backend" expected CryptoBackend, got ${typeof backend}`);
  const rootKey = copyKey('seed.rootKey', seed.rootKey, RATCHET_KEY_BYTES);
  const headerKeyAlice = copyKey('seed.headerKeyAlice', seed.headerKeyAlice, RATCHET_KEY_BYTES);
  const nextHeaderKeyBob = copyKey('seed.nextHeaderKeyBob', seed.nextHeaderKeyBob, RATCHET_KEY_BYTES);
  const associatedData = copyKey('seed.associatedData', seed.associatedData, RATCHET_AD_BYTES);
  const common = {
    backend,
    associatedData,
    rootKey,
    sendChain: undefined,
    sendCount: 0,
    prevSendCount: 0,
    recvChain: undefined,
    recvCount: 0,
    dhSteps: 0,
    kemSteps: 0,
    lastKemStep: 0,
    skipped: [],
  } as const;
  const ratchet = seed.bobRatchet;
  if (seed.role === 'alice') {
    if (ratchet?.kind !== 'remote') {
      throw new TypeError(`"seed.bobRatchet.kind" expected 'remote' for alice, got ${ratchet?.kind}`);
    }
    const dhRemote = {
      bytes: copyKey('seed.bobRatchet.dhPublic', ratchet.dhPublic, RATCHET_KEY_BYTES),
      native: undefined,
    };
    let kemRemote: RatchetState['kemRemote'];
    try {
      kemRemote = backend.kemImportPublic(
        copyKey('seed.bobRatchet.kemPublic', ratchet.kemPublic, RATCHET_KEM_PUBLIC_BYTES),
      );
    } catch (error) {
      if (error instanceof TypeError) throw error;
      throw new RangeError('"seed.bobRatchet.kemPublic" expected a valid ML-KEM-768 encapsulation key');
    }
    const initial: RatchetState = {
      ...common,
      role: 'alice',
      dhSelf: undefined,
      dhRemote,
      nextSendHeaderKey: headerKeyAlice,
      nextRecvHeaderKey: nextHeaderKeyBob,
      kemSelf: undefined,
      kemRemote,
    };
    return sendStep(initial, rng, dhRemote);
  }
  if (seed.role !== 'bob')
    throw new TypeError(`"seed.role" expected 'alice' or 'bob', got ${String(seed.role)}`);
  if (ratchet?.kind !== 'own')
    throw new TypeError(`"seed.bobRatchet.kind" expected 'own' for bob, got ${ratchet?.kind}`);
  return {
    ...common,
    role: 'bob',
    dhSelf: {
      privateKey: {
        secret: copyKey('seed.bobRatchet.dhSecret', ratchet.dhSecret, RATCHET_KEY_BYTES),
        native: undefined,
      },
      publicKey: copyKey('seed.bobRatchet.dhPublic', ratchet.dhPublic, RATCHET_KEY_BYTES),
    },
    dhRemote: undefined,
    nextSendHeaderKey: nextHeaderKeyBob,
    nextRecvHeaderKey: headerKeyAlice,
    kemSelf: {
      seed: copyKey('seed.bobRatchet.kemSeed', ratchet.kemSeed, RATCHET_KEM_SEED_BYTES),
      expanded: undefined,
      native: undefined,
    },
    kemRemote: undefined,
  };
}

export interface EncryptResult {
  readonly state: RatchetState;
  /** The wire message: RATCHET_MESSAGE_OVERHEAD_BYTES + plaintext length. */
  readonly message: Uint8Array;
}

/** Encrypts one plaintext (a padded payload). Takes a DH(+KEM) step first when one is due. */
export function ratchetEncrypt(state: RatchetState, plaintext: Uint8Array, rng: Rng): EncryptResult {
  assertState(state);
  assertBytes('plaintext', plaintext);
  assertRng(rng);
  if (plaintext.length > RATCHET_MAX_PLAINTEXT_BYTES) {
    throw new RangeError(
      `"plaintext" expected at most ${RATCHET_MAX_PLAINTEXT_BYTES} bytes, got ${plaintext.length}`,
    );
  }
  let current = state;
  if (current.sendChain === undefined) {
    if (current.dhRemote === undefined) throw new RatchetNotReadyError();
    current = sendStep(current, rng, current.dhRemote);
  }
  const chain = current.sendChain;
  const dhSelf = current.dhSelf;
  if (chain === undefined || dhSelf === undefined) throw new RatchetNotReadyError();
  const n = current.sendCount;
  if (n >= RATCHET_MAX_CHAIN_INDEX) throw new RatchetCounterOverflowError();
  const { chainKey, messageKey } = chainKdf(chain.chainKey);
  const header = encodeHeader({
    kemKind: chain.kem.kind,
    dhPublic: dhSelf.publicKey,
    pn: current.prevSendCount,
    n,
  });
  const nonce = rng(RATCHET_NONCE_BYTES);
  assertBytes('rng output', nonce, RATCHET_NONCE_BYTES);
  const sealedHeader = aeadSeal(chain.headerKey, nonce, header, headerAssociatedData(current.associatedData));
  const kemField = xchacha20Xor(chain.kemFieldKey, nonce, chain.kemField);
  const { message, prefix } = assembleMessage(
    nonce,
    sealedHeader,
    kemField,
    plaintext.length + RATCHET_TAG_BYTES,
  );
  const body = aeadSeal(messageKey, nonce, plaintext, bodyAssociatedData(current.associatedData, prefix));
  message.set(body, prefix.length);
  return { state: { ...current, sendChain: { ...chain, chainKey }, sendCount: n + 1 }, message };
}

export interface DecryptResult {
  readonly state: RatchetState;
  readonly plaintext: Uint8Array;
}

/** Body associated data: session AD ‖ everything before the body. */
function bodyAssociatedData(associatedData: Uint8Array, prefix: Uint8Array): Uint8Array {
  return concatBytes(associatedData, prefix);
}

function openBody(state: RatchetState, parts: MessageParts, messageKey: Uint8Array): Uint8Array {
  const plaintext = aeadOpen(
    messageKey,
    parts.nonce,
    parts.sealedBody,
    bodyAssociatedData(state.associatedData, parts.prefix),
  );
  if (plaintext === null) throw new RatchetBodyAuthError();
  return plaintext;
}

/** A message of the current receiving chain: a stored skipped key, or forward along the chain. */
function decryptCurrent(
  state: RatchetState,
  parts: MessageParts,
  header: RatchetHeader,
  budget: SkipBudget | undefined,
): DecryptResult {
  const chain = state.recvChain;
  if (chain === undefined) throw new RatchetHeaderAuthError();
  if (header.n < state.recvCount) return decryptSkipped(state, parts, chain.headerKey, header);
  if (state.dhRemote !== undefined && !sameKey(header.dhPublic, state.dhRemote.bytes)) {
    throw new MalformedRatchetMessageError('ratchet key differs from the one of its chain');
  }
  const skip = skipKeys(chain, state.recvCount, header.n, budget);
  const { chainKey, messageKey } = chainKdf(skip.chain.chainKey);
  const plaintext = openBody(state, parts, messageKey);
  return {
    state: {
      ...state,
      recvChain: { ...chain, chainKey },
      recvCount: header.n + 1,
      skipped: addSkipped(state.skipped, skip.skipped),
    },
    plaintext,
  };
}

/** A message whose key was stored when it was skipped; a missing key means it was already received. */
function decryptSkipped(
  state: RatchetState,
  parts: MessageParts,
  headerKey: Uint8Array,
  header: RatchetHeader,
): DecryptResult {
  const index = findSkipped(state.skipped, headerKey, header.n);
  if (index < 0) throw new RatchetReplayError(header.n);
  const entry = state.skipped[index];
  if (entry === undefined) throw new RatchetReplayError(header.n);
  const plaintext = openBody(state, parts, entry.messageKey);
  return { state: { ...state, skipped: removeSkipped(state.skipped, index) }, plaintext };
}

/** The first message seen of the peer's next chain: finish the old chain up to PN, then a receive step. */
function decryptNewChain(
  state: RatchetState,
  parts: MessageParts,
  header: RatchetHeader,
  budget: SkipBudget | undefined,
): DecryptResult {
  let skipped = state.skipped;
  if (state.recvChain !== undefined) {
    const rest = skipKeys(state.recvChain, state.recvCount, header.pn, budget);
    skipped = addSkipped(skipped, rest.skipped);
  }
  const kemField = xchacha20Xor(kemFieldKey(state.nextRecvHeaderKey), parts.nonce, parts.kemField);
  const stepped = receiveStep({ ...state, skipped }, header, decodeKemField(header.kemKind, kemField));
  const chain = stepped.recvChain;
  if (chain === undefined) throw new RatchetHeaderAuthError();
  const skip = skipKeys(chain, 0, header.n, budget);
  const { chainKey, messageKey } = chainKdf(skip.chain.chainKey);
  const plaintext = openBody(stepped, parts, messageKey);
  return {
    state: {
      ...stepped,
      recvChain: { ...chain, chainKey },
      recvCount: header.n + 1,
      skipped: addSkipped(stepped.skipped, skip.skipped),
    },
    plaintext,
  };
}

/**
 * Decrypts one wire message. Header keys are tried in order: the current receiving chain's and the next
 * chain's (next first when we have stepped since the peer last did), then the chains that still hold
 * skipped keys (newest first). Throws UnsupportedRatchetVersionError,
 * MalformedRatchetMessageError, RatchetHeaderAuthError, RatchetBodyAuthError, RatchetReplayError or
 * RatchetSkipLimitError; on any of them the given state is unchanged. `options.skipBudget` bounds (and
 * counts) the message keys derived for skipped messages; see SkipBudget.
 */
export function ratchetDecrypt(
  state: RatchetState,
  message: Uint8Array,
  options: { readonly skipBudget?: SkipBudget } = {},
): DecryptResult {
  const budget = options.skipBudget;
  assertState(state);
  assertBytes('message', message);
  const parts = splitMessage(message);
  const aad = headerAssociatedData(state.associatedData);
  const open = (headerKey: Uint8Array): RatchetHeader | undefined => {
    const plain = aeadOpen(headerKey, parts.nonce, parts.sealedHeader, aad);
    return plain === null ? undefined : decodeHeader(plain);
  };
  const current = state.recvChain?.headerKey;
  // After our own step the peer most likely answers in its next chain: try that key first (saves a trial).
  const nextFirst = state.sendChain !== undefined || current === undefined;
  if (nextFirst) {
    const header = open(state.nextRecvHeaderKey);
    if (header !== undefined) return decryptNewChain(state, parts, header, budget);
  }
  if (current !== undefined) {
    const header = open(current);
    if (header !== undefined) return decryptCurrent(state, parts, header, budget);
  }
  if (!nextFirst) {
    const header = open(state.nextRecvHeaderKey);
    if (header !== undefined) return decryptNewChain(state, parts, header, budget);
  }
  for (const headerKey of skippedHeaderKeys(state.skipped)) {
    if (current !== undefined && sameKey(headerKey, current)) continue;
    const header = open(headerKey);
    if (header !== undefined) return decryptSkipped(state, parts, headerKey, header);
  }
  throw new RatchetHeaderAuthError();
}

/** Observable counters of a session (for status output, tests and the KEM-cadence proof). */
export function ratchetCounters(state: RatchetState): {
  dhSteps: number;
  kemSteps: number;
  lastKemStep: number;
  skippedKeys: number;
  sendCount: number;
  recvCount: number;
} {
  assertState(state);
  return {
    dhSteps: state.dhSteps,
    kemSteps: state.kemSteps,
    lastKemStep: state.lastKemStep,
    skippedKeys: state.skipped.length,
    sendCount: state.sendCount,
    recvCount: state.recvCount,
  };
}

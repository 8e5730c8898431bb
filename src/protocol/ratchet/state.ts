/**
 * The in-memory form of a PQ double-ratchet session (docs/protocol/ratchet.md, "State"). Immutable by
 * convention: every step builds a new object and shares unchanged parts, so a failed decrypt simply drops
 * its working copy and the caller's state is untouched. Key handles carry the backend's cached native keys.
 * Knows the shape of a session, not how messages are built or stored.
 */
import type {
  CryptoBackend,
  DhPrivateKey,
  DhPublicKey,
  KemPrivateKey,
  KemPublicKey,
} from '../../crypto/backend.ts';

/** KEM field kind of a header: a ciphertext to the peer's last encapsulation key, or a fresh key. */
export const KEM_KIND_CIPHERTEXT = 1;
export const KEM_KIND_PUBLIC_KEY = 2;
export type KemKind = typeof KEM_KIND_CIPHERTEXT | typeof KEM_KIND_PUBLIC_KEY;

/** The PQ part every header of one sending chain carries. */
export interface ChainKem {
  readonly kind: KemKind;
  /** 1,088-byte ciphertext or 1,184-byte encapsulation key. */
  readonly bytes: Uint8Array;
}

export interface OwnDhKey {
  readonly privateKey: DhPrivateKey;
  readonly publicKey: Uint8Array;
}

export interface SendingChain {
  readonly chainKey: Uint8Array;
  readonly headerKey: Uint8Array;
  readonly kem: ChainKem;
  /** Derived from headerKey (not stored): the XChaCha20 key of the KEM field. */
  readonly kemFieldKey: Uint8Array;
  /** Derived from kem (not stored): the 1,184-byte KEM field plaintext every message of the chain carries. */
  readonly kemField: Uint8Array;
}

export interface ReceivingChain {
  readonly chainKey: Uint8Array;
  readonly headerKey: Uint8Array;
}

/** A message key kept for a message that has not arrived yet. */
export interface SkippedKey {
  readonly headerKey: Uint8Array;
  readonly n: number;
  readonly messageKey: Uint8Array;
}

export interface RatchetState {
  readonly backend: CryptoBackend;
  readonly role: 'alice' | 'bob';
  readonly associatedData: Uint8Array;
  readonly rootKey: Uint8Array;
  /** Our current ratchet key pair (undefined for alice before her first message). */
  readonly dhSelf: OwnDhKey | undefined;
  /** The peer's current ratchet public key (undefined for bob before the first message arrives). */
  readonly dhRemote: DhPublicKey | undefined;
  /** Undefined when the next message must start a new DH (+KEM) step. */
  readonly sendChain: SendingChain | undefined;
  /** Ns: messages sent in the current sending chain. */
  readonly sendCount: number;
  /** PN: messages sent in the previous sending chain. */
  readonly prevSendCount: number;
  readonly nextSendHeaderKey: Uint8Array;
  readonly recvChain: ReceivingChain | undefined;
  /** Nr: next message number expected in the current receiving chain. */
  readonly recvCount: number;
  readonly nextRecvHeaderKey: Uint8Array;
  /** Our decapsulation key, published in our current sending chain and awaiting the peer's ciphertext. */
  readonly kemSelf: KemPrivateKey | undefined;
  /** The peer's encapsulation key, to encapsulate to at our next step. */
  readonly kemRemote: KemPublicKey | undefined;
  /** DH ratchet steps so far in the session (both directions; equal on both sides once in sync). */
  readonly dhSteps: number;
  /** Steps that mixed an ML-KEM shared secret into the root key. */
  readonly kemSteps: number;
  /** The step that last mixed an ML-KEM secret (0: only the handshake's). */
  readonly lastKemStep: number;
  /** Skipped message keys, oldest first. */
  readonly skipped: readonly SkippedKey[];
}

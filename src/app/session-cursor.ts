/**
 * The session as a Peer's transaction step sees it (docs/messaging.md, "The transaction convention"):
 * a tentative ratchet state that encrypt/decrypt replace (nothing is mutated), and which becomes the
 * Peer's only after the step's transaction committed. Owns that tentative state and the step's outcome
 * type; knows nothing about storage, the queue or when a step runs (that is `Peer.advance`).
 */
import type { Rng } from '../crypto/bytes.ts';
import {
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
  type SkipBudget,
} from '../protocol/ratchet/index.ts';
import type { SkipAllowance } from './skip-budget.ts';

/** The session as a step sees it: a tentative state that only becomes the Peer's after the commit. */
export class SessionCursor {
  #state: RatchetState;
  #changed = false;
  readonly #rng: Rng;

  readonly #skip: SkipAllowance | undefined;

  constructor(state: RatchetState, rng: Rng, skip?: SkipAllowance) {
    this.#state = state;
    this.#rng = rng;
    this.#skip = skip;
  }

  get state(): RatchetState {
    return this.#state;
  }

  get changed(): boolean {
    return this.#changed;
  }

  /** Whether the session can encrypt now (bob cannot before alice's first message). */
  get canSend(): boolean {
    return this.#state.sendChain !== undefined || this.#state.dhRemote !== undefined;
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    const { state, message } = ratchetEncrypt(this.#state, plaintext, this.#rng);
    this.#state = state;
    this.#changed = true;
    return message;
  }

  /** Decrypts; a failure throws and leaves the tentative state as it was. */
  decrypt(message: Uint8Array): Uint8Array {
    const decrypt = (skipBudget?: SkipBudget) =>
      ratchetDecrypt(this.#state, message, skipBudget ? { skipBudget } : {});
    const { state, plaintext } = this.#skip ? this.#skip.spend(decrypt) : decrypt();
    this.#state = state;
    this.#changed = true;
    return plaintext;
  }
}

/** What a step returns: its result, and what to do in memory once its transaction committed. */
export interface StepOutcome<T> {
  readonly result: T;
  readonly applied?: () => void;
}

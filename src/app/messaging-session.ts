/**
 * Ratchet sessions of contacts, cached in memory over their sealed rows. The rule that keeps a kill -9
 * harmless: an operation computes a new state (`ratchetEncrypt`/`ratchetDecrypt` never mutate the old
 * one), the caller writes it with `saveInTx` inside the transaction that stores what the step produced
 * or consumed, and only after that commit does `commit` make it the cached state. A failed transaction
 * leaves both disk and cache at the old state.
 */
import type { Rng } from '../crypto/bytes.ts';
import {
  deserializeState,
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
  serializeState,
} from '../protocol/ratchet/index.ts';
import type { ContactsStore } from '../store/contacts-store.ts';
import { SkipBudgets } from './skip-budget.ts';

export class Sessions {
  readonly #store: ContactsStore;
  readonly #cache = new Map<string, RatchetState>();
  readonly #skipBudgets = new SkipBudgets();

  constructor(store: ContactsStore) {
    this.#store = store;
  }

  get(contactId: string): RatchetState {
    let state = this.#cache.get(contactId);
    if (state === undefined) {
      state = deserializeState(this.#store.session(contactId));
      this.#cache.set(contactId, state);
    }
    return state;
  }

  /** Whether the session can encrypt now (bob cannot before alice's first message). */
  canSend(contactId: string): boolean {
    const s = this.get(contactId);
    return s.sendChain !== undefined || s.dhRemote !== undefined;
  }

  encrypt(contactId: string, plaintext: Uint8Array, rng: Rng): { state: RatchetState; message: Uint8Array } {
    return ratchetEncrypt(this.get(contactId), plaintext, rng);
  }

  /** Decrypts; the skip work is charged to the contact's SkipBudgets (bounded per minute). */
  decrypt(contactId: string, message: Uint8Array): { state: RatchetState; plaintext: Uint8Array } {
    return this.#skipBudgets.spend(contactId, (skipBudget) =>
      ratchetDecrypt(this.get(contactId), message, { skipBudget }),
    );
  }

  /** Writes `state` for the contact; call inside the transaction that stores the step's effect. */
  saveInTx(contactId: string, state: RatchetState): void {
    this.#store.setSession(contactId, serializeState(state));
  }

  /** After the commit: `state` becomes the session. */
  commit(contactId: string, state: RatchetState): void {
    this.#cache.set(contactId, state);
  }

  forget(contactId: string): void {
    this.#cache.delete(contactId);
  }
}

/**
 * Contacts in memory, backed by the contacts store: lookup by local name, id or transport PeerId (the
 * chat gate asks here), unique-name rules, rename/remove/verify, and the ContactView the API returns.
 * Writes that must be atomic with other rows (a new contact and its conversation, a consumed invite)
 * are done by the caller in one transaction through `insertInTx`; `commit` then updates the cache.
 */
import { identityFingerprint } from '../protocol/identity.ts';
import type { ChatStore } from '../store/chat-store.ts';
import type {
  ContactRow,
  ContactsStore,
  ContactTransport,
  ContactVerification,
} from '../store/contacts-store.ts';
import type { SqlAccess } from '../store/sql-access.ts';
import { mixesScripts, nameProblem, nameSkeleton } from '../text/names.ts';
import type { ContactView, PathBadge } from './api.ts';
import { MAX_CONTACT_NAME_CHARS } from './constants.ts';
import {
  ContactNameTakenError,
  ContactNotFoundError,
  InvalidContactNameError,
  UnknownContactIdError,
} from './messaging-errors.ts';

/** A trimmed, valid contact name (src/text/names.ts rules), or InvalidContactNameError. */
export function checkContactName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`"name" expected string, got ${typeof name}`);
  const trimmed = name.trim();
  const problem = nameProblem(trimmed);
  if (problem !== undefined) throw new InvalidContactNameError(problem);
  return trimmed;
}

/**
 * Names compare by what they look like (NFKC, case, Cyrillic/Greek look-alikes), so "Bob", "bob" and
 * Cyrillic "Вob" cannot all exist.
 */
function key(name: string): string {
  return nameSkeleton(name);
}

export class Contacts {
  readonly #store: ContactsStore;
  readonly #chat: ChatStore;
  readonly #sql: SqlAccess;
  readonly #byId = new Map<string, ContactRow>();
  readonly #byPeer = new Map<string, string>();

  constructor(store: ContactsStore, chat: ChatStore, sql: SqlAccess) {
    this.#store = store;
    this.#chat = chat;
    this.#sql = sql;
    for (const row of store.all()) this.#cache(row);
  }

  list(): ContactRow[] {
    return [...this.#byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  byId(id: string): ContactRow | undefined {
    return this.#byId.get(id);
  }

  byPeer(peerId: string): ContactRow | undefined {
    const id = this.#byPeer.get(peerId);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** The contact with this id, or UnknownContactIdError. */
  require(id: string): ContactRow {
    if (typeof id !== 'string') throw new TypeError(`"id" expected string, got ${typeof id}`);
    const row = this.#byId.get(id);
    if (!row) throw new UnknownContactIdError(id);
    return row;
  }

  isContactPeer(peerId: string): boolean {
    return this.#byPeer.has(peerId);
  }

  byName(name: string): ContactRow {
    if (typeof name !== 'string') throw new TypeError(`"name" expected string, got ${typeof name}`);
    const k = key(name.trim());
    for (const row of this.#byId.values()) if (key(row.name) === k) return row;
    throw new ContactNotFoundError(name);
  }

  nameTaken(name: string, exceptId?: string): boolean {
    const k = key(name);
    for (const row of this.#byId.values()) if (row.id !== exceptId && key(row.name) === k) return true;
    return false;
  }

  /**
   * `base` when free, else "base (2)", "base (3)", … (for names announced by peers). An announced name
   * that breaks the name rules becomes "contact"; one that mixes Latin with Cyrillic or Greek letters
   * is flagged "(mixed scripts)", so a look-alike of a contact's name can never pass for it.
   */
  uniqueName(base: string): string {
    let candidate = base.trim();
    if (nameProblem(candidate) !== undefined) candidate = 'contact';
    if (mixesScripts(candidate))
      candidate = `${[...candidate].slice(0, MAX_CONTACT_NAME_CHARS - 16).join('')} (mixed scripts)`;
    if (!this.nameTaken(candidate)) return candidate;
    for (let i = 2; ; i++) {
      const next = `${[...candidate].slice(0, MAX_CONTACT_NAME_CHARS - 6).join('')} (${i})`;
      if (!this.nameTaken(next)) return next;
    }
  }

  /** The contact row and its conversation; call inside the caller's transaction, then `commit(row)`. */
  insertInTx(row: ContactRow, session: Uint8Array): void {
    this.#chat.ensureConversation(row.id, row.name, row.createdAt);
    this.#store.insert(row, session);
  }

  /**
   * A new join of an unconfirmed contact's identity: new session, peer and transport under the same id
   * (its conversation and whatever waits in its outbox stay), verification back to unverified. In the
   * caller's transaction, then `commit(row)`.
   */
  replaceInTx(row: ContactRow, session: Uint8Array): void {
    this.#store.setSession(row.id, session);
    this.#store.setPeer(row.id, row.peer);
    this.#store.setTransport(row.id, row.transport);
    this.#store.setVerification(row.id, row.verification);
    this.#store.setSas(row.id, null);
  }

  commit(row: ContactRow): void {
    this.#cache(row);
  }

  rename(id: string, newName: string): ContactRow {
    const row = this.require(id);
    const name = checkContactName(newName);
    if (this.nameTaken(name, row.id)) throw new ContactNameTakenError(name);
    this.#sql.transaction('renaming a contact', () => {
      this.#store.setName(row.id, name);
      this.#chat.setConversationTitle(row.id, name);
    });
    return this.#cache({ ...row, name });
  }

  setVerification(id: string, verification: ContactVerification): ContactRow {
    const row = this.require(id);
    this.#sql.transaction('verifying a contact', () => {
      this.#store.setVerification(row.id, verification);
      if (verification !== 'unverified') this.#store.setSas(row.id, null);
    });
    return this.#cache({ ...row, verification });
  }

  /** New addresses for a contact; in the caller's transaction, then `commit`. */
  transportInTx(row: ContactRow, transport: ContactTransport): ContactRow {
    this.#store.setTransport(row.id, transport);
    return { ...row, transport };
  }

  /** Keeps the join's SAS (sealed) so it can be compared later, until verify confirms or rejects. */
  rememberSas(id: string, sas: string): void {
    this.#sql.transaction('keeping the SAS', () => this.#store.setSas(id, sas));
  }

  seen(row: ContactRow, atMs: number): ContactRow {
    this.#sql.transaction('noting a contact online', () => this.#store.setLastSeen(row.id, atMs));
    return this.#cache({ ...row, lastSeenAt: atMs });
  }

  remove(id: string): ContactRow {
    const row = this.require(id);
    this.#sql.transaction('removing a contact', () => {
      this.#store.delete(row.id);
      this.#chat.deleteConversation(row.id);
    });
    this.#byId.delete(row.id);
    this.#byPeer.delete(row.transport.peerId);
    return row;
  }

  view(row: ContactRow, path: PathBadge): ContactView {
    return {
      id: row.id,
      name: row.name,
      displayName: row.peer.displayName,
      fingerprint: identityFingerprint(row.peer),
      verification: row.verification,
      path,
      conversationId: row.id,
      addedAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      sas: row.verification === 'unverified' ? this.#store.sas(row.id) : null,
    };
  }

  #cache(row: ContactRow): ContactRow {
    const old = this.#byId.get(row.id);
    if (old && old.transport.peerId !== row.transport.peerId) this.#byPeer.delete(old.transport.peerId);
    this.#byId.set(row.id, row);
    this.#byPeer.set(row.transport.peerId, row.id);
    return row;
  }
}

/**
 * An in-memory PvtApi with contacts for the TUI's component tests: extends the notes-only MemoryPvt
 * with contacts (verification, path badge, unread counts), invites, a scriptable join, verification,
 * rename/remove and sending to a contact, emitting the same events as the core. Tests drive what the
 * other side and the network would do (`addContact`, `receiveFrom`, `setPath`, `setState`) and read what
 * the UI asked for (`calls`). Parameters the base class leaves out are optional here only to satisfy the
 * override rules. Not for production code.
 */
import type {
  ContactView,
  ConversationSummary,
  CreateInviteOptions,
  InviteView,
  JoinOptions,
  JoinResult,
  ListMessagesOptions,
  MessageView,
  NetworkOptions,
  NetworkStatus,
  PathBadge,
  PendingJoinView,
  ProfileLauncher,
  ProfileState,
  Verification,
} from '../../src/app/api.ts';
import { SELF_CONVERSATION } from '../../src/app/api.ts';
import { NAT_OFF } from '../../src/net/nat/status.ts';
import { MemoryPvt } from '../helpers/memory-api.ts';

export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = code;
  }
}

/** A real-looking invite code (the QR code of its upper-case form is a version 5). */
export const SAMPLE_CODE =
  'pvt1qyyxp5h4atny5n7v3ptqe2spdz3kkp2up5qq44qqfhyunm37v6jdcf86d03xtj4c6uefatqgcue7q0numcx8e2gppqz87qqqqyr2lcsqez0jhy';
export const SAMPLE_SAFETY_NUMBER = '12345 67890 11111 22222 33333 44444 55555 66666 77777 88888 99999 00000';

export interface ContactSeed {
  readonly name: string;
  readonly verification?: Verification;
  readonly path?: PathBadge;
  readonly unread?: number;
}

let nextContact = 0;

export class ContactsPvt extends MemoryPvt {
  readonly calls = {
    send: [] as { name: string; text: string }[],
    verify: [] as { name: string; decision: 'confirm' | 'reject' }[],
    rename: [] as { from: string; to: string }[],
    remove: [] as string[],
    join: [] as { code: string; alias: string | undefined }[],
    invite: [] as (CreateInviteOptions | undefined)[],
    markRead: [] as string[],
  };
  /** What `join` does; by default the inviter "Ivy" is added with SAS 314 159. */
  joinImpl: (code: string, options: JoinOptions | undefined) => Promise<JoinResult> = async (_code, o) => {
    const contact = this.addContact({ name: o?.alias ?? 'Ivy' }, '314 159');
    return { contact, sas: '314 159' };
  };
  networkStatus: NetworkStatus = {
    online: true,
    peerId: '12D3KooWTest',
    addresses: ['/ip4/127.0.0.1/tcp/4001'],
    nat: NAT_OFF,
  };
  readonly #contacts: ContactView[] = [];
  readonly #unread = new Map<string, number>();
  readonly #pending = new Map<string, PendingJoinView>();
  /** What `pendingJoins()` answers; by default the joins in progress now. */
  pendingJoinsImpl: () => Promise<PendingJoinView[]> = async () => [...this.#pending.values()];

  constructor(seed: readonly ContactSeed[] = [], notes: readonly string[] = []) {
    super({ profile: 'default', dataDir: '/memory/default', notes });
    for (const s of seed) {
      const c = this.#make(s);
      this.#contacts.push(c);
      this.#unread.set(c.id, s.unread ?? 0);
    }
  }

  #make(s: ContactSeed): ContactView {
    const id = `c${(++nextContact).toString(16).padStart(7, '0')}`;
    return {
      id,
      name: s.name,
      displayName: s.name,
      fingerprint: 'ABCD-EFGH-JKLM-NPQR',
      verification: s.verification ?? 'unverified',
      path: s.path ?? 'offline',
      conversationId: id,
      addedAt: Date.now(),
      lastSeenAt: null,
    };
  }

  #find(name: string): ContactView {
    const c = this.#contacts.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!c) throw new CodedError('ContactNotFound', `no contact named "${name}"`);
    return c;
  }

  /** PvtApi members take the contact id (names are labels). */
  #byId(id: string): ContactView {
    const c = this.#contacts.find((x) => x.id === id);
    if (!c) throw new CodedError('ContactNotFound', `no contact with id ${id}`);
    return c;
  }

  #replace(next: ContactView): ContactView {
    const at = this.#contacts.findIndex((c) => c.id === next.id);
    this.#contacts[at] = next;
    return next;
  }

  #summary(c: ContactView): ConversationSummary {
    return { id: c.id, title: c.name, unread: this.#unread.get(c.id) ?? 0, lastActivityAt: null };
  }

  byName(name: string): ContactView {
    return this.#find(name);
  }

  /** Someone joined (or we joined someone): the contact exists and `contact-added` is emitted. */
  addContact(seed: ContactSeed, sas = '123 456'): ContactView {
    const c = this.#make(seed);
    this.#contacts.push(c);
    this.#unread.set(c.id, 0);
    this.emit({ type: 'contact-added', contact: c, sas });
    return c;
  }

  /** A message from a contact arrives. */
  receiveFrom(name: string, body: string): MessageView {
    const c = this.#find(name);
    const message = this.receive(body, c.id);
    this.#unread.set(c.id, (this.#unread.get(c.id) ?? 0) + 1);
    this.emit({ type: 'conversation-updated', conversation: this.#summary(c) });
    return message;
  }

  setPath(name: string, path: PathBadge): void {
    const c = this.#replace({ ...this.#find(name), path });
    if (path === 'offline') this.emit({ type: 'contact-offline', contact: c });
    else this.emit({ type: 'contact-online', contact: c, path });
  }

  /** An offline join waits (or moves on a step): listed by `pendingJoins()`, `join-pending` emitted. */
  setPending(join: PendingJoinView): void {
    this.#pending.set(join.id, join);
    this.emit({ type: 'join-pending', join });
  }

  /** An offline join ends without a contact (failed, expired): `join-ended`, with why when given. */
  endPending(id: string, failure?: string): void {
    const join = this.#pending.get(id);
    this.#pending.delete(id);
    this.emit({
      type: 'join-ended',
      id,
      ...(failure === undefined ? {} : { failure, ...(join ? { join } : {}) }),
    });
  }

  /** An offline join completes in the background, as the core does it: `contact-added`, then `join-ended`. */
  completePending(id: string, seed: ContactSeed, sas: string): ContactView {
    this.#pending.delete(id);
    const c = this.addContact(seed, sas);
    this.emit({ type: 'join-ended', id });
    return c;
  }

  override async pendingJoins(): Promise<PendingJoinView[]> {
    return this.pendingJoinsImpl();
  }

  setNetwork(status: NetworkStatus): void {
    this.networkStatus = status;
    this.emit({ type: 'network', network: status });
  }

  override async conversations(): Promise<ConversationSummary[]> {
    const own = await super.conversations();
    return [...own, ...this.#contacts.map((c) => this.#summary(c))];
  }

  override async contacts(): Promise<ContactView[]> {
    return this.#contacts.map((c) => ({ ...c }));
  }

  override async contact(id: string): Promise<ContactView> {
    return this.#byId(id);
  }

  override async renameContact(id: string, newName = ''): Promise<ContactView> {
    const old = this.#byId(id);
    const c = this.#replace({ ...old, name: newName });
    this.calls.rename.push({ from: old.name, to: newName });
    this.emit({ type: 'contact-updated', contact: c });
    return c;
  }

  override async removeContact(id: string): Promise<void> {
    const c = this.#byId(id);
    this.#contacts.splice(this.#contacts.indexOf(c), 1);
    this.calls.remove.push(c.name);
    this.emit({ type: 'contact-removed', id: c.id, name: c.name });
  }

  override async verifyContact(id: string, decision: 'confirm' | 'reject' = 'confirm'): Promise<ContactView> {
    const verification: Verification = decision === 'confirm' ? 'verified' : 'rejected';
    const c = this.#replace({ ...this.#byId(id), verification });
    this.calls.verify.push({ name: c.name, decision });
    this.emit({ type: 'contact-updated', contact: c });
    return c;
  }

  override async safetyNumber(id: string): Promise<string> {
    this.#byId(id);
    return SAMPLE_SAFETY_NUMBER;
  }

  override async createInvite(options?: CreateInviteOptions): Promise<InviteView> {
    this.calls.invite.push(options);
    const expiresAt = Math.ceil((Date.now() + (options?.expiresInMs ?? 7 * 86_400_000)) / 1000) * 1000;
    return { code: SAMPLE_CODE, qrText: SAMPLE_CODE.toUpperCase(), expiresAt };
  }

  override async join(code = '', options?: JoinOptions): Promise<JoinResult> {
    this.calls.join.push({ code, alias: options?.alias });
    return this.joinImpl(code, options);
  }

  override async send(id: string, text: string): Promise<MessageView> {
    const c = this.#byId(id);
    if (c.verification === 'rejected') {
      throw new CodedError('ContactRejected', `chat with "${c.name}" is refused`);
    }
    this.calls.send.push({ name: c.name, text });
    return this.addOutgoing(text, 'pending', c.id);
  }

  override async contactMessages(id: string, options?: ListMessagesOptions): Promise<MessageView[]> {
    return this.messages(this.#byId(id).id, options);
  }

  override async markRead(conversationId: string): Promise<void> {
    this.calls.markRead.push(conversationId);
    if (conversationId === SELF_CONVERSATION) return;
    const c = this.#contacts.find((x) => x.id === conversationId);
    if (!c) return;
    this.#unread.set(c.id, 0);
    this.emit({ type: 'conversation-updated', conversation: this.#summary(c) });
  }

  override async network(): Promise<NetworkStatus> {
    return this.networkStatus;
  }

  /** Records the answer (as MemoryPvt does) and reflects it in the NAT status: 'checking' or 'off'. */
  override async setPortMapping(enabled: boolean): Promise<NetworkStatus> {
    this.networkStatus = {
      ...this.networkStatus,
      nat: enabled ? { ...NAT_OFF, state: 'checking' } : NAT_OFF,
    };
    return super.setPortMapping(enabled);
  }
}

/** A launcher whose profile exists (passphrase) and opens to `api`; records the options it was given. */
export function contactsLauncher(
  api: ContactsPvt,
  passphrase = 'correct horse battery staple',
): ProfileLauncher & { readonly opens: { passphrase?: string; network?: NetworkOptions | false }[] } {
  const opens: { passphrase?: string; network?: NetworkOptions | false }[] = [];
  return {
    profile: 'default',
    dataDir: '/memory/default',
    opens,
    async inspect(): Promise<ProfileState> {
      return { state: 'present', keyProtection: 'passphrase' };
    },
    async keychainAvailable() {
      return false;
    },
    async create() {
      throw new CodedError('ProfileExists', 'an identity already exists');
    },
    async open(o) {
      opens.push(o);
      if (o.passphrase !== passphrase) throw new CodedError('WrongPassphrase', 'wrong passphrase');
      return api;
    },
  };
}

/**
 * An in-memory ProfileLauncher and PvtApi for UI component tests (and the tmux dev script): behaves like
 * the real ones at the contract level (typed events, WrongPassphraseError, validation of notes,
 * idempotent close) with no disk, no crypto and a controllable clock. Tests inspect what the UI did
 * (`api.notes`, `launcher.calls`) and inject what the network would deliver (`api.receive`).
 * Not for production code.
 */
import type {
  ContactView,
  ConversationId,
  ConversationSummary,
  InviteView,
  JoinResult,
  ListMessagesOptions,
  MailboxesView,
  MailboxSuggestions,
  MessagePage,
  MessagePageOptions,
  MessageState,
  MessageView,
  NetworkStatus,
  OnionAnswer,
  PendingJoinView,
  ProfileInfo,
  ProfileLauncher,
  ProfileState,
  ProtectionChoice,
  PvtApi,
  PvtEvent,
  SearchOptions,
  SearchResult,
  UiSettings,
} from '../../src/app/api.ts';
import { SELF_CONVERSATION } from '../../src/app/api.ts';
import { DEFAULT_UI_SETTINGS } from '../../src/app/constants.ts';
import { saveUiSetting } from '../../src/app/ui-settings.ts';
import { NAT_OFF } from '../../src/net/nat/status.ts';

export class WrongPassphraseError extends Error {
  readonly code = 'WrongPassphrase';
  constructor() {
    super('wrong passphrase');
    this.name = 'WrongPassphraseError';
  }
}

class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = code;
  }
}

export const MEMORY_MAX_NOTE_BYTES = 8 * 1024;
const SELF_TITLE = 'Note to self';

const delay = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

let idCounter = 0;
const newId = (): string => (++idCounter).toString(16).padStart(32, '0');

export interface MemoryApiOptions {
  readonly displayName?: string;
  readonly fingerprint?: string;
  readonly keyProtection?: 'keychain' | 'passphrase';
  /** Existing self notes, oldest first; a number makes that many ("note 1", "note 2", …). */
  readonly notes?: number | readonly string[];
  /** Other conversations shown in the contacts pane. */
  readonly conversations?: readonly ConversationSummary[];
  /** Clock for new messages; defaults to Date.now. */
  readonly now?: () => number;
  /** Spacing of seeded notes, ending at now(). */
  readonly noteSpacingMs?: number;
}

export class MemoryPvt implements PvtApi {
  readonly info: ProfileInfo;
  /** Bodies passed to sendNote, in call order (accepted ones only). */
  readonly notes: string[] = [];
  /** Every `messages()` call, for asserting what the UI loaded. */
  readonly messageCalls: { conversationId: ConversationId; options: ListMessagesOptions | undefined }[] = [];
  closed = false;
  closeCount = 0;
  readonly #byConversation = new Map<ConversationId, MessageView[]>();
  readonly #conversations: ConversationSummary[];
  readonly #listeners = new Set<(event: PvtEvent) => void>();
  readonly #now: () => number;

  constructor(options: MemoryApiOptions & { profile: string; dataDir: string }) {
    this.#now = options.now ?? Date.now;
    this.info = {
      displayName: options.displayName ?? 'Ada Tester',
      fingerprint: options.fingerprint ?? '3KQ7-9XWA-M2TD-P4FE',
      profile: options.profile,
      dataDir: options.dataDir,
      keyProtection: options.keyProtection ?? 'passphrase',
      createdAt: this.#now(),
    };
    this.#conversations = [
      { id: SELF_CONVERSATION, title: SELF_TITLE, unread: 0, lastActivityAt: null },
      ...(options.conversations ?? []),
    ];
    const seed =
      typeof options.notes === 'number'
        ? Array.from({ length: options.notes }, (_, i) => `note ${i + 1}`)
        : (options.notes ?? []);
    const spacing = options.noteSpacingMs ?? 60_000;
    const end = this.#now();
    seed.forEach((body, i) => {
      this.#append(SELF_CONVERSATION, 'out', body, 'stored', end - (seed.length - i) * spacing);
    });
  }

  #list(id: ConversationId): MessageView[] {
    let list = this.#byConversation.get(id);
    if (!list) {
      list = [];
      this.#byConversation.set(id, list);
    }
    return list;
  }

  #append(
    conversationId: ConversationId,
    direction: 'in' | 'out',
    body: string,
    state: MessageState,
    createdAt: number,
  ): MessageView {
    const list = this.#list(conversationId);
    const message: MessageView = {
      id: newId(),
      conversationId,
      seq: list.length + 1,
      direction,
      body,
      createdAt,
      state,
    };
    list.push(message);
    return message;
  }

  #assertOpen(): void {
    if (this.closed) throw new CodedError('Closed', 'pvt is shutting down');
  }

  /** Delivers an event to subscribers, as the core would. */
  emit(event: PvtEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  /** A message from someone else arrives (in the self conversation unless told otherwise). */
  receive(body: string, conversationId: ConversationId = SELF_CONVERSATION): MessageView {
    const message = this.#append(conversationId, 'in', body, 'delivered', this.#now());
    this.emit({ type: 'message', message });
    return message;
  }

  /** Appends an outgoing message in a given state (e.g. pending) and announces it. */
  addOutgoing(
    body: string,
    state: MessageState,
    conversationId: ConversationId = SELF_CONVERSATION,
  ): MessageView {
    const message = this.#append(conversationId, 'out', body, state, this.#now());
    this.emit({ type: 'message', message });
    return message;
  }

  setState(id: string, state: MessageState, failure?: string): void {
    for (const list of this.#byConversation.values()) {
      const at = list.findIndex((m) => m.id === id);
      if (at !== -1) list[at] = { ...list[at]!, state, ...(failure ? { failure } : {}) };
    }
    this.emit({ type: 'message-state', id, state, ...(failure ? { failure } : {}) });
  }

  listenerCount(): number {
    return this.#listeners.size;
  }

  async profile(): Promise<ProfileInfo> {
    this.#assertOpen();
    return this.info;
  }

  async conversations(): Promise<ConversationSummary[]> {
    this.#assertOpen();
    return this.#conversations.map((c) => ({ ...c }));
  }

  async messages(conversationId: ConversationId, options?: ListMessagesOptions): Promise<MessageView[]> {
    this.#assertOpen();
    this.messageCalls.push({ conversationId, options });
    const limit = options?.limit ?? 200;
    const before = options?.before;
    const list = this.#list(conversationId).filter((m) => before === undefined || m.seq < before);
    return list.slice(-limit);
  }

  async sendNote(text: string): Promise<MessageView> {
    this.#assertOpen();
    if (text.trim() === '') throw new CodedError('EmptyMessage', 'message is empty');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MEMORY_MAX_NOTE_BYTES) {
      throw new CodedError(
        'MessageTooLong',
        `message too long: ${bytes} bytes, the limit is ${MEMORY_MAX_NOTE_BYTES} bytes`,
      );
    }
    this.notes.push(text);
    const message = this.#append(SELF_CONVERSATION, 'out', text, 'stored', this.#now());
    this.emit({ type: 'message', message });
    return message;
  }

  async createInvite(): Promise<InviteView> {
    throw new CodedError('NetworkOff', 'the memory API has no network');
  }

  async join(): Promise<JoinResult> {
    throw new CodedError('NetworkOff', 'the memory API has no network');
  }

  async pendingJoins(): Promise<PendingJoinView[]> {
    return [];
  }

  async contacts(): Promise<ContactView[]> {
    return [];
  }

  async contact(contactId: string): Promise<ContactView> {
    throw new CodedError('ContactNotFound', `no contact with id ${contactId}`);
  }

  async renameContact(contactId: string): Promise<ContactView> {
    return this.contact(contactId);
  }

  async removeContact(contactId: string): Promise<void> {
    await this.contact(contactId);
  }

  async verifyContact(contactId: string): Promise<ContactView> {
    return this.contact(contactId);
  }

  async safetyNumber(contactId: string): Promise<string> {
    await this.contact(contactId);
    return '';
  }

  async send(contactId: string, text: string): Promise<MessageView> {
    this.#assertOpen();
    const conversation = this.#conversations.find((c) => c.id === contactId);
    if (!conversation) throw new CodedError('ContactNotFound', `no contact with id ${contactId}`);
    const message = this.#append(conversation.id, 'out', text, 'pending', this.#now());
    this.emit({ type: 'message', message });
    return message;
  }

  async contactMessages(contactId: string, options?: ListMessagesOptions): Promise<MessageView[]> {
    const conversation = this.#conversations.find((c) => c.id === contactId);
    if (!conversation) throw new CodedError('ContactNotFound', `no contact with id ${contactId}`);
    return this.messages(conversation.id, options);
  }

  async markRead(conversationId: ConversationId): Promise<void> {
    const c = this.#conversations.find((x) => x.id === conversationId);
    if (c) this.#conversations[this.#conversations.indexOf(c)] = { ...c, unread: 0 };
  }

  async network(): Promise<NetworkStatus> {
    return { online: false, peerId: null, addresses: [], nat: NAT_OFF };
  }

  /** Every setPortMapping answer, in order. */
  readonly portMappingChoices: boolean[] = [];

  async onion(command: string): Promise<OnionAnswer> {
    if (command === 'circuits') return { kind: 'circuits', circuits: [] };
    throw new Error('the in-memory API has no onion network');
  }

  async setPortMapping(enabled: boolean): Promise<NetworkStatus> {
    this.portMappingChoices.push(enabled);
    const status = await this.network();
    this.emit({ type: 'network', network: status });
    return status;
  }

  /** Every `messagePage()` call, for asserting the UI pages instead of loading everything. */
  readonly pageCalls: { conversationId: ConversationId; options: MessagePageOptions | undefined }[] = [];

  async messagePage(conversationId: ConversationId, options?: MessagePageOptions): Promise<MessagePage> {
    this.#assertOpen();
    this.pageCalls.push({ conversationId, options });
    const list = this.#list(conversationId);
    const limit = options?.limit ?? 100;
    let page: MessageView[];
    if (options?.after !== undefined) {
      const after = options.after;
      page = list.filter((m) => m.seq > after).slice(0, limit);
    } else {
      const before = options?.before ?? Number.MAX_SAFE_INTEGER;
      page = list.filter((m) => m.seq < before).slice(-limit);
    }
    const first = page[0]?.seq ?? (options?.after ?? (options?.before ?? Number.MAX_SAFE_INTEGER) - 1) + 1;
    const last = page.at(-1)?.seq ?? first - 1;
    return {
      messages: page,
      older: list.filter((m) => m.seq < first).length,
      newer: list.filter((m) => m.seq > last).length,
    };
  }

  async searchMessages(conversationId: ConversationId, options: SearchOptions): Promise<SearchResult> {
    this.#assertOpen();
    const before = options.before ?? Number.MAX_SAFE_INTEGER;
    const limit = options.scanLimit ?? 2000;
    const candidates = this.#list(conversationId)
      .filter((m) => m.seq < before)
      .reverse()
      .slice(0, limit);
    const needle = options.text.toLowerCase();
    let scanned = 0;
    for (const m of candidates) {
      scanned++;
      if (m.body.toLowerCase().includes(needle)) {
        return { match: m, scanned, remaining: m.seq - 1, next: m.seq };
      }
    }
    const next = candidates.at(-1)?.seq ?? before;
    return { match: null, scanned, remaining: Math.max(0, next - 1), next };
  }

  settings: UiSettings = DEFAULT_UI_SETTINGS;
  readonly #settingWords = new Map<string, string>();

  async uiSettings(): Promise<UiSettings> {
    return this.settings;
  }

  async setUiSetting(key: string, value: string): Promise<UiSettings> {
    const words = this.#settingWords;
    this.settings = saveUiSetting(
      { all: () => new Map(words), set: (k, v) => void words.set(k, v) },
      key,
      value,
    );
    return this.settings;
  }

  readonly mailboxState: MailboxesView = { serving: false, serveSetting: false, served: null, mine: [] };

  async mailboxes(): Promise<MailboxesView> {
    return this.mailboxState;
  }

  async addMailbox(address: string): Promise<MailboxesView> {
    throw new TypeError(`no mailboxes in the memory API (${address.length} characters given)`);
  }

  async removeMailbox(address: string): Promise<MailboxesView> {
    throw new TypeError(`no mailboxes in the memory API (${address.length} characters given)`);
  }

  async setMailboxServe(enabled: boolean): Promise<MailboxesView> {
    return { ...this.mailboxState, serveSetting: enabled };
  }

  /** Mailbox suggestions as a test sets them; adding a candidate's address adds it to `mailboxState`. */
  mailboxSuggestState: MailboxSuggestions = { chosen: 0, recommended: 2, suggest: true, candidates: [] };

  async mailboxSuggestions(): Promise<MailboxSuggestions> {
    const mine = new Set(this.mailboxState.mine.map((m) => m.peerId));
    return {
      ...this.mailboxSuggestState,
      chosen: this.mailboxState.mine.length,
      candidates: this.mailboxSuggestState.candidates.filter((c) => !mine.has(c.peerId)),
    };
  }

  async setMailboxSuggest(enabled: boolean): Promise<MailboxSuggestions> {
    this.mailboxSuggestState = { ...this.mailboxSuggestState, suggest: enabled };
    return this.mailboxSuggestions();
  }

  subscribe(listener: (event: PvtEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closeCount++;
    if (this.closed) return;
    this.closed = true;
    this.#listeners.clear();
  }
}

export interface MemoryLauncherOptions extends MemoryApiOptions {
  /** absent = first run; otherwise an identity protected this way exists. */
  readonly state?: 'absent' | 'passphrase' | 'keychain';
  /** The passphrase of an existing passphrase profile. */
  readonly passphrase?: string;
  readonly keychainAvailable?: boolean;
  /** How long key derivation "takes". */
  readonly createDelayMs?: number;
  readonly openDelayMs?: number;
  readonly keychainDelayMs?: number;
  /** Rejects every open with this (other than a wrong passphrase). */
  readonly openError?: Error;
  readonly inspectError?: Error;
  readonly profile?: string;
}

export interface MemoryLauncher extends ProfileLauncher {
  readonly calls: {
    create: { displayName: string; protection: ProtectionChoice }[];
    open: { passphrase?: string | undefined }[];
  };
  /** Every API this launcher opened, in order. */
  readonly opened: MemoryPvt[];
  /** The last API opened. */
  readonly api: MemoryPvt | undefined;
}

export function createMemoryLauncher(options: MemoryLauncherOptions = {}): MemoryLauncher {
  const profile = options.profile ?? 'default';
  const dataDir = `/memory/${profile}`;
  let state: ProfileState =
    options.state === 'passphrase' || options.state === 'keychain'
      ? { state: 'present', keyProtection: options.state }
      : { state: 'absent' };
  let passphrase = options.passphrase;
  let displayName = options.displayName;
  const calls: MemoryLauncher['calls'] = { create: [], open: [] };
  const opened: MemoryPvt[] = [];
  const make = (keyProtection: 'keychain' | 'passphrase'): MemoryPvt => {
    const api = new MemoryPvt({
      ...options,
      ...(displayName === undefined ? {} : { displayName }),
      keyProtection,
      profile,
      dataDir,
    });
    opened.push(api);
    return api;
  };
  return {
    profile,
    dataDir,
    calls,
    opened,
    get api() {
      return opened[opened.length - 1];
    },
    async inspect() {
      if (options.inspectError) throw options.inspectError;
      return state;
    },
    async keychainAvailable() {
      await delay(options.keychainDelayMs ?? 0);
      return options.keychainAvailable ?? false;
    },
    async create(o) {
      calls.create.push({ displayName: o.displayName, protection: o.protection });
      if (state.state === 'present')
        throw new CodedError('ProfileExists', `an identity already exists in ${dataDir}`);
      const name = o.displayName.trim();
      if (name === '' || [...name].length > 64)
        throw new CodedError('InvalidDisplayName', 'invalid display name');
      await delay(options.createDelayMs ?? 0);
      displayName = name;
      passphrase = o.protection.kind === 'passphrase' ? o.protection.passphrase : undefined;
      state = { state: 'present', keyProtection: o.protection.kind };
      return make(o.protection.kind);
    },
    async open(o) {
      calls.open.push({ passphrase: o.passphrase });
      await delay(options.openDelayMs ?? 0);
      if (state.state === 'absent') throw new CodedError('ProfileNotFound', `no identity in ${dataDir}`);
      if (options.openError) throw options.openError;
      if (state.keyProtection === 'passphrase' && o.passphrase !== passphrase)
        throw new WrongPassphraseError();
      return make(state.keyProtection);
    },
  };
}

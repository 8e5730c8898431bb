/**
 * The Pvt façade: implements PvtApi over an unlocked profile store — the self conversation ("Note to
 * self") itself, and contacts, invites, verification, chat and the network through the messaging core
 * (messaging-core.ts, docs/messaging.md), notes (notes.ts) and mailboxes (mailbox-host.ts,
 * contact-mailboxes.ts, mailbox-route.ts, mailbox-views.ts). Owns the wiring of these services (with
 * the knobs of pvt-knobs.ts), their start and stop, and the event hub the UI renders from. Must not know
 * about Ink, argv or sockets; all I/O goes through the injected store, logger and the core.
 */

import type { CryptoBackend } from '../crypto/backend.ts';
import type { Rng } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import type { Identity } from '../protocol/identity.ts';
import { createMessagePages, type MessagePages } from '../store/message-pages.ts';
import type { ProfileStore } from '../store/profile-store.ts';
import { createUiSettingsStore, type UiSettingsStore } from '../store/ui-settings-store.ts';
import type {
  ContactView,
  ConversationId,
  ConversationSummary,
  CreateInviteOptions,
  InviteView,
  JoinOptions,
  JoinResult,
  ListMessagesOptions,
  MessagePage,
  MessagePageOptions,
  MessageView,
  NetworkOptions,
  NetworkStatus,
  OnionAnswer,
  PendingJoinView,
  ProfileInfo,
  PvtApi,
  PvtEvent,
  SearchOptions,
  SearchResult,
  UiSettings,
} from './api.ts';
import { SELF_CONVERSATION } from './api.ts';
import { DEFAULT_MESSAGE_PAGE, MAX_MESSAGE_PAGE, SELF_TITLE } from './constants.ts';
import { ContactMailboxes } from './contact-mailboxes.ts';
import { ClosedError } from './errors.ts';
import { EventHub } from './events.ts';
import { messagePage, messageView, searchMessages } from './history.ts';
import { pollJoinSlotsEvery } from './join-polling.ts';
import { type MailboxesView, MailboxHost } from './mailbox-host.ts';
import { MailboxRoute } from './mailbox-route.ts';
import type { MailboxSuggestions } from './mailbox-suggest.ts';
import { mailboxesView, suggestionsView } from './mailbox-views.ts';
import { MessagingCore } from './messaging-core.ts';
import { storeNote } from './notes.ts';
import { onionCommand } from './onion-control.ts';
import {
  joinAnswerWaitMs,
  joinPollMs,
  joinSweepGraceMs,
  mailboxHostKnobs,
  mailboxRouteKnobs,
} from './pvt-knobs.ts';
import { loadUiSettings, saveUiSetting } from './ui-settings.ts';

export interface PvtInit {
  readonly store: ProfileStore;
  readonly info: ProfileInfo;
  readonly identity: Identity;
  readonly rng: Rng;
  /** The asymmetric-crypto backend of the ratchet (chosen by the launcher). */
  readonly backend: CryptoBackend;
  readonly logger: Logger;
  readonly now: () => number;
}

export class Pvt implements PvtApi {
  readonly #store: ProfileStore;
  readonly #info: ProfileInfo;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #events = new EventHub();
  readonly #core: MessagingCore;
  readonly #pages: MessagePages;
  readonly #uiSettings: UiSettingsStore;
  readonly #mailbox: MailboxHost;
  readonly #theirMailboxes: ContactMailboxes;
  readonly #route: MailboxRoute;
  #joinPoll: AbortController | undefined;
  #closed = false;

  constructor(init: PvtInit) {
    this.#store = init.store;
    this.#info = init.info;
    this.#logger = init.logger;
    this.#now = init.now;
    this.#store.ensureConversation(SELF_CONVERSATION, 'self', SELF_TITLE, this.#now());
    this.#pages = createMessagePages(init.store.sql);
    this.#uiSettings = createUiSettingsStore(init.store.sql);
    this.#core = new MessagingCore({
      sql: init.store.sql,
      identity: init.identity,
      rng: init.rng,
      backend: init.backend,
      now: init.now,
      logger: init.logger,
      emit: (event) => this.#emit(event),
      dataDir: init.info.dataDir,
      ownMailboxList: () => this.#mailbox.ownLocatorList(),
      contactMailboxesInTx: (id, list) => this.#theirMailboxes.rememberListInTx(id, list),
      contactDescriptorInTx: (id, descriptor) => this.#theirMailboxes.rememberOfferInTx(id, descriptor),
      joinSlots: {
        transport: () => this.#mailbox.transport(),
        pollMs: joinPollMs(),
        answerWaitMs: joinAnswerWaitMs(),
        sweepGraceMs: joinSweepGraceMs(),
      },
    });
    this.#mailbox = new MailboxHost({
      sql: init.store.sql,
      dataDir: init.info.dataDir,
      logger: init.logger,
      now: init.now,
      onMineChanged: () => {
        this.#core.shareLocatorSoon();
        this.#route.fetchSoon();
      },
      ...mailboxHostKnobs(),
    });
    this.#theirMailboxes = new ContactMailboxes({ sql: init.store.sql, log: init.logger.child('mailbox') });
    this.#route = new MailboxRoute({
      identity: init.identity,
      contact: (id) => this.#core.contactRow(id),
      contacts: () => this.#core.contactRows(),
      theirMailboxes: (id) => this.#theirMailboxes.list(id),
      ownMailboxes: () => this.#mailbox.ownLocators(),
      transport: () => this.#mailbox.transport(),
      inbound: (id, frame) => this.#core.inbound(id, frame),
      rng: init.rng,
      now: init.now,
      random: () => {
        const b = init.rng(4);
        return new DataView(b.buffer, b.byteOffset, 4).getUint32(0) / 2 ** 32;
      },
      logger: init.logger,
      ...mailboxRouteKnobs(),
    });
    this.#core.addRoute(this.#route);
  }

  /** Starts the libp2p node and the messaging services (the launcher calls it when asked to). */
  async startNetwork(options: NetworkOptions): Promise<void> {
    this.#assertOpen();
    await this.#core.startNetwork(options);
    await this.#mailbox.networkStarted(this.#core.requireNetwork(), options.mailbox === true);
    this.#route.start();
    this.#pollJoinSlots();
  }

  /** Offline joins: the join slots of our live invites, on start and then every poll period. */
  #pollJoinSlots(): void {
    if (this.#joinPoll) return;
    this.#joinPoll = pollJoinSlotsEvery((signal) => this.#core.pollJoinSlots(signal), joinPollMs);
  }

  async profile(): Promise<ProfileInfo> {
    return this.#info;
  }

  async conversations(): Promise<ConversationSummary[]> {
    this.#assertOpen();
    return this.#store.conversations().map((c) => ({
      id: c.id,
      title: c.id === SELF_CONVERSATION ? SELF_TITLE : c.title,
      unread: c.id === SELF_CONVERSATION ? 0 : this.#core.unread(c.id),
      lastActivityAt: c.lastActivityAt,
    }));
  }

  async messages(conversationId: ConversationId, options: ListMessagesOptions = {}): Promise<MessageView[]> {
    this.#assertOpen();
    const limit = options.limit ?? DEFAULT_MESSAGE_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MESSAGE_PAGE) {
      throw new RangeError(`"limit" expected an integer 1..${MAX_MESSAGE_PAGE}, got ${limit}`);
    }
    const query = options.before === undefined ? { limit } : { limit, before: options.before };
    return this.#store.listMessages(conversationId, query).map((m) => {
      const view = messageView(m);
      // `sent` is not written on its own commit: it lives in memory until delivered (docs/messaging.md).
      const handed = view.state === 'pending' ? this.#core.handedState(conversationId, view.id) : undefined;
      return handed ? { ...view, state: handed } : view;
    });
  }

  async sendNote(text: string): Promise<MessageView> {
    this.#assertOpen();
    const view = storeNote(this.#store, text, this.#now, this.#logger);
    this.#emit({ type: 'message', message: view });
    return view;
  }

  // ── contacts, invites, verification, chat: the messaging core ──

  async createInvite(options?: CreateInviteOptions): Promise<InviteView> {
    this.#assertOpen();
    return this.#core.createInvite(options);
  }

  async join(code: string, options?: JoinOptions): Promise<JoinResult> {
    this.#assertOpen();
    return this.#core.join(code, options);
  }

  async pendingJoins(): Promise<PendingJoinView[]> {
    this.#assertOpen();
    return this.#core.pendingJoins();
  }

  async contacts(): Promise<ContactView[]> {
    this.#assertOpen();
    return this.#core.contacts();
  }

  async contact(contactId: string): Promise<ContactView> {
    this.#assertOpen();
    return this.#core.contact(contactId);
  }

  async renameContact(contactId: string, newName: string): Promise<ContactView> {
    this.#assertOpen();
    return this.#core.renameContact(contactId, newName);
  }

  async removeContact(contactId: string): Promise<void> {
    this.#assertOpen();
    await this.#core.removeContact(contactId);
    this.#theirMailboxes.forget(contactId);
  }

  async verifyContact(contactId: string, decision: 'confirm' | 'reject'): Promise<ContactView> {
    this.#assertOpen();
    return this.#core.verifyContact(contactId, decision);
  }

  async safetyNumber(contactId: string): Promise<string> {
    this.#assertOpen();
    return this.#core.safetyNumber(contactId);
  }

  async send(contactId: string, text: string): Promise<MessageView> {
    this.#assertOpen();
    return this.#core.send(contactId, text);
  }

  async contactMessages(contactId: string, options: ListMessagesOptions = {}): Promise<MessageView[]> {
    this.#assertOpen();
    return this.messages(this.#core.conversationOf(contactId), options);
  }

  async markRead(conversationId: ConversationId): Promise<void> {
    this.#assertOpen();
    if (conversationId === SELF_CONVERSATION) return;
    this.#core.markRead(conversationId);
    const summary = this.#core.contactSummary(conversationId);
    if (summary) this.#emit({ type: 'conversation-updated', conversation: summary });
  }

  async network(): Promise<NetworkStatus> {
    return this.#core.networkStatus();
  }

  async setPortMapping(enabled: boolean): Promise<NetworkStatus> {
    this.#assertOpen();
    return this.#core.setPortMapping(enabled);
  }

  // ── history viewport, search, UI settings (history.ts, ui-settings.ts) ──

  async messagePage(conversationId: ConversationId, options?: MessagePageOptions): Promise<MessagePage> {
    this.#assertOpen();
    return messagePage(this.#pages, conversationId, options);
  }

  async searchMessages(conversationId: ConversationId, options: SearchOptions): Promise<SearchResult> {
    this.#assertOpen();
    return searchMessages(this.#pages, conversationId, options);
  }

  async uiSettings(): Promise<UiSettings> {
    this.#assertOpen();
    return loadUiSettings(this.#uiSettings);
  }

  async setUiSetting(key: string, value: string): Promise<UiSettings> {
    this.#assertOpen();
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw new TypeError('"key" and "value" expected strings');
    }
    return saveUiSetting(this.#uiSettings, key, value);
  }

  async mailboxes(): Promise<MailboxesView> {
    this.#assertOpen();
    return mailboxesView(this.#core, this.#mailbox, this.#theirMailboxes);
  }

  async addMailbox(address: string): Promise<MailboxesView> {
    this.#assertOpen();
    return this.#mailbox.add(address);
  }

  async removeMailbox(address: string): Promise<MailboxesView> {
    this.#assertOpen();
    return this.#mailbox.remove(address);
  }

  async setMailboxServe(enabled: boolean): Promise<MailboxesView> {
    this.#assertOpen();
    return this.#mailbox.setServe(enabled);
  }

  async mailboxSuggestions(): Promise<MailboxSuggestions> {
    this.#assertOpen();
    return suggestionsView(this.#core, this.#mailbox, this.#theirMailboxes, this.#now());
  }

  async setMailboxSuggest(enabled: boolean): Promise<MailboxSuggestions> {
    this.#assertOpen();
    this.#mailbox.setSuggest(enabled);
    return this.mailboxSuggestions();
  }

  async onion(command: string, params?: object): Promise<OnionAnswer> {
    this.#assertOpen();
    return onionCommand(this.#core.onion(), command, params);
  }

  subscribe(listener: (event: PvtEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#route.stop();
      this.#joinPoll?.abort();
      await this.#route.settled();
      await this.#core.offlineJoinsSettled();
      await this.#mailbox.stop();
      await this.#core.stop();
    } finally {
      this.#events.clear();
      this.#store.close();
      this.#logger.info('profile.closed');
    }
  }

  #emit(event: PvtEvent): void {
    // A network change (start, new addresses) is a moment to empty our mailboxes.
    if (event.type === 'network') this.#route?.fetchSoon();
    this.#events.emit(event);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError();
  }
}

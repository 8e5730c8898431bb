/**
 * The messaging core behind the Pvt façade: wires the stores (contacts, invites, chat) to the contacts
 * cache, sessions, invites and messaging modules, and gives the network (core-network.ts, which starts,
 * stops and reports it) the hooks of those modules; and implements the contact, invite, verification
 * and chat members of PvtApi. The façade only validates nothing more and delegates here. Events go out
 * through the injected `emit`.
 */
import type { CryptoBackend } from '../crypto/backend.ts';
import type { Rng } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import type { Network } from '../net/network.ts';
import type { OnionService } from '../net/onion/service.ts';
import type { Identity } from '../protocol/identity.ts';
import { deserializeState } from '../protocol/ratchet/index.ts';
import { formatSafetyNumber, safetyNumber } from '../protocol/safety-number.ts';
import { type ChatStore, createChatStore } from '../store/chat-store.ts';
import type { ContactRow } from '../store/contacts-store.ts';
import { createContactsStore } from '../store/contacts-store.ts';
import { createInvitesStore } from '../store/invites-store.ts';
import type { SqlAccess } from '../store/sql-access.ts';
import type {
  ContactView,
  ConversationSummary,
  CreateInviteOptions,
  InviteView,
  JoinOptions,
  JoinResult,
  MessageView,
  NetworkOptions,
  NetworkStatus,
  PathBadge,
  PendingJoinView,
  PvtEvent,
} from './api.ts';
import { FAILURE_TEXT, FIRST_MESSAGE_WAIT_MS, INBOX_SEEN_RETENTION_MS } from './constants.ts';
import { Contacts } from './contacts.ts';
import { CoreNetwork } from './core-network.ts';
import { Invites, type InvitesHooks } from './invites.ts';
import { Messaging } from './messaging.ts';
import type { MessagingContext } from './messaging-context.ts';
import { ReadMarks } from './read-marks.ts';
import type { DeliveryRoute } from './route.ts';

export interface MessagingCoreInit {
  readonly sql: SqlAccess;
  readonly identity: Identity;
  readonly rng: Rng;
  readonly backend: CryptoBackend;
  readonly now: () => number;
  readonly logger: Logger;
  readonly emit: (event: PvtEvent) => void;
  /** The profile directory (the NAT mapping record lives there). */
  readonly dataDir: string;
  /** Mailbox locators in address updates (docs/mailbox.md): ours to share, the contacts' to keep. */
  readonly ownMailboxList?: () => Uint8Array;
  readonly contactMailboxesInTx?: (contactId: string, list: Uint8Array) => void;
  /**
   * A contact's address update carried its descriptor, verified by the onion directory, or none (null):
   * whether it serves a mailbox (docs/mailbox.md, "Suggestions"). Inside the receive transaction.
   */
  readonly contactDescriptorInTx?: (contactId: string, descriptor: Uint8Array | null) => void;
  /** Offline joins through the mailboxes an invite names (docs/protocol/mailbox.md, "Offline join"). */
  readonly joinSlots?: InvitesHooks['joinSlots'];
}

export class MessagingCore {
  readonly #ctx: MessagingContext;
  readonly #chat: ChatStore;
  readonly #contacts: Contacts;
  readonly #invites: Invites;
  readonly #messaging: Messaging;
  readonly #reads: ReadMarks;
  readonly #net: CoreNetwork;

  constructor(init: MessagingCoreInit) {
    const contactsStore = createContactsStore(init.sql);
    this.#chat = createChatStore(init.sql);
    this.#contacts = new Contacts(contactsStore, this.#chat, init.sql);
    const logger = init.logger.child('messaging');
    // First: the modules below reach the network through the context (hooks are called once it runs).
    this.#net = new CoreNetwork({
      sql: init.sql,
      chat: this.#chat,
      transportSeed: init.identity.transportSeed,
      rng: init.rng,
      logger,
      emit: init.emit,
      dataDir: init.dataDir,
      hooks: {
        addressesChanged: () => this.#messaging.addressesChanged(),
        started: () => this.#messaging.networkStarted(),
        isContact: (peerId) => {
          const row = this.#contacts.byPeer(peerId);
          return row !== undefined && row.verification !== 'rejected';
        },
        onChatMessage: (peerId, message) => this.#messaging.receive(peerId, message),
        onChatStreamLost: (peerId) => this.#messaging.streamLost(peerId),
        onInviteStream: (channel, peerId, o) => this.#invites.serve(channel, peerId, o),
        onOnline: (peerId, path) => this.#messaging.online(peerId, path),
        onOffline: (peerId) => this.#messaging.offline(peerId),
      },
    });
    this.#ctx = {
      identity: init.identity,
      sql: init.sql,
      contacts: this.#contacts,
      chat: this.#chat,
      invites: createInvitesStore(init.sql),
      rng: init.rng,
      backend: init.backend,
      now: init.now,
      logger,
      network: () => this.#net.current(),
      emit: init.emit,
    };
    this.#reads = new ReadMarks(this.#chat, init.sql);
    const rng = init.rng;
    this.#messaging = new Messaging(this.#ctx, {
      sessions: contactsStore,
      openSession: (bytes) => deserializeState(bytes, { backend: init.backend }),
      unread: (id) => this.#reads.unread(id),
      ...(init.ownMailboxList ? { ownMailboxList: init.ownMailboxList } : {}),
      ...(init.contactMailboxesInTx ? { contactMailboxesInTx: init.contactMailboxesInTx } : {}),
      contactRelayDescriptor: (bytes, peerId, contactId) => {
        const verified =
          bytes !== null && this.#net.current()?.onion?.learnContactRelay(bytes, peerId) === true;
        init.contactDescriptorInTx?.(contactId, verified ? bytes : null);
      },
      // Backoff jitter from the injected RNG (no global randomness in the core).
      random: () => {
        const b = rng(4);
        return new DataView(b.buffer, b.byteOffset, 4).getUint32(0) / 2 ** 32;
      },
    });
    this.#invites = new Invites(this.#ctx, {
      joinerFirstItemsInTx: (row) => this.#messaging.joinerFirstItemsInTx(row),
      isConfirmed: (id) => this.#messaging.peer(id).canSend(),
      onContactReplaced: (old) => this.#messaging.forget(old.id),
      ...(init.ownMailboxList ? { ownMailboxList: init.ownMailboxList } : {}),
      ...(init.contactMailboxesInTx ? { contactMailboxesInTx: init.contactMailboxesInTx } : {}),
      ...(init.joinSlots ? { joinSlots: init.joinSlots } : {}),
      onContactAdded: (row, sas, role) => {
        this.#contacts.rememberSas(row.id, sas);
        this.#messaging.contactAdded(row);
        // The joiner's first item already carries its locator (mailboxes included); the inviter tells
        // the new contact its mailboxes with an address update (sent once bob's session can send).
        if (role !== 'joiner') this.#messaging.shareMailboxesWith(row);
        if (role === 'joiner') {
          this.#ctx.emit({ type: 'contact-added', contact: this.#view(row), sas });
          return;
        }
        // The inviter announces the contact once alice's first message made its session able to send (or
        // after FIRST_MESSAGE_WAIT_MS): a `pvt invite` that exits on this event leaves both sides ready.
        void this.#messaging.sessionReady(row.id, FIRST_MESSAGE_WAIT_MS).then(() => {
          const current = this.#contacts.byId(row.id);
          if (current) this.#ctx.emit({ type: 'contact-added', contact: this.#view(current), sas });
        });
      },
    });
    const now = init.now();
    this.#chat.pruneSeen(now - INBOX_SEEN_RETENTION_MS);
    this.#ctx.invites.pruneExpired(now - INBOX_SEEN_RETENTION_MS);
  }

  // ── network (core-network.ts) ──

  /** Starts the libp2p node and the pvt services; the port used is remembered for the next start. */
  startNetwork(options: NetworkOptions): Promise<void> {
    return this.#net.start(options);
  }

  async stop(): Promise<void> {
    await this.#net.settled();
    await this.#messaging.stop();
    try {
      this.#reads.flush();
    } catch (error) {
      this.#ctx.logger.warn('reads.flush_failed', { code: (error as { code?: string }).code ?? 'unknown' });
    }
    await this.#net.stop();
  }

  /** The running network's onion service (undefined while offline). */
  onion(): OnionService | undefined {
    return this.#net.current()?.onion;
  }

  networkStatus(): NetworkStatus {
    return this.#net.status();
  }

  /** Remembers the user's answer and applies it to the running node (unless forced off here). */
  setPortMapping(enabled: boolean): Promise<NetworkStatus> {
    return this.#net.setPortMapping(enabled);
  }

  // ── invites ──

  /** Fetches the join slots of our live invites once (offline joins), answering what waits there. */
  pollJoinSlots(signal: AbortSignal): Promise<void> {
    return this.#net.current() ? this.#invites.pollJoinSlots(signal) : Promise.resolve();
  }

  /** Resolves once the offline joins running have stopped (their signal aborted first). */
  offlineJoinsSettled(): Promise<void> {
    return this.#invites.offline()?.settled() ?? Promise.resolve();
  }

  /** Offline joins in progress (either side). */
  pendingJoins(): PendingJoinView[] {
    return this.#invites.offline()?.pending() ?? [];
  }

  createInvite(options: CreateInviteOptions = {}): Promise<InviteView> {
    return this.#invites.create(options);
  }

  async join(code: string, options: JoinOptions = {}): Promise<JoinResult> {
    const { row, sas } = await this.#invites.join(code, options);
    // Alice's first message (an address update) is what lets the inviter's session send: wait briefly
    // for it, so that a short-lived process (`pvt join`) leaves both sides able to chat.
    await this.#messaging.drained(row.id, FIRST_MESSAGE_WAIT_MS);
    return { contact: this.#view(row), sas };
  }

  // ── contacts ──

  contacts(): ContactView[] {
    return this.#contacts.list().map((row) => this.#view(row));
  }

  contact(id: string): ContactView {
    return this.#view(this.#contacts.require(id));
  }

  renameContact(id: string, newName: string): ContactView {
    const view = this.#view(this.#contacts.rename(id, newName));
    this.#ctx.emit({ type: 'contact-updated', contact: view });
    return view;
  }

  async removeContact(id: string): Promise<void> {
    const row = this.#contacts.remove(id);
    this.#reads.forget(row.id);
    await this.#messaging.contactRemoved(row);
    this.#ctx.emit({ type: 'contact-removed', id: row.id, name: row.name });
  }

  async verifyContact(id: string, decision: 'confirm' | 'reject'): Promise<ContactView> {
    if (decision !== 'confirm' && decision !== 'reject') {
      throw new TypeError(`"decision" expected 'confirm' | 'reject', got ${String(decision)}`);
    }
    const row = this.#contacts.setVerification(id, decision === 'confirm' ? 'verified' : 'rejected');
    const net = this.#net.current();
    if (decision === 'reject') {
      // Nothing more will be sent to it: what was still waiting fails, with the reason.
      const failed = this.#ctx.sql.transaction('failing the messages to a rejected contact', () =>
        this.#chat.failUndelivered(row.id, 'rejected'),
      );
      for (const id of failed) {
        this.#ctx.emit({ type: 'message-state', id, state: 'failed', failure: FAILURE_TEXT.rejected });
      }
    }
    if (net && decision === 'reject') {
      // A rejected contact is cut off: its chat streams are refused and nothing is sent to it.
      this.#messaging.forget(row.id);
      net.chat.drop(row.transport.peerId);
      await net.presence.unwatch(row.transport.peerId);
    } else if (net) {
      net.presence.watch(row.transport.peerId);
      this.#messaging.peer(row.id).kick();
    }
    const view = this.#view(row);
    this.#ctx.emit({ type: 'contact-updated', contact: view });
    return view;
  }

  safetyNumber(id: string): string {
    const row = this.#contacts.require(id);
    return formatSafetyNumber(safetyNumber(this.#ctx.identity, row.peer));
  }

  // ── chat ──

  send(contactId: string, text: string): MessageView {
    return this.#messaging.send(this.#contacts.require(contactId), text);
  }

  /** The contact's conversation id, for paging through the façade's `messages`. */
  conversationOf(contactId: string): string {
    return this.#contacts.require(contactId).id;
  }

  /** Unread count and title of a conversation that belongs to a contact, else undefined. */
  contactSummary(conversationId: string): ConversationSummary | undefined {
    const row = this.#contacts.byId(conversationId);
    return row ? this.#messaging.summary(row) : undefined;
  }

  /** Adds a delivery route after the direct one (the mailbox route). */
  addRoute(route: DeliveryRoute): void {
    this.#messaging.addRoute(route);
  }

  /**
   * One sealed ratchet frame of a contact from a route other than the direct one; resolves once it was
   * handled (stored and committed, or dropped), so the route may then delete its copy. Never throws.
   */
  inbound(contactId: string, frame: Uint8Array): Promise<void> {
    return this.#messaging.inbound(contactId, frame, true);
  }

  /** The contact rows (the mailbox route derives each pair's slots from their identity keys). */
  contactRows(): readonly ContactRow[] {
    return this.#contacts.list();
  }

  contactRow(id: string): ContactRow | undefined {
    return this.#contacts.byId(id);
  }

  /** Our mailboxes changed: share them with every contact (debounced, like address changes). */
  shareLocatorSoon(): void {
    this.#messaging.addressesChanged();
  }

  /** Whether an outgoing message is sent (that state lives in memory until it is delivered). */
  handedState(conversationId: string, messageId: string): 'sent' | 'stored' | undefined {
    return this.#messaging.handedState(conversationId, messageId);
  }

  isSent(conversationId: string, messageId: string): boolean {
    return this.#messaging.isSent(conversationId, messageId);
  }

  unread(conversationId: string): number {
    return this.#reads.unread(conversationId);
  }

  markRead(conversationId: string): void {
    this.#reads.markRead(conversationId);
  }

  requireNetwork(): Network {
    return this.#net.require();
  }

  #path(row: ContactRow): PathBadge {
    return this.#net.current()?.presence.path(row.transport.peerId) ?? 'offline';
  }

  #view(row: ContactRow): ContactView {
    return this.#contacts.view(row, this.#path(row));
  }
}

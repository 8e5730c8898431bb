/**
 * The messaging core (docs/messaging.md): one Peer per contact (peer.ts) holding its session, outgoing
 * queue, receipts, waiters, presence and backoff; this module creates them, routes events to them
 * (presence, inbound frames from any route, contact added/removed), validates and queues text, shares
 * our addresses with every contact when the node's addresses change, and turns presence into
 * contact-online/offline events. The receive path drops and logs; it never throws at a peer.
 */
import { toHex } from '../crypto/bytes.ts';
import { sha256Hash } from '../crypto/primitives.ts';
import { toLocator } from '../net/addresses.ts';
import type { Network, Path } from '../net/network.ts';
import { MAX_LOCATOR_ADDRS } from '../protocol/constants.ts';
import { newMessageId } from '../protocol/payload.ts';
import type { RatchetState } from '../protocol/ratchet/index.ts';
import type { ContactRow, ContactsStore } from '../store/contacts-store.ts';
import type { ConversationSummary, MessageView } from './api.ts';
import {
  ADDRESS_UPDATE_DEBOUNCE_MS,
  MAX_MESSAGE_BODY_BYTES,
  RECEIPT_FLUSH_MS,
  RESEND_AFTER_MS,
} from './constants.ts';
import { EmptyMessageError, MessageTooLongError } from './errors.ts';
import type { MessagingContext } from './messaging-context.ts';
import { ContactRejectedError } from './messaging-errors.ts';
import { encodeAddressBody } from './messaging-payload.ts';
import { Peer } from './peer.ts';
import { createDirectRoute, type DeliveryRoute } from './route.ts';

const LAST_ADDRS_SETTING = 'net.lastSharedAddrs';

export interface MessagingInit {
  readonly sessions: ContactsStore;
  /** Opens stored session bytes with the backend the launcher chose. */
  readonly openSession: (bytes: Uint8Array) => RatchetState;
  /** Uniform [0, 1) for backoff jitter. */
  readonly random: () => number;
  /** Unread count of a conversation (read marks are batched in memory). */
  readonly unread: (conversationId: string) => number;
  /** The encoded list of this user's mailboxes, shared in address updates (empty: none). */
  readonly ownMailboxList?: () => Uint8Array;
  /** A contact's address update named its mailboxes: store them (inside the receive transaction). */
  readonly contactMailboxesInTx?: (contactId: string, list: Uint8Array) => void;
  /**
   * A contact's address update carried its descriptor (unverified: the onion directory checks it), or
   * none (null), inside the receive transaction.
   */
  readonly contactRelayDescriptor?: (bytes: Uint8Array | null, peerId: string, contactId: string) => void;
}

export class Messaging {
  readonly #ctx: MessagingContext;
  readonly #init: MessagingInit;
  readonly #peers = new Map<string, Peer>();
  readonly #routes: DeliveryRoute[];
  #addressTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(ctx: MessagingContext, init: MessagingInit) {
    this.#ctx = ctx;
    this.#init = init;
    this.#routes = [createDirectRoute(() => ctx.network(), RESEND_AFTER_MS)];
  }

  /** Adds a delivery route after the existing ones (the mailbox route plugs in here). */
  addRoute(route: DeliveryRoute): void {
    this.#routes.push(route);
  }

  /** The contact's Peer (created on first use from its stored session and outbox). */
  peer(contactId: string): Peer {
    let p = this.#peers.get(contactId);
    if (!p) {
      p = new Peer({
        id: contactId,
        ctx: this.#ctx,
        sessions: this.#init.sessions,
        routes: () => this.#routes,
        random: this.#init.random,
        openSession: this.#init.openSession,
        ...(this.#init.contactMailboxesInTx ? { onMailboxesInTx: this.#init.contactMailboxesInTx } : {}),
        ...(this.#init.contactRelayDescriptor
          ? { onRelayDescriptor: this.#init.contactRelayDescriptor }
          : {}),
        onReceived: (row, message) => {
          this.#ctx.emit({ type: 'message', message });
          this.#ctx.emit({ type: 'conversation-updated', conversation: this.summary(row) });
        },
      });
      if (this.#stopped) p.stop();
      this.#peers.set(contactId, p);
    }
    return p;
  }

  // ── lifecycle ──

  /** The network is up: watch every contact, remember their addresses, drain outboxes, share addresses. */
  async networkStarted(): Promise<void> {
    const net = this.#ctx.network();
    if (!net) return;
    for (const row of this.#ctx.contacts.list()) {
      await net.presence.setAddrs(row.transport.peerId, row.transport.addrs);
      if (row.verification !== 'rejected') net.presence.watch(row.transport.peerId);
    }
    this.#shareAddressesIfChanged();
    for (const id of this.#ctx.chat.contactsWithOutbox()) this.peer(id).kick();
  }

  /**
   * Stops timers and pumps. Inbound frames still queued are handled and their receipts sent first
   * (waiting at most RECEIPT_FLUSH_MS for them to leave), so closing right after a message arrived does
   * not cost the sender a retransmission.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#addressTimer !== undefined) clearTimeout(this.#addressTimer);
    this.#addressTimer = undefined;
    const sends = [...this.#peers.values()].flatMap((p) => p.stop());
    if (sends.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled(sends),
        new Promise((r) => {
          timer = setTimeout(r, RECEIPT_FLUSH_MS);
        }),
      ]);
      clearTimeout(timer);
    }
  }

  /** Resolves true once the contact's session can send, false after `timeoutMs` or on stop. */
  sessionReady(contactId: string, timeoutMs: number): Promise<boolean> {
    return this.peer(contactId).sessionReady(timeoutMs);
  }

  /** Resolves true once the contact's outgoing queue is empty, false after `timeoutMs` or on stop. */
  drained(contactId: string, timeoutMs: number): Promise<boolean> {
    return this.peer(contactId).drained(timeoutMs);
  }

  /** 'sent' or 'stored' once a route took an outgoing message (kept in memory until delivered). */
  handedState(contactId: string, messageId: string): 'sent' | 'stored' | undefined {
    return this.#peers.get(contactId)?.handedState(messageId);
  }

  /** Whether an outgoing message is shown as sent (kept in memory until delivered). */
  isSent(contactId: string, messageId: string): boolean {
    return this.#peers.get(contactId)?.isSent(messageId) ?? false;
  }

  // ── sending ──

  send(row: ContactRow, text: string): MessageView {
    const ctx = this.#ctx;
    if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
    if (text.trim().length === 0) throw new EmptyMessageError();
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_MESSAGE_BODY_BYTES) throw new MessageTooLongError(bytes, MAX_MESSAGE_BODY_BYTES);
    if (row.verification === 'rejected') throw new ContactRejectedError(row.name);
    const id = toHex(newMessageId(ctx.rng));
    const view = this.peer(row.id).sendText(id, text, ctx.now());
    ctx.logger.debug('message.queued', { bytes });
    ctx.emit({ type: 'message', message: view });
    return view;
  }

  /** In the joiner's contact transaction: alice speaks first, so bob's session can start sending. */
  joinerFirstItemsInTx(row: ContactRow): void {
    const ctx = this.#ctx;
    const net = ctx.network();
    if (!net) return;
    // The Peer does not exist yet (the contact commits with this item): it loads it from the outbox.
    ctx.chat.enqueue({
      id: toHex(newMessageId(ctx.rng)),
      contactId: row.id,
      kind: 'address',
      createdAt: ctx.now(),
      payload: this.#ownAddressBody(net),
    });
  }

  contactAdded(row: ContactRow): void {
    const net = this.#ctx.network();
    if (!net) return;
    void net.presence.setAddrs(row.transport.peerId, row.transport.addrs).then(() => {
      net.presence.watch(row.transport.peerId);
      this.peer(row.id).kick();
    });
  }

  /** Queues an address update carrying our mailboxes to one new contact (none: nothing to tell). */
  shareMailboxesWith(row: ContactRow): void {
    const net = this.#ctx.network();
    const mailboxes = this.#init.ownMailboxList?.() ?? new Uint8Array(0);
    if (!net || mailboxes.length === 0) return;
    try {
      this.peer(row.id).queueAddressUpdate(this.#ownAddressBody(net));
    } catch (error) {
      this.#ctx.logger.warn('mailboxes.queue_failed', {
        code: (error as { code?: string }).code ?? 'unknown',
      });
    }
  }

  /** Forgets the contact's Peer (removed or rejected): timers stop, nothing more is sent. */
  forget(contactId: string): void {
    this.#peers.get(contactId)?.abort();
    this.#peers.delete(contactId);
  }

  async contactRemoved(row: ContactRow): Promise<void> {
    this.forget(row.id);
    const net = this.#ctx.network();
    if (!net) return;
    net.chat.drop(row.transport.peerId);
    await net.presence.unwatch(row.transport.peerId);
  }

  // ── presence ──

  online(peerId: string, path: Path): void {
    const row = this.#ctx.contacts.byPeer(peerId);
    if (!row) return;
    const seen = this.#ctx.contacts.seen(row, this.#ctx.now());
    this.peer(row.id).online(path);
    this.#ctx.emit({ type: 'contact-online', contact: this.#ctx.contacts.view(seen, path), path });
  }

  offline(peerId: string): void {
    const row = this.#ctx.contacts.byPeer(peerId);
    if (!row) return;
    this.peer(row.id).offline();
    this.#ctx.emit({ type: 'contact-offline', contact: this.#ctx.contacts.view(row, 'offline') });
  }

  streamLost(peerId: string): void {
    const row = this.#ctx.contacts.byPeer(peerId);
    if (row) this.#peers.get(row.id)?.streamLost();
  }

  // ── addresses ──

  addressesChanged(): void {
    if (this.#stopped || this.#addressTimer !== undefined) return;
    this.#addressTimer = setTimeout(() => {
      this.#addressTimer = undefined;
      this.#shareAddressesIfChanged();
    }, ADDRESS_UPDATE_DEBOUNCE_MS);
    this.#addressTimer.unref?.();
  }

  /** Our locator: PeerId, addresses and the list of our mailboxes. */
  #ownLocator(peerId: Parameters<typeof toLocator>[0], addrs: Parameters<typeof toLocator>[1]) {
    return { ...toLocator(peerId, addrs), mailbox: this.#init.ownMailboxList?.() ?? new Uint8Array(0) };
  }

  /** Our address-update body: the locator, and our relay descriptor while we relay for others. */
  #ownAddressBody(net: Network): Uint8Array {
    const locator = this.#ownLocator(net.peerId, net.shareable(MAX_LOCATOR_ADDRS));
    return encodeAddressBody(locator, net.onion?.relayDescriptor()?.bytes ?? null);
  }

  #shareAddressesIfChanged(): void {
    const ctx = this.#ctx;
    const net = ctx.network();
    if (!net || this.#stopped) return;
    const addrs = net.shareable(MAX_LOCATOR_ADDRS);
    // Only a digest is kept (our own addresses need not sit on disk in clear).
    const locator = this.#ownLocator(net.peerId, addrs);
    const relay = net.onion?.relayDescriptor() ?? null;
    const key = toHex(
      sha256Hash(
        new TextEncoder().encode(
          `${addrs.map(String).join(' ')} ${toHex(locator.mailbox)}${relay ? ` relay ${relay.key}` : ''}`,
        ),
      ),
    );
    if (ctx.chat.setting(LAST_ADDRS_SETTING) === key) return;
    const body = encodeAddressBody(locator, relay?.bytes ?? null);
    const targets = ctx.contacts.list().filter((c) => c.verification !== 'rejected');
    // One commit per contact (its session may encrypt the update at once); the setting goes last, so a
    // crash in between shares again on the next start.
    for (const c of targets) {
      try {
        this.peer(c.id).queueAddressUpdate(body);
      } catch (error) {
        ctx.logger.warn('addresses.queue_failed', { code: (error as { code?: string }).code ?? 'unknown' });
        return;
      }
    }
    ctx.sql.transaction('remembering the shared addresses', () =>
      ctx.chat.setSetting(LAST_ADDRS_SETTING, key),
    );
    ctx.logger.info('addresses.shared', { contacts: targets.length, addrs: addrs.length });
  }

  // ── receiving ──

  /**
   * One sealed ratchet frame for a contact, from any route (direct stream, mailbox): deduplicated by
   * hash, decrypted, stored and acknowledged exactly once by the contact's Peer. Never throws.
   */
  inbound(contactId: string, frame: Uint8Array, handled = false): Promise<void> {
    const row = this.#ctx.contacts.byId(contactId);
    if (!row || row.verification === 'rejected') return Promise.resolve();
    return this.peer(contactId).inbound(frame, handled);
  }

  /** One ratchet message from a contact's transport peer (the direct route). Never throws. */
  receive(peerId: string, wire: Uint8Array): Promise<void> {
    const row = this.#ctx.contacts.byPeer(peerId);
    if (!row) return Promise.resolve();
    return this.inbound(row.id, wire);
  }

  // ── views ──

  summary(row: ContactRow): ConversationSummary {
    const last = this.#ctx.chat.lastActivity(row.id);
    return { id: row.id, title: row.name, unread: this.#init.unread(row.id), lastActivityAt: last };
  }
}

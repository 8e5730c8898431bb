/**
 * The messaging core (docs/messaging.md): queueing text to a contact (durable, state pending, before any
 * attempt), receiving ratchet messages from contacts (dedup, decrypt, store — message, dedup row and
 * session in one transaction — then acknowledge with an encrypted receipt), applying receipts
 * (→ delivered) and address updates, sending our address updates when the node's addresses change, and
 * turning presence into contact-online/offline events. The receive path drops and logs; it never throws
 * at a peer. Sending itself is the Outbox's.
 */
import { toHex } from '../crypto/bytes.ts';
import { sha256Hash } from '../crypto/primitives.ts';
import { fromLocator, toLocator } from '../net/addresses.ts';
import type { Path } from '../net/network.ts';
import { MAX_LOCATOR_ADDRS } from '../protocol/constants.ts';
import { UnknownPayloadTypeError } from '../protocol/errors.ts';
import { decodePayload, newMessageId, type Payload, payloadText } from '../protocol/payload.ts';
import type { ContactRow } from '../store/contacts-store.ts';
import type { ConversationSummary, MessageView } from './api.ts';
import { ADDRESS_UPDATE_DEBOUNCE_MS, MAX_MESSAGE_BODY_BYTES, RECEIPT_FLUSH_MS } from './constants.ts';
import { EmptyMessageError, MessageTooLongError } from './errors.ts';
import type { MessagingContext } from './messaging-context.ts';
import { ContactRejectedError } from './messaging-errors.ts';
import {
  decodeAddressBody,
  decodeReceiptBody,
  encodeAddressBody,
  inboundMessageId,
} from './messaging-payload.ts';
import type { Sessions } from './messaging-session.ts';
import { Outbox } from './outbox.ts';
import { Receipts } from './receipts.ts';

const LAST_ADDRS_SETTING = 'net.lastSharedAddrs';

export class Messaging {
  readonly #ctx: MessagingContext;
  readonly #sessions: Sessions;
  readonly outbox: Outbox;
  readonly #receipts: Receipts;
  #addressTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #readyWaiters = new Map<string, Set<() => void>>();
  #stopped = false;

  constructor(ctx: MessagingContext, sessions: Sessions) {
    this.#ctx = ctx;
    this.#sessions = sessions;
    this.outbox = new Outbox(ctx, sessions);
    this.#receipts = new Receipts(ctx, sessions);
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
    for (const id of this.#ctx.chat.contactsWithOutbox()) this.outbox.kick(id);
  }

  /**
   * Stops timers and pumps. Receipts still queued are sent first (waiting at most RECEIPT_FLUSH_MS for
   * them to leave), so closing right after a message arrived does not cost the sender a retransmission.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.outbox.stop();
    if (this.#addressTimer !== undefined) clearTimeout(this.#addressTimer);
    this.#addressTimer = undefined;
    for (const waiters of this.#readyWaiters.values()) for (const w of [...waiters]) w();
    this.#readyWaiters.clear();
    const sends = this.#receipts.stop();
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

  /**
   * Resolves true once the contact's session can send (bob: alice's first message arrived), false after
   * `timeoutMs` or on stop.
   */
  sessionReady(contactId: string, timeoutMs: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#sessions.canSend(contactId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      let set = this.#readyWaiters.get(contactId);
      if (!set) {
        set = new Set();
        this.#readyWaiters.set(contactId, set);
      }
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve(this.#sessions.canSend(contactId));
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
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
    const createdAt = ctx.now();
    const stored = ctx.sql.transaction('queueing a message', () => {
      const m = ctx.chat.insertMessage({
        id,
        conversationId: row.id,
        direction: 'out',
        state: 'pending',
        createdAt,
        body: text,
      });
      ctx.chat.enqueue({ id, contactId: row.id, kind: 'text', createdAt });
      return m.row;
    });
    ctx.logger.debug('message.queued', { bytes });
    const view: MessageView = { ...stored, state: 'pending' };
    ctx.emit({ type: 'message', message: view });
    this.outbox.kick(row.id);
    return view;
  }

  /** In the joiner's contact transaction: alice speaks first, so bob's session can start sending. */
  joinerFirstItemsInTx(row: ContactRow): void {
    const net = this.#ctx.network();
    if (!net) return;
    this.#enqueueAddressUpdateInTx(
      row.id,
      encodeAddressBody(toLocator(net.peerId, net.shareable(MAX_LOCATOR_ADDRS))),
    );
  }

  contactAdded(row: ContactRow): void {
    const net = this.#ctx.network();
    if (!net) return;
    void net.presence.setAddrs(row.transport.peerId, row.transport.addrs).then(() => {
      net.presence.watch(row.transport.peerId);
      this.outbox.kick(row.id);
    });
  }

  /** A new join replaced an unconfirmed contact's session (same id): forget its in-memory state. */
  contactReplaced(row: ContactRow): void {
    this.outbox.forget(row.id);
    this.#sessions.forget(row.id);
    this.#receipts.forget(row.id);
  }

  async contactRemoved(row: ContactRow): Promise<void> {
    this.outbox.forget(row.id);
    this.#sessions.forget(row.id);
    this.#receipts.forget(row.id);
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
    this.#ctx.emit({ type: 'contact-online', contact: this.#ctx.contacts.view(seen, path), path });
    this.outbox.online(row.id);
  }

  offline(peerId: string): void {
    const row = this.#ctx.contacts.byPeer(peerId);
    if (!row) return;
    this.outbox.offline(row.id);
    this.#ctx.emit({ type: 'contact-offline', contact: this.#ctx.contacts.view(row, 'offline') });
  }

  streamLost(peerId: string): void {
    const row = this.#ctx.contacts.byPeer(peerId);
    if (row) this.outbox.streamLost(row.id);
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

  #shareAddressesIfChanged(): void {
    const ctx = this.#ctx;
    const net = ctx.network();
    if (!net || this.#stopped) return;
    const addrs = net.shareable(MAX_LOCATOR_ADDRS);
    // Only a digest is kept (our own addresses need not sit on disk in clear).
    const key = toHex(sha256Hash(new TextEncoder().encode(addrs.map(String).join(' '))));
    if (ctx.chat.setting(LAST_ADDRS_SETTING) === key) return;
    const body = encodeAddressBody(toLocator(net.peerId, addrs));
    const targets = ctx.contacts.list().filter((c) => c.verification !== 'rejected');
    ctx.sql.transaction('queueing address updates', () => {
      for (const c of targets) this.#enqueueAddressUpdateInTx(c.id, body);
      ctx.chat.setSetting(LAST_ADDRS_SETTING, key);
    });
    ctx.logger.info('addresses.shared', { contacts: targets.length, addrs: addrs.length });
    for (const c of targets) this.outbox.kick(c.id);
  }

  #enqueueAddressUpdateInTx(contactId: string, body: Uint8Array): void {
    const ctx = this.#ctx;
    ctx.chat.dropStaleAddressUpdates(contactId);
    ctx.chat.enqueue({
      id: toHex(newMessageId(ctx.rng)),
      contactId,
      kind: 'address',
      createdAt: ctx.now(),
      payload: body,
    });
  }

  // ── receiving ──

  /** One ratchet message from a contact's transport peer. Never throws. */
  async receive(peerId: string, wire: Uint8Array): Promise<void> {
    try {
      this.#receive(peerId, wire);
    } catch (error) {
      this.#ctx.logger.warn('message.receive_failed', {
        code: (error as { code?: string }).code ?? 'unknown',
      });
    }
  }

  #receive(peerId: string, wire: Uint8Array): void {
    const ctx = this.#ctx;
    const row = ctx.contacts.byPeer(peerId);
    if (!row || row.verification === 'rejected') return;
    const hash = toHex(sha256Hash(wire));
    const seen = ctx.chat.seen(hash);
    if (seen) {
      // A retransmission of something already stored: acknowledge again, change nothing.
      if (seen.contactId === row.id) this.#receipts.queue(row.id, seen.remoteId);
      return;
    }
    let decrypted: ReturnType<Sessions['decrypt']> | undefined;
    let payload: Payload;
    try {
      decrypted = this.#sessions.decrypt(row.id, wire);
      payload = decodePayload(decrypted.plaintext);
    } catch (error) {
      ctx.logger.info('message.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
      // A type from a newer pvt decrypted fine: keep the session step and acknowledge it, or the sender
      // would retransmit it forever. Its content is skipped.
      if (error instanceof UnknownPayloadTypeError && error.messageId && decrypted !== undefined) {
        const { state } = decrypted;
        const remoteId = toHex(error.messageId);
        ctx.sql.transaction('skipping an unknown message type', () => {
          ctx.chat.addSeen(hash, row.id, remoteId, ctx.now());
          this.#sessions.saveInTx(row.id, state);
        });
        this.#sessions.commit(row.id, state);
        this.#receipts.queue(row.id, remoteId);
      }
      return;
    }
    const wasReady = this.#sessions.canSend(row.id);
    const remoteId = toHex(payload.id);
    const now = ctx.now();
    switch (payload.type) {
      case 'text':
        this.#receiveText(row, payload, remoteId, hash, decrypted.state, now);
        break;
      case 'receipt':
        this.#receiveReceipt(row, payload, decrypted.state);
        break;
      case 'addressUpdate':
        this.#receiveAddresses(row, payload, remoteId, hash, decrypted.state, now);
        break;
      case 'control':
        ctx.sql.transaction('storing a control message', () => {
          ctx.chat.addSeen(hash, row.id, remoteId, now);
          this.#sessions.saveInTx(row.id, decrypted.state);
        });
        this.#sessions.commit(row.id, decrypted.state);
        this.#receipts.queue(row.id, remoteId);
        break;
    }
    // The first message from alice makes bob's session able to send: drain what waited for it.
    if (!wasReady && this.#sessions.canSend(row.id)) {
      this.outbox.kick(row.id);
      for (const w of [...(this.#readyWaiters.get(row.id) ?? [])]) w();
    }
  }

  #receiveText(
    row: ContactRow,
    payload: Payload,
    remoteId: string,
    hash: string,
    state: ReturnType<Sessions['decrypt']>['state'],
    now: number,
  ): void {
    const ctx = this.#ctx;
    const text = payloadText(payload);
    const result = ctx.sql.transaction('storing a received message', () => {
      const r = ctx.chat.insertMessage({
        id: inboundMessageId(row.id, remoteId),
        conversationId: row.id,
        direction: 'in',
        state: 'delivered',
        createdAt: now,
        body: text,
      });
      ctx.chat.addSeen(hash, row.id, remoteId, now);
      this.#sessions.saveInTx(row.id, state);
      return r;
    });
    this.#sessions.commit(row.id, state);
    // Durable: only now is it acknowledged.
    this.#receipts.queue(row.id, remoteId);
    if (!result.inserted) return;
    ctx.emit({ type: 'message', message: { ...result.row, state: 'delivered' } });
    ctx.emit({ type: 'conversation-updated', conversation: this.summary(row) });
  }

  #receiveReceipt(row: ContactRow, payload: Payload, state: ReturnType<Sessions['decrypt']>['state']): void {
    const ctx = this.#ctx;
    let ids: string[];
    try {
      ids = decodeReceiptBody(payload.body);
    } catch (error) {
      ctx.logger.info('receipt.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
      return;
    }
    const delivered: string[] = [];
    const removed: string[] = [];
    ctx.sql.transaction('applying a receipt', () => {
      for (const id of ids) {
        const item = ctx.chat.outboxItem(id);
        if (!item || item.contactId !== row.id) continue;
        ctx.chat.dequeue(id, row.id);
        removed.push(id);
        if (item.kind === 'text' && ctx.chat.setMessageState(id, 'delivered')) delivered.push(id);
      }
      this.#sessions.saveInTx(row.id, state);
    });
    this.#sessions.commit(row.id, state);
    for (const id of delivered) ctx.emit({ type: 'message-state', id, state: 'delivered' });
    if (removed.length > 0) this.outbox.delivered(row.id, removed);
  }

  #receiveAddresses(
    row: ContactRow,
    payload: Payload,
    remoteId: string,
    hash: string,
    state: ReturnType<Sessions['decrypt']>['state'],
    now: number,
  ): void {
    const ctx = this.#ctx;
    let addrs: string[] = [];
    try {
      const parsed = fromLocator(decodeAddressBody(payload.body));
      // Only addresses: the transport key of a contact never changes through an update.
      if (parsed?.peerId.toString() === row.transport.peerId) addrs = parsed.addrs.map(String);
    } catch (error) {
      ctx.logger.info('addresses.bad_update', { code: (error as { code?: string }).code ?? 'unknown' });
    }
    let updated = row;
    ctx.sql.transaction('storing an address update', () => {
      if (addrs.length > 0)
        updated = ctx.contacts.transportInTx(row, { peerId: row.transport.peerId, addrs });
      ctx.chat.addSeen(hash, row.id, remoteId, now);
      this.#sessions.saveInTx(row.id, state);
    });
    this.#sessions.commit(row.id, state);
    if (updated !== row) {
      ctx.contacts.commit(updated);
      void ctx.network()?.presence.setAddrs(row.transport.peerId, addrs);
    }
    this.#receipts.queue(row.id, remoteId);
  }

  // ── views ──

  summary(row: ContactRow): ConversationSummary {
    const last = this.#ctx.chat.lastActivity(row.id);
    return { id: row.id, title: row.name, unread: this.#ctx.chat.unread(row.id), lastActivityAt: last };
  }
}

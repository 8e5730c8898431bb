/**
 * One contact's messaging state (docs/messaging.md, "The Peer"): its ratchet session, its outgoing queue
 * (oldest first; a window in flight, each item paced by the route that took it; resend and go-back-N), the receipts it owes, its waiters (session
 * ready, queue drained), its presence (path) and its one backoff.
 *
 * `advance(what, step)` is the only place a transaction that touches the session runs: `step` works on a
 * tentative copy of the session (a SessionCursor: encrypt/decrypt return new states, nothing is mutated)
 * and writes its rows; the new session is written in the same transaction; and only after the commit
 * does the Peer make the new state current and apply the step's in-memory effects (queue, marks,
 * events, frames to send). A failed transaction leaves disk and memory at the old state, so no caller
 * can get the order wrong. Commits per message: two on the sender (queue+encrypt, delivered), one on
 * the receiver (message + dedup + session + the receipt's ratchet step); inbound frames that arrive
 * together are handled in one transaction (group commit), a lone one at once.
 *
 * Frames leave through DeliveryRoutes (route.ts); inbound frames from any route enter `inbound`. Knows
 * nothing about libp2p or the UI.
 */
import { fromHex, type Rng, toHex } from '../crypto/bytes.ts';
import { sha256Hash } from '../crypto/primitives.ts';
import { fromLocator } from '../net/addresses.ts';
import { RETRY_INITIAL_MS, RETRY_JITTER, RETRY_MAX_MS } from '../net/constants.ts';
import { UnknownPayloadTypeError } from '../protocol/errors.ts';
import { decodePayload, encodePayload, newMessageId, payloadText, textPayload } from '../protocol/payload.ts';
import {
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
  type SkipBudget,
  serializeState,
} from '../protocol/ratchet/index.ts';
import type { OutboxKind } from '../store/chat-store.ts';
import type { ContactRow, ContactsStore } from '../store/contacts-store.ts';
import type { MessageView, PathBadge } from './api.ts';
import { INBOUND_BATCH_MAX, OUTBOX_BATCH, RESEND_MAX_MS } from './constants.ts';
import type { MessagingContext } from './messaging-context.ts';
import {
  decodeAddressUpdate,
  decodeReceiptBody,
  encodeReceiptBody,
  inboundMessageId,
  MAX_RECEIPT_IDS,
} from './messaging-payload.ts';
import type { DeliveryRoute, RouteTarget } from './route.ts';
import { SkipAllowance } from './skip-budget.ts';

/** Unacknowledged items in flight per contact before the pump waits for receipts. */
const WINDOW = 4 * OUTBOX_BATCH;

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

interface QueuedItem {
  readonly id: string;
  readonly kind: OutboxKind;
  readonly createdAt: number;
  wire: Uint8Array | undefined;
}

/** The state a text shows once a route took it: 'sent' (direct) or 'stored' (in a mailbox). */
type HandedState = 'sent' | 'stored';

/** An item handed to a route and not acknowledged yet: when, and which route took it. */
interface InFlight {
  readonly at: number;
  readonly route: DeliveryRoute;
}

export interface PeerInit {
  readonly id: string;
  readonly ctx: MessagingContext;
  readonly sessions: ContactsStore;
  /** The routes to try, in order (direct first). */
  readonly routes: () => readonly DeliveryRoute[];
  /** Uniform [0, 1) for backoff jitter (injected: no global randomness in the core). */
  readonly random: () => number;
  /** Opens the session bytes of the contact (the backend is chosen by the launcher). */
  readonly openSession: (bytes: Uint8Array) => RatchetState;
  /** A received text was stored: the core emits the message and the conversation's new summary. */
  readonly onReceived: (row: ContactRow, message: MessageView) => void;
  /** An address update named the contact's mailboxes (encoded locator list): store it in this transaction. */
  readonly onMailboxesInTx?: (contactId: string, list: Uint8Array) => void;
  /**
   * An address update carried the contact's descriptor (unverified; the onion directory checks it), or
   * none (null: the contact no longer relays or serves a mailbox), inside the receive transaction.
   */
  readonly onRelayDescriptor?: (bytes: Uint8Array | null, peerId: string, contactId: string) => void;
}

export class Peer {
  readonly id: string;
  readonly #init: PeerInit;
  readonly #ctx: MessagingContext;
  #session: RatchetState | undefined;
  /** The contact's skip work allowance (per minute), charged by every decryption. */
  readonly #skip: SkipAllowance;
  /** The outgoing queue (mirror of the contact's outbox rows), oldest first. */
  #queue: Map<string, QueuedItem> | undefined;
  /** id → when and to which route it was last handed. */
  readonly #inflight = new Map<string, InFlight>();
  /** Texts handed to a route whose `sent` state is not on disk yet (it rides the next commit). */
  readonly #sentUnsaved = new Map<string, HandedState>();
  /** Texts shown as sent (in memory until delivered). */
  readonly #sent = new Map<string, HandedState>();
  #path: PathBadge = 'offline';
  #running = false;
  #again = false;
  #retryMs = RETRY_INITIAL_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Per route (by name): how long its unacknowledged items wait before they are sent again — the
   * route's `resendAfterMs`, doubling while no receipt comes, up to max(resendAfterMs, RESEND_MAX_MS).
   */
  readonly #resendWait = new Map<string, number>();
  #resendTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #inq: { wire: Uint8Array; done: () => void }[] = [];
  #drainScheduled: ReturnType<typeof setImmediate> | undefined;
  readonly #readyWaiters = new Set<() => void>();
  readonly #drainWaiters = new Set<() => void>();
  readonly #receiptSends = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(init: PeerInit) {
    this.id = init.id;
    this.#init = init;
    this.#ctx = init.ctx;
    this.#skip = new SkipAllowance({ now: init.ctx.now });
  }

  // ── the one transaction convention ──

  /**
   * Runs `step` on a tentative session inside one transaction named `what`; writes the new session (if
   * the step changed it) and any `sent` marks waiting for a commit in the same transaction; after the
   * commit, makes the session current and runs the step's `applied`. A throw rolls everything back and
   * leaves memory untouched.
   */
  advance<T>(what: string, step: (session: SessionCursor) => StepOutcome<T>): T {
    const cursor = new SessionCursor(this.#currentSession(), this.#ctx.rng, this.#skip);
    const ctx = this.#ctx;
    const riding = [...this.#sentUnsaved.keys()];
    const ridingState = new Map(this.#sentUnsaved);
    const outcome = ctx.sql.transaction(what, () => {
      const out = step(cursor);
      if (cursor.changed) this.#init.sessions.setSession(this.id, serializeState(cursor.state));
      for (const id of riding) ctx.chat.advanceState(id, 'pending', ridingState.get(id) ?? 'sent');
      return out;
    });
    this.#session = cursor.state;
    for (const id of riding) this.#sentUnsaved.delete(id);
    outcome.applied?.();
    return outcome.result;
  }

  /** Whether the session can encrypt now. */
  canSend(): boolean {
    return new SessionCursor(this.#currentSession(), this.#ctx.rng).canSend;
  }

  /** The state a message shows in memory ('sent' lives here until delivered). */
  isSent(id: string): boolean {
    return this.#sent.has(id);
  }

  /** 'sent' or 'stored' (in the contact's mailbox) once handed to a route, until delivered. */
  handedState(id: string): HandedState | undefined {
    return this.#sent.get(id);
  }

  get path(): PathBadge {
    return this.#path;
  }

  // ── sending ──

  /** Queues a text (and encrypts it when the session can send): one commit. */
  sendText(id: string, text: string, createdAt: number): MessageView {
    const ctx = this.#ctx;
    const queue = this.#outQueue();
    const view = this.advance('queueing a message', (session) => {
      const m = ctx.chat.insertMessage({
        id,
        conversationId: this.id,
        direction: 'out',
        state: 'pending',
        createdAt,
        body: text,
      });
      ctx.chat.enqueue({ id, contactId: this.id, kind: 'text', createdAt });
      let wire: Uint8Array | undefined;
      if (session.canSend) {
        wire = session.encrypt(encodePayload(textPayload(text, fromHex(id), createdAt)));
        ctx.chat.setWire(id, wire);
      }
      return {
        result: { ...m.row, state: 'pending' } as MessageView,
        applied: () => queue.set(id, { id, kind: 'text', createdAt, wire }),
      };
    });
    this.kick();
    return view;
  }

  /**
   * Queues an address update (replacing one not yet encrypted), encrypted at once when it can be; one
   * commit.
   */
  queueAddressUpdate(body: Uint8Array): void {
    const ctx = this.#ctx;
    const queue = this.#outQueue();
    const id = toHex(newMessageId(ctx.rng));
    const createdAt = ctx.now();
    this.advance('queueing an address update', (session) => {
      ctx.chat.dropStaleAddressUpdates(this.id);
      ctx.chat.enqueue({ id, contactId: this.id, kind: 'address', createdAt, payload: body });
      let wire: Uint8Array | undefined;
      if (session.canSend) {
        wire = session.encrypt(
          encodePayload({ type: 'addressUpdate', id: fromHex(id), timestampMs: createdAt, body }),
        );
        ctx.chat.setWire(id, wire);
      }
      return {
        result: undefined,
        applied: () => {
          for (const [k, item] of queue)
            if (item.kind === 'address' && item.wire === undefined) queue.delete(k);
          queue.set(id, { id, kind: 'address', createdAt, wire });
        },
      };
    });
    this.kick();
  }

  /** Something may be sendable: run the pump (now, or again after the current run). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void (async () => {
      try {
        do {
          this.#again = false;
          await this.#pumpOnce();
        } while (this.#again && !this.#stopped);
      } catch (error) {
        this.#ctx.logger.error('outbox.pump_failed', {
          code: (error as { code?: string }).code ?? 'unknown',
        });
        this.#scheduleRetry();
      } finally {
        this.#running = false;
      }
    })();
  }

  // ── presence ──

  /**
   * The contact connected: retry at once, from a fresh backoff. The pump then finds the first route
   * ready, and items waiting in a later route (the contact's mailbox) go again through it at once.
   */
  online(path: PathBadge): void {
    this.#path = path;
    this.#retryMs = RETRY_INITIAL_MS;
    this.#clearRetry();
    this.kick();
  }

  /**
   * The contact dropped: what was in flight on its connection (the first route) is sent again from the
   * oldest, now — through the next route that is ready (its mailbox), else on reconnect. Items already
   * in a later route keep their resend time.
   */
  offline(): void {
    this.#path = 'offline';
    const first = this.#init.routes()[0];
    let dropped = false;
    for (const [id, f] of this.#inflight) {
      if (f.route !== first) continue;
      this.#inflight.delete(id);
      dropped = true;
    }
    this.#armResend();
    if (dropped) this.kick();
  }

  /** The outbound stream broke: go back to the oldest unacknowledged item. */
  streamLost(): void {
    if (this.#inflight.size === 0) return;
    this.#inflight.clear();
    this.kick();
  }

  // ── waiters ──

  /** Resolves true once the session can send, false after `timeoutMs` or on stop. */
  sessionReady(timeoutMs: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.canSend()) return Promise.resolve(true);
    return this.#wait(this.#readyWaiters, timeoutMs, () => this.canSend());
  }

  /** Resolves true once the outgoing queue is empty (all acknowledged), false after `timeoutMs` or on stop. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#outQueue().size === 0) return Promise.resolve(true);
    return this.#wait(this.#drainWaiters, timeoutMs, () => this.#outQueue().size === 0);
  }

  #wait(set: Set<() => void>, timeoutMs: number, ok: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve(!this.#stopped && ok());
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  // ── receiving ──

  /**
   * One sealed ratchet frame from any route. Frames that arrive together are handled in one transaction
   * (a lone frame right after the current I/O phase). Resolves at once while the queue is short (so a
   * stream's next frames can join the batch), else when this frame was handled; with `handled` always
   * when it was handled (stored and committed, or dropped) — the mailbox route deletes a fetched
   * envelope only then. Never rejects.
   */
  inbound(wire: Uint8Array, handled = false): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wait = handled || this.#inq.length >= INBOUND_BATCH_MAX;
      this.#inq.push({ wire, done: wait ? resolve : () => undefined });
      if (!wait) resolve();
      if (this.#drainScheduled === undefined) {
        this.#drainScheduled = setImmediate(() => {
          this.#drainScheduled = undefined;
          this.#drain();
        });
      }
    });
  }

  /** Handles every queued inbound frame now (batches of INBOUND_BATCH_MAX). */
  #drain(): void {
    while (this.#inq.length > 0) {
      const batch = this.#inq.splice(0, INBOUND_BATCH_MAX);
      try {
        this.#receiveBatch(batch.map((b) => b.wire));
      } catch (error) {
        // Nothing of the batch was stored or acknowledged: the contact sends the same bytes again.
        this.#ctx.logger.warn('message.receive_failed', {
          code: (error as { code?: string }).code ?? 'unknown',
        });
      } finally {
        for (const b of batch) b.done();
      }
    }
  }

  #receiveBatch(wires: readonly Uint8Array[]): void {
    const ctx = this.#ctx;
    const row = ctx.contacts.byId(this.id);
    if (!row || row.verification === 'rejected') return;
    const wasReady = this.canSend();
    const now = ctx.now();
    const received: MessageView[] = [];
    const delivered: string[] = [];
    const deliveredTexts = new Set<string>();
    const receiptWires: Uint8Array[] = [];
    let newAddrs: string[] | undefined;
    let updated: ContactRow = row;
    this.advance('receiving messages', (session) => {
      const owe: string[] = [];
      for (const wire of wires) {
        const hash = toHex(sha256Hash(wire));
        const seen = ctx.chat.seen(hash);
        if (seen) {
          // A retransmission of something already stored: acknowledge again, change nothing.
          if (seen.contactId === this.id) owe.push(seen.remoteId);
          continue;
        }
        let plaintext: Uint8Array;
        try {
          plaintext = session.decrypt(wire);
        } catch (error) {
          ctx.logger.info('message.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
          continue;
        }
        let payload: ReturnType<typeof decodePayload>;
        try {
          payload = decodePayload(plaintext);
        } catch (error) {
          ctx.logger.info('message.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
          // A type from a newer pvt decrypted fine: keep the session step and acknowledge it, or the
          // sender would retransmit it forever. Its content is skipped.
          if (error instanceof UnknownPayloadTypeError && error.messageId) {
            const remoteId = toHex(error.messageId);
            ctx.chat.addSeen(hash, this.id, remoteId, now);
            owe.push(remoteId);
          }
          continue;
        }
        const remoteId = toHex(payload.id);
        switch (payload.type) {
          case 'text': {
            const r = ctx.chat.insertMessage({
              id: inboundMessageId(this.id, remoteId),
              conversationId: this.id,
              direction: 'in',
              state: 'delivered',
              createdAt: now,
              body: payloadText(payload),
            });
            ctx.chat.addSeen(hash, this.id, remoteId, now);
            owe.push(remoteId);
            if (r.inserted) received.push({ ...r.row, state: 'delivered' });
            break;
          }
          case 'receipt': {
            let ids: string[] = [];
            try {
              ids = decodeReceiptBody(payload.body);
            } catch (error) {
              ctx.logger.info('receipt.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
            }
            for (const id of ids) {
              if (!ctx.chat.dequeue(id, this.id)) continue;
              delivered.push(id);
              if (ctx.chat.setMessageState(id, 'delivered')) deliveredTexts.add(id);
            }
            break;
          }
          case 'addressUpdate': {
            try {
              const { locator, relayDescriptor } = decodeAddressUpdate(payload.body);
              const parsed = fromLocator(locator);
              if (parsed?.peerId.toString() === row.transport.peerId) {
                this.#init.onMailboxesInTx?.(this.id, locator.mailbox);
                // Only the contact's own relay: the directory checks the descriptor is for this PeerId.
                this.#init.onRelayDescriptor?.(relayDescriptor, row.transport.peerId, this.id);
              }
              // Only addresses: the transport key of a contact never changes through an update.
              if (parsed?.peerId.toString() === row.transport.peerId && parsed.addrs.length > 0) {
                newAddrs = parsed.addrs.map(String);
                updated = ctx.contacts.transportInTx(row, { peerId: row.transport.peerId, addrs: newAddrs });
              }
            } catch (error) {
              ctx.logger.info('addresses.bad_update', {
                code: (error as { code?: string }).code ?? 'unknown',
              });
            }
            ctx.chat.addSeen(hash, this.id, remoteId, now);
            owe.push(remoteId);
            break;
          }
          case 'control':
            ctx.chat.addSeen(hash, this.id, remoteId, now);
            owe.push(remoteId);
            break;
        }
      }
      // The receipt's ratchet step commits with what it acknowledges: it needs no commit of its own.
      const unique = [...new Set(owe)];
      if (unique.length > 0 && session.canSend) {
        for (let i = 0; i < unique.length; i += MAX_RECEIPT_IDS) {
          const body = encodeReceiptBody(unique.slice(i, i + MAX_RECEIPT_IDS));
          receiptWires.push(
            session.encrypt(
              encodePayload({ type: 'receipt', id: newMessageId(ctx.rng), timestampMs: now, body }),
            ),
          );
        }
      }
      return { result: undefined };
    });
    // Committed: apply in memory.
    if (updated !== row) {
      ctx.contacts.commit(updated);
      if (newAddrs) void ctx.network()?.presence.setAddrs(row.transport.peerId, newAddrs);
    }
    if (receiptWires.length > 0) this.#sendReceipts(receiptWires);
    if (delivered.length > 0) this.#delivered(delivered, deliveredTexts);
    for (const m of received) this.#init.onReceived(row, m);
    // The first message from alice makes bob's session able to send: drain what waited for it.
    if (!wasReady && this.canSend()) {
      this.kick();
      for (const w of [...this.#readyWaiters]) w();
    }
  }

  #delivered(ids: readonly string[], texts: ReadonlySet<string>): void {
    const queue = this.#outQueue();
    for (const id of ids) {
      queue.delete(id);
      this.#inflight.delete(id);
      this.#sent.delete(id);
      this.#sentUnsaved.delete(id);
      if (texts.has(id)) this.#ctx.emit({ type: 'message-state', id, state: 'delivered' });
    }
    if (queue.size === 0) for (const w of [...this.#drainWaiters]) w();
    this.#resendWait.clear();
    this.#armResend();
    this.kick();
  }

  /** Receipts are best-effort: a lost one costs a retransmission, which is acknowledged again. */
  #sendReceipts(wires: readonly Uint8Array[]): void {
    const target = this.#target();
    if (!target) return;
    const p = (async () => {
      for (const route of this.#init.routes()) {
        if (!(await route.ready(target, this.#abort.signal))) continue;
        await route.send(target, wires, this.#abort.signal);
        return;
      }
    })()
      .catch((error: unknown) => {
        this.#ctx.logger.debug('receipt.send_failed', {
          code: (error as { name?: string }).name ?? 'unknown',
        });
      })
      .finally(() => this.#receiptSends.delete(p));
    this.#receiptSends.add(p);
  }

  // ── the pump ──

  async #pumpOnce(): Promise<void> {
    const ctx = this.#ctx;
    const row = ctx.contacts.byId(this.id);
    const target = this.#target();
    if (!row || !target || row.verification === 'rejected') return;
    const queue = this.#outQueue();
    if (queue.size === 0) return;
    const route = await this.#readyRoute(target);
    if (!route) {
      this.#scheduleRetry();
      return;
    }
    const routes = this.#init.routes();
    const rank = (r: DeliveryRoute) => {
      const i = routes.indexOf(r);
      return i < 0 ? routes.length : i;
    };
    const rankNow = rank(route);
    for (;;) {
      if (this.#stopped) return;
      const due: QueuedItem[] = [];
      let seen = 0;
      for (const item of queue.values()) {
        if (++seen > WINDOW || due.length >= OUTBOX_BATCH) break;
        // Not in flight, or waiting in a later route than this one (in the contact's mailbox while the
        // contact can now be reached directly): send it now.
        const f = this.#inflight.get(item.id);
        if (!f || rank(f.route) > rankNow) due.push(item);
      }
      if (due.length === 0) {
        this.#armResend();
        return;
      }
      if (due.some((i) => i.wire === undefined)) this.#seal(due);
      const batch: QueuedItem[] = [];
      for (const item of due) {
        if (item.wire === undefined) break; // bob before alice's first message: wait for it
        batch.push(item);
      }
      if (batch.length === 0) return;
      try {
        await route.send(
          target,
          batch.map((b) => b.wire as Uint8Array),
          this.#abort.signal,
        );
      } catch (error) {
        ctx.logger.debug('outbox.send_failed', { code: (error as { name?: string }).name ?? 'unknown' });
        // Go back to the oldest item this route took; what waits in another route keeps its time.
        for (const [id, f] of this.#inflight) if (f.route === route) this.#inflight.delete(id);
        this.#armResend();
        this.#scheduleRetry();
        return;
      }
      if (this.#stopped) return;
      const at = ctx.now();
      for (const b of batch) {
        if (!queue.has(b.id)) continue; // delivered while the write was under way
        this.#inflight.set(b.id, { at, route });
        if (b.kind === 'text' && !this.#sent.has(b.id)) {
          const state = route.handedState ?? 'sent';
          this.#sent.set(b.id, state);
          this.#sentUnsaved.set(b.id, state);
          ctx.emit({ type: 'message-state', id: b.id, state });
        }
      }
      this.#retryMs = RETRY_INITIAL_MS;
      this.#armResend();
      if (batch.length < due.length) return;
    }
  }

  /** Encrypts queued items that have no wire yet, in order, in one commit (when the session can send). */
  #seal(items: readonly QueuedItem[]): void {
    const ctx = this.#ctx;
    if (!this.canSend()) return;
    const produced = new Map<string, Uint8Array>();
    const orphans: string[] = [];
    this.advance('encrypting queued items', (session) => {
      for (const item of items) {
        if (item.wire !== undefined) continue;
        let plaintext: Uint8Array;
        if (item.kind === 'text') {
          const message = ctx.chat.message(item.id);
          if (!message) {
            // The message row is gone (cannot happen through the API): drop the orphan item.
            ctx.chat.dequeue(item.id, this.id);
            orphans.push(item.id);
            continue;
          }
          plaintext = encodePayload(textPayload(message.body, fromHex(item.id), item.createdAt));
        } else {
          const stored = ctx.chat.outboxItem(item.id);
          plaintext = encodePayload({
            type: 'addressUpdate',
            id: fromHex(item.id),
            timestampMs: item.createdAt,
            body: stored?.payload ?? new Uint8Array(0),
          });
        }
        const wire = session.encrypt(plaintext);
        ctx.chat.setWire(item.id, wire);
        produced.set(item.id, wire);
      }
      return {
        result: undefined,
        applied: () => {
          for (const item of items) {
            const wire = produced.get(item.id);
            if (wire) item.wire = wire;
          }
          for (const id of orphans) this.#outQueue().delete(id);
        },
      };
    });
  }

  async #readyRoute(target: RouteTarget): Promise<DeliveryRoute | undefined> {
    for (const route of this.#init.routes()) {
      if (this.#stopped) return undefined;
      if (await route.ready(target, this.#abort.signal)) return route;
    }
    return undefined;
  }

  #target(): RouteTarget | undefined {
    const row = this.#ctx.contacts.byId(this.id);
    return row ? { contactId: this.id, peerId: row.transport.peerId } : undefined;
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retryTimer !== undefined) return;
    const delay = this.#retryMs * (1 + RETRY_JITTER * this.#init.random());
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.kick();
    }, delay);
    this.#retryTimer.unref?.();
  }

  #clearRetry(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** How long an item handed to `route` waits for its receipt now. */
  #resendWaitOf(route: DeliveryRoute): number {
    return this.#resendWait.get(route.name) ?? route.resendAfterMs;
  }

  /**
   * (Re)arms the one resend timer for the first in-flight item whose route's wait runs out: each item
   * waits the wait of the route that took it (direct: seconds; mailbox: minutes), so a frame deposited in
   * a mailbox is not deposited again every minute.
   */
  #armResend(): void {
    this.#clearResend();
    if (this.#stopped || this.#inflight.size === 0) return;
    let dueAt = Number.POSITIVE_INFINITY;
    for (const f of this.#inflight.values()) dueAt = Math.min(dueAt, f.at + this.#resendWaitOf(f.route));
    this.#resendTimer = setTimeout(
      () => {
        this.#resendTimer = undefined;
        this.#resendDue();
      },
      Math.max(0, dueAt - this.#ctx.now()),
    );
    this.#resendTimer.unref?.();
  }

  /** The resend timer fired: if an item waited its route's wait, go back to the oldest (go-back-N). */
  #resendDue(): void {
    if (this.#stopped || this.#inflight.size === 0) return;
    const now = this.#ctx.now();
    const late = new Set<DeliveryRoute>();
    for (const f of this.#inflight.values()) {
      if (now - f.at >= this.#resendWaitOf(f.route) - 1) late.add(f.route);
    }
    if (late.size === 0) {
      this.#armResend();
      return;
    }
    for (const route of late) {
      const cap = Math.max(route.resendAfterMs, RESEND_MAX_MS);
      this.#resendWait.set(route.name, Math.min(this.#resendWaitOf(route) * 2, cap));
    }
    this.#ctx.logger.debug('outbox.resend', { inflight: this.#inflight.size });
    this.#inflight.clear();
    this.kick();
  }

  #clearResend(): void {
    if (this.#resendTimer !== undefined) clearTimeout(this.#resendTimer);
    this.#resendTimer = undefined;
  }

  // ── state ──

  #currentSession(): RatchetState {
    if (this.#session === undefined) {
      this.#session = this.#init.openSession(this.#init.sessions.session(this.id));
    }
    return this.#session;
  }

  #outQueue(): Map<string, QueuedItem> {
    if (this.#queue === undefined) {
      const queue = new Map<string, QueuedItem>();
      for (const r of this.#ctx.chat.outbox(this.id, Number.MAX_SAFE_INTEGER)) {
        queue.set(r.id, { id: r.id, kind: r.kind, createdAt: r.createdAt, wire: r.wire ?? undefined });
      }
      this.#queue = queue;
    }
    return this.#queue;
  }

  /**
   * Handles inbound frames still queued, stops timers and the pump, wakes waiters; returns the receipt
   * sends still under way (the caller may wait briefly for them).
   */
  stop(): Promise<void>[] {
    if (this.#stopped) return [...this.#receiptSends];
    if (this.#drainScheduled !== undefined) clearImmediate(this.#drainScheduled);
    this.#drainScheduled = undefined;
    this.#drain();
    this.#stopped = true;
    this.#clearRetry();
    this.#clearResend();
    for (const w of [...this.#readyWaiters, ...this.#drainWaiters]) w();
    const sends = [...this.#receiptSends];
    return sends;
  }

  /** Stops at once, without waiting for anything (contact removed or rejected). */
  abort(): void {
    this.stop();
    this.#abort.abort();
  }
}

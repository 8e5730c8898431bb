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
 * nothing about libp2p or the UI. Its pieces live beside it: the tentative session (session-cursor.ts),
 * queue items, their queueing and sealing steps and the window (queued-items.ts), in-flight items and
 * resend pacing (resend-pacing.ts), the one backoff (retry-backoff.ts), route choice and receipt sends
 * (route-choice.ts), the inbound group commit (inbound-batch.ts), the receive step (receive-step.ts),
 * what an address update changes (address-update-receive.ts) and the waiters (waiters.ts); only
 * `advance` here runs a transaction over the session.
 */
import { toHex } from '../crypto/bytes.ts';
import { newMessageId } from '../protocol/payload.ts';
import { type RatchetState, serializeState } from '../protocol/ratchet/index.ts';
import type { ContactRow, ContactsStore } from '../store/contacts-store.ts';
import { type AddressUpdateHooks, commitAddressChange } from './address-update-receive.ts';
import type { MessageView, PathBadge } from './api.ts';
import { InboundBatch } from './inbound-batch.ts';
import type { MessagingContext } from './messaging-context.ts';
import {
  dueItems,
  loadQueue,
  type QueuedItem,
  queueAddressInTx,
  queueTextInTx,
  replaceAddressItem,
  sealQueuedInTx,
} from './queued-items.ts';
import { receiveFramesInTx } from './receive-step.ts';
import { ResendPacing } from './resend-pacing.ts';
import { RetryBackoff } from './retry-backoff.ts';
import type { DeliveryRoute, RouteTarget } from './route.ts';
import { firstReadyRoute, sendReceiptFrames } from './route-choice.ts';
import { SessionCursor, type StepOutcome } from './session-cursor.ts';
import { SkipAllowance } from './skip-budget.ts';
import { Waiters } from './waiters.ts';

/** The state a text shows once a route took it: 'sent' (direct) or 'stored' (in a mailbox). */
type HandedState = 'sent' | 'stored';

export interface PeerInit extends AddressUpdateHooks {
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
  /** What is in flight, on which route and since when; when it goes again. */
  readonly #inflight: ResendPacing;
  /** Texts handed to a route whose `sent` state is not on disk yet (it rides the next commit). */
  readonly #sentUnsaved = new Map<string, HandedState>();
  /** Texts shown as sent (in memory until delivered). */
  readonly #sent = new Map<string, HandedState>();
  #path: PathBadge = 'offline';
  #running = false;
  #again = false;
  /** The one backoff for everything it sends. */
  readonly #retry: RetryBackoff;
  /** Inbound frames waiting for their batch (group commit). */
  readonly #inbound: InboundBatch;
  readonly #readyWaiters = new Waiters();
  readonly #drainWaiters = new Waiters();
  readonly #receiptSends = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(init: PeerInit) {
    this.id = init.id;
    this.#init = init;
    this.#ctx = init.ctx;
    this.#skip = new SkipAllowance({ now: init.ctx.now });
    this.#inflight = new ResendPacing({
      now: init.ctx.now,
      logger: init.ctx.logger,
      stopped: () => this.#stopped,
      resend: () => this.kick(),
    });
    this.#retry = new RetryBackoff({
      random: init.random,
      stopped: () => this.#stopped,
      retry: () => this.kick(),
    });
    this.#inbound = new InboundBatch({
      receive: (wires) => this.#receiveBatch(wires),
      logger: init.ctx.logger,
    });
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
      const { view, item } = queueTextInTx(ctx, this.id, session, { id, body: text, createdAt });
      return { result: view, applied: () => queue.set(id, item) };
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
      const item = queueAddressInTx(ctx, this.id, session, { id, body, createdAt });
      return { result: undefined, applied: () => replaceAddressItem(queue, item) };
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
        this.#retry.schedule();
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
    this.#retry.reset();
    this.#retry.clear();
    this.kick();
  }

  /**
   * The contact dropped: what was in flight on its connection (the first route) is sent again from the
   * oldest, now — through the next route that is ready (its mailbox), else on reconnect. Items already
   * in a later route keep their resend time.
   */
  offline(): void {
    this.#path = 'offline';
    const dropped = this.#inflight.forgetRoute(this.#init.routes()[0]);
    this.#inflight.arm();
    if (dropped) this.kick();
  }

  /** The outbound stream broke: go back to the oldest unacknowledged item. */
  streamLost(): void {
    if (this.#inflight.size === 0) return;
    this.#inflight.forgetAll();
    this.kick();
  }

  // ── waiters ──

  /** Resolves true once the session can send, false after `timeoutMs` or on stop. */
  sessionReady(timeoutMs: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.canSend()) return Promise.resolve(true);
    return this.#readyWaiters.wait(timeoutMs, () => !this.#stopped && this.canSend());
  }

  /** Resolves true once the outgoing queue is empty (all acknowledged), false after `timeoutMs` or on stop. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#outQueue().size === 0) return Promise.resolve(true);
    return this.#drainWaiters.wait(timeoutMs, () => !this.#stopped && this.#outQueue().size === 0);
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
    return this.#inbound.push(wire, handled);
  }

  #receiveBatch(wires: readonly Uint8Array[]): void {
    const ctx = this.#ctx;
    const row = ctx.contacts.byId(this.id);
    if (!row || row.verification === 'rejected') return;
    const wasReady = this.canSend();
    const now = ctx.now();
    const got = this.advance('receiving messages', (session) => ({
      result: receiveFramesInTx(ctx, this.#init, row, session, wires, now),
    }));
    // Committed: apply in memory.
    commitAddressChange(ctx, row, got.addresses);
    if (got.receiptWires.length > 0) this.#sendReceipts(got.receiptWires);
    if (got.delivered.length > 0) this.#delivered(got.delivered, got.deliveredTexts);
    for (const m of got.received) this.#init.onReceived(row, m);
    // The first message from alice makes bob's session able to send: drain what waited for it.
    if (!wasReady && this.canSend()) {
      this.kick();
      this.#readyWaiters.wake();
    }
  }

  #delivered(ids: readonly string[], texts: ReadonlySet<string>): void {
    const queue = this.#outQueue();
    for (const id of ids) {
      queue.delete(id);
      this.#inflight.forget(id);
      this.#sent.delete(id);
      this.#sentUnsaved.delete(id);
      if (texts.has(id)) this.#ctx.emit({ type: 'message-state', id, state: 'delivered' });
    }
    if (queue.size === 0) this.#drainWaiters.wake();
    this.#inflight.receiptCame();
    this.#inflight.arm();
    this.kick();
  }

  /** Receipts are best-effort: a lost one costs a retransmission, which is acknowledged again. */
  #sendReceipts(wires: readonly Uint8Array[]): void {
    const target = this.#target();
    if (!target) return;
    const p = sendReceiptFrames(
      this.#init.routes(),
      target,
      wires,
      this.#abort.signal,
      this.#ctx.logger,
    ).finally(() => this.#receiptSends.delete(p));
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
    const route = await firstReadyRoute(this.#init.routes(), target, this.#abort.signal, () => this.#stopped);
    if (!route) {
      this.#retry.schedule();
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
      const due = dueItems(queue, (id) => this.#inflight.routeOf(id), rank, rankNow);
      if (due.length === 0) {
        this.#inflight.arm();
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
        this.#inflight.forgetRoute(route);
        this.#inflight.arm();
        this.#retry.schedule();
        return;
      }
      if (this.#stopped) return;
      const at = ctx.now();
      for (const b of batch) {
        if (!queue.has(b.id)) continue; // delivered while the write was under way
        this.#inflight.handed(b.id, at, route);
        if (b.kind === 'text' && !this.#sent.has(b.id)) {
          const state = route.handedState ?? 'sent';
          this.#sent.set(b.id, state);
          this.#sentUnsaved.set(b.id, state);
          ctx.emit({ type: 'message-state', id: b.id, state });
        }
      }
      this.#retry.reset();
      this.#inflight.arm();
      if (batch.length < due.length) return;
    }
  }

  /** Encrypts queued items that have no wire yet, in order, in one commit (when the session can send). */
  #seal(items: readonly QueuedItem[]): void {
    const ctx = this.#ctx;
    if (!this.canSend()) return;
    this.advance('encrypting queued items', (session) => {
      const { produced, orphans } = sealQueuedInTx(ctx, this.id, session, items);
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

  #target(): RouteTarget | undefined {
    const row = this.#ctx.contacts.byId(this.id);
    return row ? { contactId: this.id, peerId: row.transport.peerId } : undefined;
  }

  // ── state ──

  #currentSession(): RatchetState {
    if (this.#session === undefined) {
      this.#session = this.#init.openSession(this.#init.sessions.session(this.id));
    }
    return this.#session;
  }

  #outQueue(): Map<string, QueuedItem> {
    this.#queue ??= loadQueue(this.#ctx.chat, this.id);
    return this.#queue;
  }

  /**
   * Handles inbound frames still queued, stops timers and the pump, wakes waiters; returns the receipt
   * sends still under way (the caller may wait briefly for them).
   */
  stop(): Promise<void>[] {
    if (this.#stopped) return [...this.#receiptSends];
    this.#inbound.drainNow();
    this.#stopped = true;
    this.#retry.clear();
    this.#inflight.disarm();
    this.#readyWaiters.wake();
    this.#drainWaiters.wake();
    const sends = [...this.#receiptSends];
    return sends;
  }

  /** Stops at once, without waiting for anything (contact removed or rejected). */
  abort(): void {
    this.stop();
    this.#abort.abort();
  }
}

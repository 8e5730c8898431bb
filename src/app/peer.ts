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
 * nothing about libp2p or the UI. Its pieces live beside it: the tentative session (session-cursor.ts);
 * the outgoing queue, its pump, `sent` marks and backoff (outbox-pump.ts) with in-flight items and
 * resend pacing (resend-pacing.ts), queue items and their queueing and sealing steps (queued-items.ts);
 * route choice and receipt sends (route-choice.ts); the inbound group commit (inbound-batch.ts), the
 * receive step (receive-step.ts) and what an address update changes (address-update-receive.ts); the
 * waiters (waiters.ts). Only `advance` here runs a transaction over the session: the steps get the
 * tentative session as a parameter.
 */
import { toHex } from '../crypto/bytes.ts';
import { newMessageId } from '../protocol/payload.ts';
import { type RatchetState, serializeState } from '../protocol/ratchet/index.ts';
import type { ContactRow, ContactsStore } from '../store/contacts-store.ts';
import { type AddressUpdateHooks, commitAddressChange } from './address-update-receive.ts';
import type { MessageView, PathBadge } from './api.ts';
import { InboundBatch } from './inbound-batch.ts';
import type { MessagingContext } from './messaging-context.ts';
import { type HandedState, OutboxPump } from './outbox-pump.ts';
import {
  type QueuedItem,
  queueAddressInTx,
  queueTextInTx,
  replaceAddressItem,
  sealQueuedInTx,
} from './queued-items.ts';
import { receiveFramesInTx } from './receive-step.ts';
import type { DeliveryRoute, RouteTarget } from './route.ts';
import { sendReceiptFrames } from './route-choice.ts';
import { SessionCursor, type StepOutcome } from './session-cursor.ts';
import { SkipAllowance } from './skip-budget.ts';
import { Waiters } from './waiters.ts';

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
  /** The outgoing queue, its pump, what is in flight, the `sent` marks and the one backoff. */
  readonly #outbox: OutboxPump;
  #path: PathBadge = 'offline';
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
    this.#outbox = new OutboxPump({
      contactId: init.id,
      ctx: init.ctx,
      routes: init.routes,
      random: init.random,
      signal: this.#abort.signal,
      stopped: () => this.#stopped,
      target: () => this.#target(),
      seal: (items) => this.#seal(items),
      drained: () => this.#drainWaiters.wake(),
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
    const riding = this.#outbox.unsavedMarks();
    const outcome = ctx.sql.transaction(what, () => {
      const out = step(cursor);
      if (cursor.changed) this.#init.sessions.setSession(this.id, serializeState(cursor.state));
      for (const [id, state] of riding) ctx.chat.advanceState(id, 'pending', state);
      return out;
    });
    this.#session = cursor.state;
    this.#outbox.marksSaved(riding.keys());
    outcome.applied?.();
    return outcome.result;
  }

  /** Whether the session can encrypt now. */
  canSend(): boolean {
    return new SessionCursor(this.#currentSession(), this.#ctx.rng).canSend;
  }

  /** The state a message shows in memory ('sent' lives here until delivered). */
  isSent(id: string): boolean {
    return this.#outbox.handedState(id) !== undefined;
  }

  /** 'sent' or 'stored' (in the contact's mailbox) once handed to a route, until delivered. */
  handedState(id: string): HandedState | undefined {
    return this.#outbox.handedState(id);
  }

  get path(): PathBadge {
    return this.#path;
  }

  // ── sending ──

  /** Queues a text (and encrypts it when the session can send): one commit. */
  sendText(id: string, text: string, createdAt: number): MessageView {
    const ctx = this.#ctx;
    const queue = this.#outbox.queue();
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
    const queue = this.#outbox.queue();
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
    this.#outbox.kick();
  }

  // ── presence ──

  /**
   * The contact connected: retry at once, from a fresh backoff. The pump then finds the first route
   * ready, and items waiting in a later route (the contact's mailbox) go again through it at once.
   */
  online(path: PathBadge): void {
    this.#path = path;
    this.#outbox.online();
  }

  /**
   * The contact dropped: what was in flight on its connection (the first route) is sent again from the
   * oldest, now — through the next route that is ready (its mailbox), else on reconnect. Items already
   * in a later route keep their resend time.
   */
  offline(): void {
    this.#path = 'offline';
    this.#outbox.connectionLost();
  }

  /** The outbound stream broke: go back to the oldest unacknowledged item. */
  streamLost(): void {
    this.#outbox.streamLost();
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
    if (this.#outbox.queue().size === 0) return Promise.resolve(true);
    return this.#drainWaiters.wait(timeoutMs, () => !this.#stopped && this.#outbox.queue().size === 0);
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
    if (got.delivered.length > 0) this.#outbox.delivered(got.delivered, got.deliveredTexts);
    for (const m of got.received) this.#init.onReceived(row, m);
    // The first message from alice makes bob's session able to send: drain what waited for it.
    if (!wasReady && this.canSend()) {
      this.kick();
      this.#readyWaiters.wake();
    }
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
          for (const id of orphans) this.#outbox.queue().delete(id);
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

  /**
   * Handles inbound frames still queued, stops timers and the pump, wakes waiters; returns the receipt
   * sends still under way (the caller may wait briefly for them).
   */
  stop(): Promise<void>[] {
    if (this.#stopped) return [...this.#receiptSends];
    this.#inbound.drainNow();
    this.#stopped = true;
    this.#outbox.stop();
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

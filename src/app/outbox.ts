/**
 * The outbox pump (docs/messaging.md, "Delivery"): per contact, sends what the outbox holds, oldest
 * first, over the contact's chat stream. An item is encrypted once — the ratchet message and the new
 * session state commit in one transaction before the first write — and then resent as the same bytes
 * until a receipt removes it. In flight: a window of items written and not yet acknowledged; when the
 * oldest waits too long, or the contact drops, the pump goes back to the oldest unacknowledged item
 * (go-back-N, so the receiver sees them in order; it drops duplicates). Failures to reach the contact
 * retry with capped exponential backoff. One pump runs at a time per contact; timers die with stop().
 */
import { fromHex } from '../crypto/bytes.ts';
import { RETRY_INITIAL_MS, RETRY_JITTER, RETRY_MAX_MS } from '../net/constants.ts';
import { encodePayload, textPayload } from '../protocol/payload.ts';
import type { OutboxRow } from '../store/chat-store.ts';
import { OUTBOX_BATCH, RESEND_AFTER_MS, RESEND_MAX_MS } from './constants.ts';
import type { MessagingContext } from './messaging-context.ts';
import type { Sessions } from './messaging-session.ts';

/** Unacknowledged items written per contact before the pump waits for receipts. */
const WINDOW = 4 * OUTBOX_BATCH;

interface Courier {
  /** id → when it was last written (this connection). */
  readonly inflight: Map<string, number>;
  running: boolean;
  again: boolean;
  retryMs: number;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  resendMs: number;
  resendTimer: ReturnType<typeof setTimeout> | undefined;
}

export class Outbox {
  readonly #ctx: MessagingContext;
  readonly #sessions: Sessions;
  readonly #couriers = new Map<string, Courier>();
  readonly #random: () => number;
  readonly #drainWaiters = new Map<string, Set<() => void>>();
  #stopped = false;

  constructor(ctx: MessagingContext, sessions: Sessions, random: () => number = Math.random) {
    this.#ctx = ctx;
    this.#sessions = sessions;
    this.#random = random;
  }

  /** Something may be sendable for this contact: run its pump (now, or again after the current run). */
  kick(contactId: string): void {
    if (this.#stopped) return;
    const c = this.#courier(contactId);
    if (c.running) {
      c.again = true;
      return;
    }
    c.running = true;
    void (async () => {
      try {
        do {
          c.again = false;
          await this.#pumpOnce(contactId, c);
        } while (c.again && !this.#stopped);
      } catch (error) {
        this.#ctx.logger.error('outbox.pump_failed', {
          code: (error as { code?: string }).code ?? 'unknown',
        });
        this.#scheduleRetry(contactId, c);
      } finally {
        c.running = false;
      }
    })();
  }

  /** The contact connected: retry at once, from a fresh backoff. */
  online(contactId: string): void {
    const c = this.#courier(contactId);
    c.retryMs = RETRY_INITIAL_MS;
    this.#clearTimer(c, 'retryTimer');
    this.kick(contactId);
  }

  /** The contact dropped: whatever was in flight is sent again from the oldest on reconnect. */
  offline(contactId: string): void {
    const c = this.#courier(contactId);
    c.inflight.clear();
    this.#clearTimer(c, 'resendTimer');
  }

  /**
   * Resolves true once the contact's outbox is empty (everything acknowledged), false after `timeoutMs`
   * or on stop. Used by `join`, so that a short-lived process delivers alice's first message.
   */
  drained(contactId: string, timeoutMs: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#ctx.chat.outbox(contactId, 1).length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.#drainWaiters.get(contactId);
      if (!waiters) {
        waiters = new Set();
        this.#drainWaiters.set(contactId, waiters);
      }
      const set = waiters;
      const done = (ok: boolean) => {
        clearTimeout(timer);
        set.delete(waiter);
        resolve(ok);
      };
      const waiter = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      set.add(waiter);
    });
  }

  /** Receipts removed these items from the outbox. */
  delivered(contactId: string, ids: readonly string[]): void {
    const waiters = this.#drainWaiters.get(contactId);
    if (waiters && waiters.size > 0 && this.#ctx.chat.outbox(contactId, 1).length === 0) {
      for (const w of [...waiters]) w();
    }
    const c = this.#courier(contactId);
    for (const id of ids) c.inflight.delete(id);
    c.resendMs = RESEND_AFTER_MS;
    this.#clearTimer(c, 'resendTimer');
    if (c.inflight.size > 0) this.#armResend(contactId, c);
    this.kick(contactId);
  }

  /** The outbound stream broke: go back to the oldest unacknowledged item. */
  streamLost(contactId: string): void {
    const c = this.#couriers.get(contactId);
    if (!c || c.inflight.size === 0) return;
    c.inflight.clear();
    this.kick(contactId);
  }

  forget(contactId: string): void {
    const c = this.#couriers.get(contactId);
    if (!c) return;
    this.#clearTimer(c, 'retryTimer');
    this.#clearTimer(c, 'resendTimer');
    this.#couriers.delete(contactId);
  }

  stop(): void {
    this.#stopped = true;
    for (const id of [...this.#couriers.keys()]) this.forget(id);
    for (const waiters of this.#drainWaiters.values()) for (const w of [...waiters]) w();
    this.#drainWaiters.clear();
  }

  #courier(contactId: string): Courier {
    let c = this.#couriers.get(contactId);
    if (!c) {
      c = {
        inflight: new Map(),
        running: false,
        again: false,
        retryMs: RETRY_INITIAL_MS,
        retryTimer: undefined,
        resendMs: RESEND_AFTER_MS,
        resendTimer: undefined,
      };
      this.#couriers.set(contactId, c);
    }
    return c;
  }

  #clearTimer(c: Courier, which: 'retryTimer' | 'resendTimer'): void {
    if (c[which] !== undefined) clearTimeout(c[which]);
    c[which] = undefined;
  }

  #scheduleRetry(contactId: string, c: Courier): void {
    if (this.#stopped || c.retryTimer !== undefined) return;
    const delay = c.retryMs * (1 + RETRY_JITTER * this.#random());
    c.retryMs = Math.min(c.retryMs * 2, RETRY_MAX_MS);
    c.retryTimer = setTimeout(() => {
      c.retryTimer = undefined;
      this.kick(contactId);
    }, delay);
    c.retryTimer.unref?.();
  }

  #armResend(contactId: string, c: Courier): void {
    if (this.#stopped || c.resendTimer !== undefined || c.inflight.size === 0) return;
    c.resendTimer = setTimeout(() => {
      c.resendTimer = undefined;
      const oldest = Math.min(...c.inflight.values());
      if (c.inflight.size > 0 && this.#ctx.now() - oldest >= c.resendMs - 1) {
        this.#ctx.logger.debug('outbox.resend', { inflight: c.inflight.size });
        c.inflight.clear();
        c.resendMs = Math.min(c.resendMs * 2, RESEND_MAX_MS);
        this.kick(contactId);
      } else {
        this.#armResend(contactId, c);
      }
    }, c.resendMs);
    c.resendTimer.unref?.();
  }

  async #pumpOnce(contactId: string, c: Courier): Promise<void> {
    const ctx = this.#ctx;
    const net = ctx.network();
    const row = ctx.contacts.byId(contactId);
    if (!net || !row || row.verification === 'rejected') return;
    const peerId = row.transport.peerId;
    if (net.presence.path(peerId) === 'offline') {
      try {
        await net.presence.connect(peerId);
      } catch {
        this.#scheduleRetry(contactId, c);
        return;
      }
    }
    for (;;) {
      if (this.#stopped || ctx.network() !== net) return;
      const items = ctx.chat.outbox(contactId, WINDOW);
      if (items.length === 0) return;
      const due = items.filter((i) => !c.inflight.has(i.id)).slice(0, OUTBOX_BATCH);
      if (due.length === 0) {
        this.#armResend(contactId, c);
        return;
      }
      const batch: { item: OutboxRow; wire: Uint8Array }[] = [];
      for (const item of due) {
        const wire = item.wire ?? this.#seal(contactId, item);
        if (wire === undefined) break; // bob before alice's first message: wait for it
        batch.push({ item, wire });
      }
      if (batch.length === 0) return;
      try {
        await net.chat.send(
          peerId,
          batch.map((b) => b.wire),
        );
      } catch (error) {
        ctx.logger.debug('outbox.send_failed', { code: (error as { name?: string }).name ?? 'unknown' });
        c.inflight.clear();
        this.#scheduleRetry(contactId, c);
        return;
      }
      if (this.#stopped || ctx.network() !== net) return;
      const at = ctx.now();
      for (const b of batch) c.inflight.set(b.item.id, at);
      const sent: string[] = [];
      ctx.sql.transaction('marking messages sent', () => {
        for (const b of batch) {
          ctx.chat.countAttempt(b.item.id);
          if (b.item.kind === 'text' && ctx.chat.advanceState(b.item.id, 'pending', 'sent'))
            sent.push(b.item.id);
        }
      });
      for (const id of sent) ctx.emit({ type: 'message-state', id, state: 'sent' });
      c.retryMs = RETRY_INITIAL_MS;
      this.#armResend(contactId, c);
      if (batch.length < due.length) return;
    }
  }

  /** Encrypts an item once: the ratchet message and the session commit together. Undefined: not ready. */
  #seal(contactId: string, item: OutboxRow): Uint8Array | undefined {
    const ctx = this.#ctx;
    if (!this.#sessions.canSend(contactId)) return undefined;
    let plaintext: Uint8Array;
    if (item.kind === 'text') {
      const message = ctx.chat.message(item.id);
      if (!message) {
        // The message row is gone (cannot happen through the API): drop the orphan item.
        ctx.sql.transaction('dropping an orphan outbox item', () => ctx.chat.dequeue(item.id, contactId));
        return undefined;
      }
      plaintext = encodePayload(textPayload(message.body, fromHex(item.id), item.createdAt));
    } else {
      plaintext = encodePayload({
        type: 'addressUpdate',
        id: fromHex(item.id),
        timestampMs: item.createdAt,
        body: item.payload ?? new Uint8Array(0),
      });
    }
    const { state, message } = this.#sessions.encrypt(contactId, plaintext, ctx.rng);
    ctx.sql.transaction('encrypting an outbox item', () => {
      this.#sessions.saveInTx(contactId, state);
      ctx.chat.setWire(item.id, message);
    });
    this.#sessions.commit(contactId, state);
    return message;
  }
}

/**
 * A Peer's outgoing side (docs/messaging.md, "The Peer"): the queue (the mirror of the contact's outbox
 * rows, oldest first), the pump that hands a window of sealed items to the first ready route (OUTBOX_BATCH
 * per write, 4 × OUTBOX_BATCH unacknowledged), what is in flight and when it goes again (resend-pacing.ts,
 * go-back-N), the one backoff (retry-backoff.ts), and the `sent`/`stored` marks shown in memory until
 * delivered. Owns no session: items without wire bytes are sealed through the owner's `seal` (a
 * `Peer.advance` transaction), and the marks waiting for a commit ride the owner's next transaction
 * (`unsavedMarks`, then `marksSaved`). Knows nothing about receiving, libp2p or the UI.
 */
import type { MessagingContext } from './messaging-context.ts';
import { dueItems, loadQueue, type QueuedItem } from './queued-items.ts';
import { ResendPacing } from './resend-pacing.ts';
import { RetryBackoff } from './retry-backoff.ts';
import type { DeliveryRoute, RouteTarget } from './route.ts';
import { firstReadyRoute } from './route-choice.ts';

/** The state a text shows once a route took it: 'sent' (direct) or 'stored' (in a mailbox). */
export type HandedState = 'sent' | 'stored';

export interface OutboxPumpInit {
  readonly contactId: string;
  readonly ctx: MessagingContext;
  /** The routes to try, in order (direct first). */
  readonly routes: () => readonly DeliveryRoute[];
  /** Uniform [0, 1) for backoff jitter. */
  readonly random: () => number;
  /** Aborts route I/O when the owner is aborted. */
  readonly signal: AbortSignal;
  /** Whether the owner stopped. */
  readonly stopped: () => boolean;
  /** Who the routes deliver to, or undefined when the contact is gone. */
  readonly target: () => RouteTarget | undefined;
  /** Encrypts the items without wire bytes, in order, in one commit (when the session can send). */
  readonly seal: (items: readonly QueuedItem[]) => void;
  /** The queue became empty (all acknowledged). */
  readonly drained: () => void;
}

export class OutboxPump {
  readonly #init: OutboxPumpInit;
  /** The outgoing queue (mirror of the contact's outbox rows), oldest first. */
  #queue: Map<string, QueuedItem> | undefined;
  /** What is in flight, on which route and since when; when it goes again. */
  readonly #inflight: ResendPacing;
  /** The one backoff for everything it sends. */
  readonly #retry: RetryBackoff;
  /** Texts handed to a route whose `sent` state is not on disk yet (it rides the next commit). */
  readonly #sentUnsaved = new Map<string, HandedState>();
  /** Texts shown as sent (in memory until delivered). */
  readonly #sent = new Map<string, HandedState>();
  #running = false;
  #again = false;

  constructor(init: OutboxPumpInit) {
    this.#init = init;
    this.#inflight = new ResendPacing({
      now: init.ctx.now,
      logger: init.ctx.logger,
      stopped: init.stopped,
      resend: () => this.kick(),
    });
    this.#retry = new RetryBackoff({ random: init.random, stopped: init.stopped, retry: () => this.kick() });
  }

  /** The queue, loaded from the outbox rows on first use. */
  queue(): Map<string, QueuedItem> {
    this.#queue ??= loadQueue(this.#init.ctx.chat, this.#init.contactId);
    return this.#queue;
  }

  /** 'sent' or 'stored' once handed to a route, until delivered. */
  handedState(id: string): HandedState | undefined {
    return this.#sent.get(id);
  }

  /** The marks waiting for a commit (a copy, in the order they were made). */
  unsavedMarks(): Map<string, HandedState> {
    return new Map(this.#sentUnsaved);
  }

  /** Those marks are on disk now. */
  marksSaved(ids: Iterable<string>): void {
    for (const id of ids) this.#sentUnsaved.delete(id);
  }

  /** Something may be sendable: run the pump (now, or again after the current run). */
  kick(): void {
    if (this.#init.stopped()) return;
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
        } while (this.#again && !this.#init.stopped());
      } catch (error) {
        this.#init.ctx.logger.error('outbox.pump_failed', {
          code: (error as { code?: string }).code ?? 'unknown',
        });
        this.#retry.schedule();
      } finally {
        this.#running = false;
      }
    })();
  }

  /** The contact connected: retry at once, from a fresh backoff. */
  online(): void {
    this.#retry.reset();
    this.#retry.clear();
    this.kick();
  }

  /** The contact dropped: what the first route (its connection) took goes again from the oldest, now. */
  connectionLost(): void {
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

  /** A committed receipt acknowledged `ids` (`texts`: those that are texts, now delivered). */
  delivered(ids: readonly string[], texts: ReadonlySet<string>): void {
    const queue = this.queue();
    for (const id of ids) {
      queue.delete(id);
      this.#inflight.forget(id);
      this.#sent.delete(id);
      this.#sentUnsaved.delete(id);
      if (texts.has(id)) this.#init.ctx.emit({ type: 'message-state', id, state: 'delivered' });
    }
    if (queue.size === 0) this.#init.drained();
    this.#inflight.receiptCame();
    this.#inflight.arm();
    this.kick();
  }

  /** Stops the backoff and resend timers. */
  stop(): void {
    this.#retry.clear();
    this.#inflight.disarm();
  }

  async #pumpOnce(): Promise<void> {
    const { ctx, contactId } = this.#init;
    const row = ctx.contacts.byId(contactId);
    const target = this.#init.target();
    if (!row || !target || row.verification === 'rejected') return;
    const queue = this.queue();
    if (queue.size === 0) return;
    const route = await firstReadyRoute(this.#init.routes(), target, this.#init.signal, this.#init.stopped);
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
      if (this.#init.stopped()) return;
      const due = dueItems(queue, (id) => this.#inflight.routeOf(id), rank, rankNow);
      if (due.length === 0) {
        this.#inflight.arm();
        return;
      }
      if (due.some((i) => i.wire === undefined)) this.#init.seal(due);
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
          this.#init.signal,
        );
      } catch (error) {
        ctx.logger.debug('outbox.send_failed', { code: (error as { name?: string }).name ?? 'unknown' });
        // Go back to the oldest item this route took; what waits in another route keeps its time.
        this.#inflight.forgetRoute(route);
        this.#inflight.arm();
        this.#retry.schedule();
        return;
      }
      if (this.#init.stopped()) return;
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
}

/**
 * A Peer's in-flight items and their resend pacing (docs/decisions.md, "Issue 12 — resend pacing and
 * fetch"): which queued item was handed to which route and when, how long each route's items wait for
 * a receipt (the route's `resendAfterMs`, doubling while none comes, up to max(resendAfterMs,
 * RESEND_MAX_MS)), and the one timer that goes back to the oldest item (go-back-N) when a wait ran out.
 * Owns only that bookkeeping; knows nothing about sessions, stores or the queue's contents — going back
 * means forgetting what is in flight and asking the owner to run its pump (`resend`).
 */
import type { Logger } from '../log/logger.ts';
import { RESEND_MAX_MS } from './constants.ts';
import type { DeliveryRoute } from './route.ts';

/** An item handed to a route and not acknowledged yet: when, and which route took it. */
interface InFlight {
  readonly at: number;
  readonly route: DeliveryRoute;
}

export interface ResendPacingInit {
  readonly now: () => number;
  readonly logger: Logger;
  /** Whether the owner stopped: no timer is armed and none fires then. */
  readonly stopped: () => boolean;
  /** A wait ran out and the in-flight items were forgotten: send again from the oldest. */
  readonly resend: () => void;
}

export class ResendPacing {
  readonly #init: ResendPacingInit;
  /** id → when and to which route it was last handed. */
  readonly #inflight = new Map<string, InFlight>();
  /**
   * Per route (by name): how long its unacknowledged items wait before they are sent again — the
   * route's `resendAfterMs`, doubling while no receipt comes, up to max(resendAfterMs, RESEND_MAX_MS).
   */
  readonly #resendWait = new Map<string, number>();
  #resendTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(init: ResendPacingInit) {
    this.#init = init;
  }

  /** How many items are in flight. */
  get size(): number {
    return this.#inflight.size;
  }

  /** The route that took item `id`, while it is in flight. */
  routeOf(id: string): DeliveryRoute | undefined {
    return this.#inflight.get(id)?.route;
  }

  /** Item `id` was handed to `route` at `at`. */
  handed(id: string, at: number, route: DeliveryRoute): void {
    this.#inflight.set(id, { at, route });
  }

  /** Item `id` is no longer in flight (acknowledged). */
  forget(id: string): void {
    this.#inflight.delete(id);
  }

  /** Forgets what `route` took (it goes again from the oldest); returns whether there was any. */
  forgetRoute(route: DeliveryRoute | undefined): boolean {
    let dropped = false;
    for (const [id, f] of this.#inflight) {
      if (f.route !== route) continue;
      this.#inflight.delete(id);
      dropped = true;
    }
    return dropped;
  }

  /** Forgets everything in flight (go back to the oldest item). */
  forgetAll(): void {
    this.#inflight.clear();
  }

  /** A receipt came: every route's wait starts again from its `resendAfterMs`. */
  receiptCame(): void {
    this.#resendWait.clear();
  }

  /**
   * (Re)arms the one resend timer for the first in-flight item whose route's wait runs out: each item
   * waits the wait of the route that took it (direct: seconds; mailbox: minutes), so a frame deposited in
   * a mailbox is not deposited again every minute.
   */
  arm(): void {
    this.disarm();
    if (this.#init.stopped() || this.#inflight.size === 0) return;
    let dueAt = Number.POSITIVE_INFINITY;
    for (const f of this.#inflight.values()) dueAt = Math.min(dueAt, f.at + this.#waitOf(f.route));
    this.#resendTimer = setTimeout(
      () => {
        this.#resendTimer = undefined;
        this.#due();
      },
      Math.max(0, dueAt - this.#init.now()),
    );
    this.#resendTimer.unref?.();
  }

  /** Stops the resend timer. */
  disarm(): void {
    if (this.#resendTimer !== undefined) clearTimeout(this.#resendTimer);
    this.#resendTimer = undefined;
  }

  /** How long an item handed to `route` waits for its receipt now. */
  #waitOf(route: DeliveryRoute): number {
    return this.#resendWait.get(route.name) ?? route.resendAfterMs;
  }

  /** The resend timer fired: if an item waited its route's wait, go back to the oldest (go-back-N). */
  #due(): void {
    if (this.#init.stopped() || this.#inflight.size === 0) return;
    const now = this.#init.now();
    const late = new Set<DeliveryRoute>();
    for (const f of this.#inflight.values()) {
      if (now - f.at >= this.#waitOf(f.route) - 1) late.add(f.route);
    }
    if (late.size === 0) {
      this.arm();
      return;
    }
    for (const route of late) {
      const cap = Math.max(route.resendAfterMs, RESEND_MAX_MS);
      this.#resendWait.set(route.name, Math.min(this.#waitOf(route) * 2, cap));
    }
    this.#init.logger.debug('outbox.resend', { inflight: this.#inflight.size });
    this.#inflight.clear();
    this.#init.resend();
  }
}

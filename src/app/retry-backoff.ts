/**
 * A Peer's one backoff for everything it sends (docs/messaging.md, "The Peer"): when no route is ready
 * or a send failed, run the pump again after RETRY_INITIAL_MS with jitter, doubling up to RETRY_MAX_MS;
 * a successful send or the contact coming online starts it again from the beginning. Owns the delay and
 * its one timer; knows nothing about routes, the queue or sessions (`retry` runs the owner's pump).
 */
import { RETRY_INITIAL_MS, RETRY_JITTER, RETRY_MAX_MS } from '../net/constants.ts';

export interface RetryBackoffInit {
  /** Uniform [0, 1) for the jitter (injected: no global randomness in the core). */
  readonly random: () => number;
  /** Whether the owner stopped: no timer is armed then. */
  readonly stopped: () => boolean;
  /** The delay ran out: try again. */
  readonly retry: () => void;
}

export class RetryBackoff {
  readonly #init: RetryBackoffInit;
  #retryMs = RETRY_INITIAL_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(init: RetryBackoffInit) {
    this.#init = init;
  }

  /** Arms the retry timer (unless one is armed) and doubles the next delay. */
  schedule(): void {
    if (this.#init.stopped() || this.#retryTimer !== undefined) return;
    const delay = this.#retryMs * (1 + RETRY_JITTER * this.#init.random());
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#init.retry();
    }, delay);
    this.#retryTimer.unref?.();
  }

  /** The next delay starts again from RETRY_INITIAL_MS (an armed timer stays). */
  reset(): void {
    this.#retryMs = RETRY_INITIAL_MS;
  }

  /** Stops the armed timer, if any. */
  clear(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}

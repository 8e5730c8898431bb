/**
 * One contact's bound on the ratchet's skip work: it may make us derive at most
 * SKIP_BUDGET_KEYS_PER_MINUTE message keys for skipped messages per minute (a token bucket refilled
 * continuously, full at start). One message may still skip up to RATCHET_MAX_FORWARD_JUMP (25,000) keys;
 * without this bound a contact could send such a message again and again (≈ 0.35 s of CPU each). A
 * message refused for the budget fails with RatchetSkipLimit and leaves the session unchanged; the
 * sender's queue retries it later. Knows the clock; nothing about sessions or storage.
 */
import type { SkipBudget } from '../protocol/ratchet/index.ts';
import { SKIP_BUDGET_KEYS_PER_MINUTE } from './constants.ts';

const MINUTE_MS = 60_000;

export class SkipAllowance {
  readonly #now: () => number;
  readonly #perMinute: number;
  #tokens: number;
  #at: number;

  constructor(options: { now: () => number; keysPerMinute?: number }) {
    this.#now = options.now;
    this.#perMinute = options.keysPerMinute ?? SKIP_BUDGET_KEYS_PER_MINUTE;
    this.#tokens = this.#perMinute;
    this.#at = this.#now();
  }

  /** Runs `work` with the remaining budget and keeps what it did not spend (success or not). */
  spend<T>(work: (budget: SkipBudget) => T): T {
    const now = this.#now();
    const budget: SkipBudget = {
      remaining: Math.min(
        this.#perMinute,
        this.#tokens + (Math.max(0, now - this.#at) * this.#perMinute) / MINUTE_MS,
      ),
    };
    try {
      return work(budget);
    } finally {
      this.#tokens = budget.remaining;
      this.#at = now;
    }
  }
}

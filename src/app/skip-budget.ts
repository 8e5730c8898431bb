/**
 * Per-contact bound on the ratchet's skip work: a contact may make us derive at most
 * SKIP_BUDGET_KEYS_PER_MINUTE message keys for skipped messages per minute (a token bucket refilled
 * continuously, full at start). One message may still skip up to RATCHET_MAX_FORWARD_JUMP (25,000) keys;
 * without this bound a contact could send such a message again and again (≈ 0.35 s of CPU each). A
 * message refused for the budget fails with RatchetSkipLimit and leaves the session unchanged; the
 * sender's outbox retries it later. Knows contact ids and the clock; nothing about sessions or storage.
 */
import type { SkipBudget } from '../protocol/ratchet/index.ts';
import { SKIP_BUDGET_KEYS_PER_MINUTE } from './constants.ts';

const MINUTE_MS = 60_000;

export class SkipBudgets {
  readonly #now: () => number;
  readonly #perMinute: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { now?: () => number; keysPerMinute?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#perMinute = options.keysPerMinute ?? SKIP_BUDGET_KEYS_PER_MINUTE;
  }

  /** Runs `work` with the contact's remaining budget and keeps what it did not spend. */
  spend<T>(contactId: string, work: (budget: SkipBudget) => T): T {
    const now = this.#now();
    const bucket = this.#buckets.get(contactId) ?? { tokens: this.#perMinute, at: now };
    const refilled = Math.min(
      this.#perMinute,
      bucket.tokens + (Math.max(0, now - bucket.at) * this.#perMinute) / MINUTE_MS,
    );
    const budget: SkipBudget = { remaining: refilled };
    try {
      return work(budget);
    } finally {
      if (budget.remaining >= this.#perMinute) this.#buckets.delete(contactId);
      else this.#buckets.set(contactId, { tokens: budget.remaining, at: now });
    }
  }
}

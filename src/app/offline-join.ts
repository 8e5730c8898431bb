/**
 * Offline joins (docs/protocol/mailbox.md, "Offline join"): a join whose inviter is away, run through
 * the join slots of the mailboxes its invite names, on either side, **durably**. Each side keeps one
 * sealed row (pending-joins-store.ts) holding what it needs to go on after a restart — its handshake
 * state (state-codec.ts), the message it must (re)deposit, and the hash of the message it last acted
 * on — and writes it before it deposits, and before it lets the mailbox delete what it read. So:
 * - a message read from a mailbox is deleted only after the reader stored what it did with it;
 * - a message we must send is stored before it is deposited, and deposited again until it is taken
 *   (the same bytes in the same epoch make the same envelopes: the mailbox keeps one copy);
 * - a restart on either side, at any step, resumes the join where it was.
 * This is the coordinator: it owns the rows, the joins running (one per row), the frames to delete,
 * the rounds (resume, read the requests of live invites, sweep what expired) and what the UI is shown;
 * the steps are the joiner's (offline-joiner.ts) and the inviter's (offline-inviter.ts). The handshake
 * (src/protocol/handshake) and its commit-reveal order are unchanged. Knows nothing about streams; the
 * contact rows are Invites' (hooks).
 */

import type { Invite } from '../protocol/invite/invite-code.ts';
import { decodeInviteBytes } from '../protocol/invite/invite-code.ts';
import { MAILBOX_TTL_SECONDS } from '../protocol/mailbox/constants.ts';
import { createPendingJoinsStore, type PendingJoinsStore } from '../store/pending-joins-store.ts';
import type { PendingJoinView } from './api.ts';
import { JOIN_SLOT_SWEEP_GRACE_MS } from './constants.ts';
import type { JoinedContact } from './invite-contacts.ts';
import type { MessagingContext } from './messaging-context.ts';
import { JoinInterruptedError } from './messaging-errors.ts';
import { OfflineInviter } from './offline-inviter.ts';
import {
  codeOf,
  JOIN_EXPIRED_TEXT,
  type JoinRuntime,
  mailboxesOf,
  type OfflineJoinHooks,
  slotsOf,
  viewOf,
} from './offline-join-runtime.ts';
import { OfflineJoiner } from './offline-joiner.ts';

export type { OfflineJoinHooks } from './offline-join-runtime.ts';

type Runner = Promise<JoinedContact | undefined>;

export class OfflineJoins {
  readonly #ctx: MessagingContext;
  readonly #hooks: OfflineJoinHooks;
  readonly #store: PendingJoinsStore;
  /** Joins being run, by row id (the joiner's random id, or the inviter's invite id). */
  readonly #running = new Map<string, Runner>();
  /** Frames acted on, by row or invite id: deleted from the mailboxes at the next fetch there. */
  readonly #discard = new Map<string, Set<string>>();
  /** Expired invites whose join slots were emptied during this run. */
  readonly #swept = new Set<string>();
  readonly #rt: JoinRuntime;
  readonly #joiner: OfflineJoiner;
  readonly #inviter: OfflineInviter;
  #signal: AbortSignal | undefined;

  constructor(ctx: MessagingContext, hooks: OfflineJoinHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.#store = createPendingJoinsStore(ctx.sql);
    this.#rt = {
      ctx,
      hooks,
      store: this.#store,
      stopSignal: () => this.#signal ?? new AbortController().signal,
      discardSet: (id) => this.#discardSet(id),
      forgetDiscards: (id) => this.#discard.delete(id),
      drop: (id, failure) => this.#drop(id, failure),
      isRunning: (id) => this.#running.has(id),
      startInviter: (id) => void this.#start(id, 'inviter').catch(() => undefined),
    };
    this.#joiner = new OfflineJoiner(this.#rt);
    this.#inviter = new OfflineInviter(this.#rt);
    this.#sweepRows(false); // opened without the network too: an expired join's state goes at once
  }

  /** Resolves once every join running has stopped (after the tick's signal aborted: profile closing). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }

  /** Whether an invite names mailboxes we could reach (the joiner's fallback). */
  usable(invite: Invite): boolean {
    return this.#hooks.slots.transport() !== undefined && mailboxesOf(invite).length > 0;
  }

  /** What is waiting, for the UI (no secret: names, steps, times). */
  pending(): PendingJoinView[] {
    // An expired row is dropped at open and at every round (or by its runner); not shown meanwhile.
    const now = this.#ctx.now();
    return this.#store
      .list()
      .filter((row) => row.expiresAt > now)
      .map(viewOf);
  }

  /**
   * One round (on start and every poll period): drops expired joins, resumes every stored join not
   * running, reads the request slots of each live invite that names mailboxes and is not being answered,
   * and empties the join slots of invites that expired (once per run).
   */
  async tick(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    this.#sweepRows(true);
    for (const row of this.#store.list()) {
      if (signal.aborted) return;
      if (!this.#running.has(row.id)) void this.#start(row.id, row.role).catch(() => undefined);
    }
    const ctx = this.#ctx;
    for (const id of ctx.invites.liveIds(ctx.now())) {
      if (signal.aborted) return;
      if (this.#running.has(id)) continue;
      await this.#inviter.readRequests(id, signal).catch((error: unknown) => {
        ctx.logger.info('invite.mailbox_failed', { code: codeOf(error) });
      });
    }
    await this.#sweepExpiredInvites(signal).catch((error: unknown) => {
      ctx.logger.info('invite.mailbox_failed', { code: codeOf(error) });
    });
  }

  /** The joiner: stores message 1, then runs the join until it completes; resolves with the contact. */
  async join(invite: Invite, alias: string | undefined, signal?: AbortSignal): Promise<JoinedContact> {
    const id = this.#joiner.begin(invite, alias);
    const run = this.#start(id, 'joiner');
    if (!signal) return (await run) as JoinedContact;
    // The caller may stop waiting; the join goes on (and is resumed after a restart).
    return await new Promise<JoinedContact>((resolve, reject) => {
      const onAbort = () => reject(new JoinInterruptedError('waiting in the mailbox'));
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v as JoinedContact);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  #start(id: string, role: 'joiner' | 'inviter'): Runner {
    const existing = this.#running.get(id);
    if (existing) return existing;
    const run = (
      role === 'joiner' ? this.#joiner.run(id) : this.#inviter.run(id).then(() => undefined)
    ).finally(() => {
      this.#running.delete(id);
    });
    this.#running.set(id, run);
    return run;
  }

  #discardSet(id: string): Set<string> {
    let set = this.#discard.get(id);
    if (!set) {
      set = new Set();
      this.#discard.set(id, set);
    }
    return set;
  }

  /** Drops a row and tells the UI (with why, and what the list showed, when it ends without a contact). */
  #drop(id: string, failure?: string): void {
    const row = failure === undefined ? undefined : this.#store.get(id);
    this.#store.remove(id);
    this.#discard.delete(id);
    this.#ctx.emit({
      type: 'join-ended',
      id,
      ...(failure === undefined ? {} : { failure, ...(row ? { join: viewOf(row) } : {}) }),
    });
  }

  /** Drops the rows of expired joins that no runner holds (a runner drops its own and tells its caller). */
  #sweepRows(tell: boolean): void {
    const now = this.#ctx.now();
    for (const row of this.#store.list()) {
      if (row.expiresAt > now || this.#running.has(row.id)) continue;
      if (tell) this.#drop(row.id, JOIN_EXPIRED_TEXT);
      else this.#store.remove(row.id);
      this.#ctx.logger.info('join.expired_dropped', { role: row.role });
    }
  }

  /**
   * Empties the join slots of our invites that expired more than the grace ago (and less than the
   * mailbox's TTL: older envelopes are gone anyway), once per run: unread refusals, an answer nobody
   * took, requests that came too late. Both directions: we read the requests, and read our replies as a
   * joiner would; the mailbox deletes by capability, which the invite secret gives.
   */
  async #sweepExpiredInvites(signal: AbortSignal): Promise<void> {
    const ctx = this.#ctx;
    const now = ctx.now();
    const graceMs = this.#hooks.slots.sweepGraceMs ?? JOIN_SLOT_SWEEP_GRACE_MS;
    const recent = new Set(ctx.invites.liveIds(now - graceMs));
    for (const id of ctx.invites.liveIds(now - MAILBOX_TTL_SECONDS * 1000)) {
      if (signal.aborted) return;
      if (recent.has(id) || this.#swept.has(id) || this.#running.has(id)) continue;
      const stored = ctx.invites.get(id);
      const invite = stored ? decodeInviteBytes(stored.invite) : undefined;
      if (invite && mailboxesOf(invite).length > 0) {
        const requests = await slotsOf(this.#rt, invite, 'reply').fetch('all', signal);
        const replies = await slotsOf(this.#rt, invite, 'request').fetch('all', signal);
        if (requests.reached === 0 || replies.reached === 0) continue; // tried again next round
        ctx.logger.info('invite.join_slots_swept');
      }
      this.#swept.add(id);
      this.#discard.delete(id);
    }
  }
}

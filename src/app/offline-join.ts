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
 * The joiner: message 1 stored, deposited; message 2 read → message 3 and the new state stored in one
 * write, message 2 discarded; message 4 read → contact stored and row dropped in one transaction. The
 * inviter: message 1 read → attempt counted, message 2 and the state stored, deposited, message 1
 * discarded; message 3 read → contact stored, invite consumed and message 4 stored in one transaction,
 * message 4 deposited, then the row dropped. The handshake (src/protocol/handshake) and its
 * commit-reveal order are unchanged. Knows nothing about streams; the contact rows are Invites' (hooks).
 */
import { fromHex, toHex } from '../crypto/bytes.ts';
import type { MailboxTransport } from '../net/mailbox/transport.ts';
import { MAX_JOIN_ATTEMPTS_PER_INVITE } from '../protocol/constants.ts';
import { InviteExpiredError, ProtocolError } from '../protocol/errors.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterResponse,
} from '../protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../protocol/handshake/joiner.ts';
import {
  decodeInviterAwaitingReveal,
  decodeJoinerAwaitingConfirm,
  decodeJoinerAwaitingResponse,
  encodeInviterAwaitingReveal,
  encodeJoinerAwaitingConfirm,
  encodeJoinerAwaitingResponse,
} from '../protocol/handshake/state-codec.ts';
import type { JoinResult as HandshakeResult, InviterRevealed } from '../protocol/handshake/types.ts';
import { peekMessageType } from '../protocol/handshake/wire.ts';
import { samePublicIdentity } from '../protocol/identity.ts';
import { decodeInviteBytes, encodeInviteBytes, type Invite } from '../protocol/invite/invite-code.ts';
import type { TransportLocator } from '../protocol/invite/locator.ts';
import { MAILBOX_TTL_SECONDS } from '../protocol/mailbox/constants.ts';
import { decodeMailboxLocators, type MailboxLocator } from '../protocol/mailbox/locator.ts';
import { formatSasDigits } from '../protocol/sas.ts';
import {
  createPendingJoinsStore,
  type PendingJoinRow,
  type PendingJoinsStore,
} from '../store/pending-joins-store.ts';
import type { PendingJoinView } from './api.ts';
import {
  JOIN_ANSWER_WAIT_MS,
  JOIN_SLOT_FIRST_POLL_MS,
  JOIN_SLOT_MAX_POLL_MS,
  JOIN_SLOT_SWEEP_GRACE_MS,
} from './constants.ts';
import { checkRefusal, isRefusal, type Reason, refusalTarget, targetedRefusal } from './invite-refusals.ts';
import type { AcceptOutcome, JoinedContact } from './invites.ts';
import { frameHash, JoinSlots, type SlotFrame } from './mailbox-join.ts';
import type { MessagingContext } from './messaging-context.ts';
import { AlreadyContactError, JoinInterruptedError } from './messaging-errors.ts';

export interface OfflineJoinHooks {
  readonly slots: {
    readonly transport: () => MailboxTransport | undefined;
    readonly pollMs: number;
    readonly answerWaitMs?: number;
    readonly sweepGraceMs?: number;
  };
  readonly ourLocator: () => TransportLocator;
  /** The joiner's contact from a completed handshake; `inTx` runs in its transaction. */
  readonly storeJoined: (
    result: HandshakeResult,
    invite: Invite,
    alias: string | undefined,
    inTx: () => void,
  ) => JoinedContact;
  /** The inviter's contact for an authenticated reveal; `inTx(confirm)` runs in its transaction. */
  readonly acceptReveal: (
    revealed: InviterRevealed,
    id: string,
    alias: string | null,
    inTx: (confirm: Uint8Array) => void,
  ) => AcceptOutcome;
}

/** The sealed part of a joiner's row. */
interface JoinerState {
  readonly step: 'awaiting-response' | 'awaiting-confirm';
  /** The invite (binary, secret included). */
  readonly invite: string;
  readonly alias: string | null;
  /** The encoded handshake state (state-codec.ts), base64. */
  readonly hs: string;
  /** The message to (re)deposit: 1, then 3. */
  readonly out: string;
  /** The hash of message 2 once acted on (deleted from the mailbox from then on). */
  readonly answered: string | null;
  /** The hash of message 1: a refusal naming it (or `out`) is ours. Absent in rows of earlier builds. */
  readonly request?: string;
  /** The inviter's announced name and the SAS, once message 2 is read. */
  readonly name: string | null;
  readonly sas: string | null;
}

/** The sealed part of an inviter's row (its id is the invite id). */
interface InviterState {
  /** awaiting-reveal: message 2 out, waiting for 3; sending: message 4 (or a refusal) out, then done. */
  readonly step: 'awaiting-reveal' | 'sending';
  readonly hs: string | null;
  readonly out: string;
  /** The hash of message 1 (then of message 3) acted on: deleted from the mailbox once `out` is taken. */
  readonly answered: string;
  /** Given up: the hash of our message 2, deleted from our reply slots once the refusal is out. */
  readonly withdraw?: string;
}

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
  #signal: AbortSignal | undefined;

  constructor(ctx: MessagingContext, hooks: OfflineJoinHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.#store = createPendingJoinsStore(ctx.sql);
    this.#sweepRows(false); // opened without the network too: an expired join's state goes at once
  }

  /** Drops the rows of expired joins that no runner holds (a runner drops its own and tells its caller). */
  #sweepRows(tell: boolean): void {
    const now = this.#ctx.now();
    for (const row of this.#store.list()) {
      if (row.expiresAt > now || this.#running.has(row.id)) continue;
      if (tell) this.#drop(row.id);
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
        const requests = await this.#slots(invite, 'reply').fetch('all', signal);
        const replies = await this.#slots(invite, 'request').fetch('all', signal);
        if (requests.reached === 0 || replies.reached === 0) continue; // tried again next round
        ctx.logger.info('invite.join_slots_swept');
      }
      this.#swept.add(id);
      this.#discard.delete(id);
    }
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
      .map((row) => this.#view(row));
  }

  #view(row: PendingJoinRow): PendingJoinView {
    if (row.role === 'joiner') {
      const st = row.state as unknown as JoinerState;
      return {
        id: row.id,
        role: 'joiner',
        name: st.alias ?? st.name,
        step: st.step === 'awaiting-response' ? 'waiting-for-inviter' : 'waiting-for-confirmation',
        sas: st.sas,
        since: row.createdAt,
        expiresAt: row.expiresAt,
      };
    }
    return {
      id: row.id,
      role: 'inviter',
      name: null,
      step: 'answering',
      sas: null,
      since: row.createdAt,
      expiresAt: row.expiresAt,
    };
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
      await this.#readRequests(id, signal).catch((error: unknown) => {
        ctx.logger.info('invite.mailbox_failed', { code: codeOf(error) });
      });
    }
    await this.#sweepExpiredInvites(signal).catch((error: unknown) => {
      ctx.logger.info('invite.mailbox_failed', { code: codeOf(error) });
    });
  }

  /** The joiner: stores message 1, then runs the join until it completes; resolves with the contact. */
  async join(invite: Invite, alias: string | undefined, signal?: AbortSignal): Promise<JoinedContact> {
    const ctx = this.#ctx;
    const first = createJoinRequest({
      invite,
      identity: ctx.identity,
      locator: this.#hooks.ourLocator(),
      nowMs: ctx.now(),
      rng: ctx.rng,
    });
    const state: JoinerState = {
      step: 'awaiting-response',
      invite: toBase64(encodeInviteBytes(invite)),
      alias: alias ?? null,
      hs: toBase64(encodeJoinerAwaitingResponse(first.state)),
      out: toBase64(first.message),
      answered: null,
      request: frameHash(first.message),
      name: null,
      sas: null,
    };
    const row: PendingJoinRow = {
      id: toHex(ctx.rng(16)),
      role: 'joiner',
      createdAt: ctx.now(),
      expiresAt: invite.expiresAtSeconds * 1000,
      state: { ...state },
    };
    this.#store.put(row);
    const run = this.#start(row.id, 'joiner');
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
      role === 'joiner' ? this.#runJoiner(id) : this.#runInviter(id).then(() => undefined)
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

  #stopSignal(): AbortSignal {
    return this.#signal ?? new AbortController().signal;
  }

  /** Drops a row and tells the UI. */
  #drop(id: string): void {
    this.#store.remove(id);
    this.#discard.delete(id);
    this.#ctx.emit({ type: 'join-ended', id });
  }

  // ── joiner ──────────────────────────────────────────────────────────────────────────────────────

  async #runJoiner(id: string): Promise<JoinedContact> {
    const ctx = this.#ctx;
    const signal = this.#stopSignal();
    const discard = this.#discardSet(id);
    let deposited: string | undefined;
    let wait = firstWait(this.#hooks.slots.pollMs);
    for (;;) {
      if (signal.aborted)
        throw new JoinInterruptedError('the profile closed; the join resumes on the next start');
      const row = this.#store.get(id);
      if (!row) throw new JoinInterruptedError('the join was dropped');
      const st = row.state as unknown as JoinerState;
      const invite = decodeInviteBytes(fromBase64(st.invite));
      if (ctx.now() >= row.expiresAt) {
        this.#drop(id);
        ctx.logger.info('join.failed', { code: 'InviteExpired', via: 'mailbox' });
        throw new InviteExpiredError(invite.expiresAtSeconds);
      }
      const slots = this.#slots(invite, 'request');
      // Read before (re)sending: after a restart, what waits for us (an answer, a refusal) comes first.
      const { frames } = await slots.fetch(discard, signal);
      const outcome = this.#joinerRound(id, row, st, invite, frames);
      const advanced = outcome === 'advanced';
      if (outcome !== 'advanced' && outcome !== 'waiting') {
        // Done (the contact stored, or refused) and the row gone: delete what we read (best effort).
        await slots.fetch(discard, signal).catch(() => undefined);
        this.#discard.delete(id);
        if ('refused' in outcome) {
          ctx.logger.info('join.refused', { via: 'mailbox' });
          checkRefusal(outcome.refused, invite.expiresAtSeconds); // throws the refusal's error
          throw new JoinInterruptedError('refused');
        }
        return outcome;
      }
      if (!advanced && deposited !== st.out) {
        try {
          await slots.deposit(fromBase64(st.out), signal);
          deposited = st.out;
          ctx.logger.debug('join.step', {
            step: st.step === 'awaiting-response' ? 'sent-request' : 'sent-reveal',
          });
          // Said once the request is really in a mailbox (pvt join's progress line, the TUI's panel).
          if (st.step === 'awaiting-response') ctx.emit({ type: 'join-pending', join: this.#view(row) });
        } catch (error) {
          ctx.logger.info('join_slot.deposit_retry', { code: codeOf(error) });
        }
      }
      if (advanced) {
        wait = firstWait(this.#hooks.slots.pollMs);
        continue;
      }
      await sleep(Math.min(wait, Math.max(1, row.expiresAt - ctx.now())), signal);
      wait = Math.min(wait * 2, maxWait(this.#hooks.slots.pollMs));
    }
  }

  /**
   * One fetch of the reply slots: a handshake message that moves this join on wins (it is authenticated);
   * else a refusal naming one of our messages (message 1's first: the inviter gave up on our request)
   * ends the join, its row dropped and the refusal marked for deletion; else we wait.
   */
  #joinerRound(
    id: string,
    row: PendingJoinRow,
    st: JoinerState,
    invite: Invite,
    frames: readonly SlotFrame[],
  ): 'waiting' | 'advanced' | JoinedContact | { readonly refused: Uint8Array } {
    for (const f of frames) {
      if (isRefusal(f.frame)) continue;
      const outcome = this.#joinerFrame(id, row, st, invite, f.frame, f.hash);
      if (outcome !== 'ignored') return outcome;
    }
    const request = st.request ?? (st.step === 'awaiting-response' ? hashOf(st.out) : undefined);
    const ours = [request, hashOf(st.out)];
    const rank = (f: SlotFrame): number => {
      const target = refusalTarget(f.frame);
      return target === undefined ? -1 : ours.indexOf(target);
    };
    const refused = frames.filter((f) => rank(f) >= 0).sort((a, b) => rank(a) - rank(b))[0];
    if (!refused) return 'waiting';
    this.#discardSet(id).add(refused.hash);
    this.#drop(id);
    return { refused: refused.frame };
  }

  /** One frame from the reply slots: ignored (not ours, or not yet), advanced (stored), or the contact. */
  #joinerFrame(
    id: string,
    row: PendingJoinRow,
    st: JoinerState,
    invite: Invite,
    frame: Uint8Array,
    hash: string,
  ): 'ignored' | 'advanced' | JoinedContact {
    const ctx = this.#ctx;
    if (hash === st.answered) {
      this.#discardSet(id).add(hash); // message 2 again: already acted on
      return 'ignored';
    }
    try {
      if (st.step === 'awaiting-response') {
        if (peekMessageType(frame) !== 'inviterResponse') return 'ignored';
        const ready = consumeInviterResponse(
          decodeJoinerAwaitingResponse(fromBase64(st.hs), ctx.identity),
          frame,
        );
        const dup = ctx.contacts.list().find((c) => samePublicIdentity(c.peer, ready.inviter.identity));
        if (dup) {
          this.#drop(id);
          throw new AlreadyContactError(dup.name);
        }
        const reveal = createJoinerReveal(ready, ctx.rng, { backend: ctx.backend });
        const next: JoinerState = {
          ...st,
          step: 'awaiting-confirm',
          hs: toBase64(encodeJoinerAwaitingConfirm(reveal.state)),
          out: toBase64(reveal.message),
          answered: hash,
          name: ready.inviter.displayName,
          sas: formatSasDigits(ready.sas),
        };
        const stored = { ...row, state: { ...next } };
        this.#store.put(stored);
        this.#discardSet(id).add(hash);
        ctx.logger.debug('join.step', { step: 'got-response' });
        ctx.emit({ type: 'join-pending', join: this.#view(stored) });
        return 'advanced';
      }
      if (peekMessageType(frame) !== 'inviterConfirm') return 'ignored';
      const result = consumeInviterConfirm(decodeJoinerAwaitingConfirm(fromBase64(st.hs)), frame);
      ctx.logger.debug('join.step', { step: 'got-confirm' });
      const joined = this.#hooks.storeJoined(result, invite, st.alias ?? undefined, () =>
        this.#store.removeInTx(id),
      );
      this.#discardSet(id).add(hash);
      ctx.emit({ type: 'join-ended', id });
      ctx.logger.info('join.done', { via: 'mailbox' });
      return joined;
    } catch (error) {
      if (error instanceof AlreadyContactError) throw error;
      // Not a message of this join (another joiner of the same invite, or garbage): leave it.
      ctx.logger.info('join_slot.frame_ignored', { code: codeOf(error) });
      return 'ignored';
    }
  }

  // ── inviter ─────────────────────────────────────────────────────────────────────────────────────

  /** Reads an invite's request slots once; a new request gets message 2 stored and a runner. */
  async #readRequests(id: string, signal: AbortSignal): Promise<void> {
    const ctx = this.#ctx;
    const stored = ctx.invites.get(id);
    if (!stored) return;
    const invite = decodeInviteBytes(stored.invite);
    if (mailboxesOf(invite).length === 0) return;
    const slots = this.#slots(invite, 'reply');
    const discard = this.#discardSet(id);
    const { frames } = await slots.fetch(discard, signal);
    const requests: SlotFrame[] = [];
    const strays: SlotFrame[] = [];
    for (const f of frames) {
      let type: string;
      try {
        type = peekMessageType(f.frame);
      } catch {
        discard.add(f.hash);
        continue;
      }
      (type === 'joinRequest' ? requests : strays).push(f);
    }
    for (const f of requests) {
      if (signal.aborted || this.#running.has(id)) return;
      ctx.logger.info('invite.mailbox_request');
      const inviterInvite = { invite, identity: ctx.identity, locator: this.#hooks.ourLocator() };
      let received: ReturnType<typeof consumeJoinRequest>;
      try {
        received = consumeJoinRequest(inviterInvite, f.frame, ctx.now());
      } catch (error) {
        await this.#refuse(
          slots,
          discard,
          f.hash,
          error instanceof InviteExpiredError ? 'expired' : 'unknown',
          signal,
        );
        continue;
      }
      const current = ctx.invites.get(id);
      if (current?.state !== 'open') {
        ctx.logger.info('invite.reuse_refused');
        await this.#refuse(slots, discard, f.hash, 'used', signal);
        continue;
      }
      if (current.attempts >= MAX_JOIN_ATTEMPTS_PER_INVITE) {
        ctx.logger.warn('invite.attempts_exhausted');
        await this.#refuse(slots, discard, f.hash, 'revoked', signal);
        continue;
      }
      // Each answered request is one 10^-6 chance for a man in the middle who holds the code: counted
      // durably before answering; message 2 and its state are stored before they leave.
      ctx.invites.recordAttempt(id);
      const response = createInviterResponse(received, ctx.rng);
      const state: InviterState = {
        step: 'awaiting-reveal',
        hs: toBase64(encodeInviterAwaitingReveal(response.state)),
        out: toBase64(response.message),
        answered: f.hash,
      };
      const row: PendingJoinRow = {
        id,
        role: 'inviter',
        createdAt: ctx.now(),
        expiresAt: stored.expiresAt,
        state: { ...state },
      };
      this.#store.put(row);
      ctx.emit({ type: 'join-pending', join: this.#view(row) });
      void this.#start(id, 'inviter').catch(() => undefined);
      return; // a reveal found here is the new answer's business
    }
    // No request answered: a reveal here has no answer waiting for it. While the invite is open that
    // answer was given up (or the reveal is forged): its sender is told. Once used, the join is over.
    const open = ctx.invites.get(id)?.state === 'open';
    for (const f of strays) {
      if (signal.aborted) return;
      if (open) await this.#refuse(slots, discard, f.hash, 'abandoned', signal);
      else discard.add(f.hash);
    }
  }

  /** Deposits a refusal naming the message it answers; that message is discarded once the refusal is taken. */
  async #refuse(
    slots: JoinSlots,
    discard: Set<string>,
    hash: string,
    reason: Reason,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await slots.deposit(targetedRefusal(reason, fromHex(hash)), signal);
      discard.add(hash);
    } catch (error) {
      this.#ctx.logger.info('join_slot.deposit_retry', { code: codeOf(error) });
    }
  }

  async #runInviter(id: string): Promise<void> {
    const ctx = this.#ctx;
    const signal = this.#stopSignal();
    const discard = this.#discardSet(id);
    let deposited: string | undefined;
    let wait = firstWait(this.#hooks.slots.pollMs);
    for (;;) {
      if (signal.aborted) return;
      const row = this.#store.get(id);
      if (!row) return;
      const st = row.state as unknown as InviterState;
      const stored = ctx.invites.get(id);
      if (!stored || ctx.now() >= row.expiresAt) {
        this.#drop(id);
        ctx.logger.info('invite.mailbox_failed', { code: 'InviteExpired' });
        return;
      }
      const invite = decodeInviteBytes(stored.invite);
      const slots = this.#slots(invite, 'reply');
      if (deposited !== st.out) {
        try {
          await slots.deposit(fromBase64(st.out), signal);
          deposited = st.out;
          discard.add(st.answered); // acted on, and what we answered is now in the mailbox
          // Info, not debug: crash tests wait for it (no secret, no name).
          ctx.logger.info(
            st.step === 'awaiting-reveal' ? 'invite.mailbox_answered' : 'invite.mailbox_last_sent',
          );
        } catch (error) {
          ctx.logger.info('join_slot.deposit_retry', { code: codeOf(error) });
        }
      }
      if (deposited === st.out && st.step === 'sending') {
        // Given up: our message 2 is taken back, so that its joiner reads the refusal alone.
        if (st.withdraw) await this.#withdraw(invite, st.withdraw, signal).catch(() => undefined);
        this.#drop(id);
        await slots.fetch(discard, signal).catch(() => undefined); // delete message 3 (best effort)
        // A late copy of a given-up request is deleted, not answered again (until a restart).
        if (st.withdraw) this.#discardSet(id).add(st.answered);
        return;
      }
      if (deposited === st.out) {
        const { frames } = await slots.fetch(discard, signal);
        let advanced = false;
        let contended = false;
        for (const f of frames) {
          if (f.hash === st.answered) continue; // message 1 again: discarded above
          const outcome = this.#inviterFrame(id, row, st, stored.alias, invite, f.frame, f.hash);
          if (outcome === 'advanced') {
            advanced = true;
            break;
          }
          if (outcome === 'request') contended = true;
          // A reveal that does not verify: its sender is told; this answer waits on for its own.
          if (outcome === 'rejected') await this.#refuse(slots, discard, f.hash, 'rejected', signal);
        }
        if (!advanced && contended && this.#answerStale(row)) {
          this.#giveUp(row, st);
          advanced = true;
        }
        if (advanced) {
          wait = firstWait(this.#hooks.slots.pollMs);
          continue;
        }
      }
      await sleep(Math.min(wait, Math.max(1, row.expiresAt - ctx.now())), signal);
      wait = Math.min(wait * 2, maxWait(this.#hooks.slots.pollMs));
    }
  }

  /** Whether an answer still without message 3 is old enough to give way to a waiting request. */
  #answerStale(row: PendingJoinRow): boolean {
    const st = row.state as unknown as InviterState;
    const waitMs = this.#hooks.slots.answerWaitMs ?? JOIN_ANSWER_WAIT_MS;
    return st.step === 'awaiting-reveal' && this.#ctx.now() - row.createdAt >= waitMs;
  }

  /**
   * Gives up an answer (the attempt stays counted): a refusal naming its request is stored as the last
   * thing to send, with our message 2 to withdraw; the runner then sends it and drops the row, and the
   * next round answers the waiting request.
   */
  #giveUp(row: PendingJoinRow, st: InviterState): void {
    const next: InviterState = {
      step: 'sending',
      hs: null,
      out: toBase64(targetedRefusal('abandoned', fromHex(st.answered))),
      answered: st.answered,
      withdraw: hashOf(st.out),
    };
    this.#store.put({ ...row, state: { ...next } });
    this.#ctx.logger.info('invite.mailbox_gave_up');
  }

  /** Deletes one of our own messages from our reply slots (read as the joiner reads them). */
  async #withdraw(invite: Invite, hash: string, signal: AbortSignal): Promise<void> {
    await this.#slots(invite, 'request').fetch(new Set([hash]), signal);
  }

  /**
   * One frame from the request slots while message 3 is awaited: advanced (the row moved on), request
   * (another joiner's, waiting), rejected (a reveal that does not verify), or ignored.
   */
  #inviterFrame(
    id: string,
    row: PendingJoinRow,
    st: InviterState,
    alias: string | null,
    invite: Invite,
    frame: Uint8Array,
    hash: string,
  ): 'ignored' | 'advanced' | 'request' | 'rejected' {
    const ctx = this.#ctx;
    let type: string;
    try {
      type = peekMessageType(frame);
    } catch {
      this.#discardSet(id).add(hash);
      return 'ignored';
    }
    // Another joiner's request waits until this join ends (then: "used", or answered).
    if (type === 'joinRequest') return 'request';
    if (type !== 'joinerReveal' || st.hs === null) return 'ignored';
    const inviterInvite = { invite, identity: ctx.identity, locator: this.#hooks.ourLocator() };
    let revealed: InviterRevealed;
    try {
      revealed = consumeJoinerReveal(
        decodeInviterAwaitingReveal(fromBase64(st.hs), inviterInvite),
        frame,
        ctx.now(),
      );
    } catch (error) {
      // Not the reveal of this join (a forged one, or one made against another message 2): refused.
      ctx.logger.warn('invite.mailbox_reveal_rejected', { code: codeOf(error) });
      return 'rejected';
    }
    ctx.logger.debug('invite.step', { step: 'got-reveal' });
    const sending = (out: Uint8Array): PendingJoinRow => ({
      ...row,
      state: { step: 'sending', hs: null, out: toBase64(out), answered: hash } satisfies InviterState,
    });
    const target = fromHex(hash);
    const outcome = this.#hooks.acceptReveal(revealed, id, alias, (confirm) =>
      this.#store.putInTx(sending(confirm)),
    );
    if ('refuse' in outcome) {
      if (outcome.error instanceof ProtocolError)
        ctx.logger.warn('invite.mailbox_refused', { code: outcome.error.code });
      this.#store.put(sending(targetedRefusal(outcome.refuse, target)));
      return 'advanced';
    }
    outcome.announce();
    return 'advanced';
  }

  #slots(invite: Invite, writes: 'request' | 'reply'): JoinSlots {
    return new JoinSlots({
      inviteSecret: invite.secret,
      writes,
      mailboxes: mailboxesOf(invite),
      transport: this.#hooks.slots.transport,
      rng: this.#ctx.rng,
      now: this.#ctx.now,
      logger: this.#ctx.logger,
    });
  }
}

function mailboxesOf(invite: Invite): MailboxLocator[] {
  if (invite.inviter.mailbox.length === 0) return [];
  try {
    return decodeMailboxLocators(invite.inviter.mailbox);
  } catch {
    return [];
  }
}

/** The name of a stored (base64) message, as the mailbox's reader names it. */
function hashOf(base64: string): string {
  return frameHash(fromBase64(base64));
}

function firstWait(pollMs: number): number {
  return Math.min(JOIN_SLOT_FIRST_POLL_MS, pollMs);
}

function maxWait(pollMs: number): number {
  return Math.min(JOIN_SLOT_MAX_POLL_MS, pollMs);
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | undefined)?.code ?? 'error');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

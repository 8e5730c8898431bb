/**
 * The inviter's side of an offline join (docs/protocol/mailbox.md, "Offline join"): reading an invite's
 * request slots and answering one request at a time — message 1 read → attempt counted, message 2 and
 * the state stored, deposited, message 1 discarded; message 3 read → contact stored, invite consumed and
 * message 4 stored in one transaction (Invites' hook), message 4 deposited, then the row dropped —,
 * refusals naming the message they answer (used, expired, revoked, a reveal that does not verify, a
 * reveal with no answer waiting), and giving up an answer left without its reveal when another request
 * waits (JOIN_ANSWER_WAIT_MS; the attempt stays counted, message 2 withdrawn). Knows nothing of the
 * joiner's side or of streams; runs on what the coordinator (offline-join.ts) lends it.
 */
import { fromHex } from '../crypto/bytes.ts';
import { MAX_JOIN_ATTEMPTS_PER_INVITE } from '../protocol/constants.ts';
import { InviteExpiredError, ProtocolError } from '../protocol/errors.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterResponse,
} from '../protocol/handshake/inviter.ts';
import {
  decodeInviterAwaitingReveal,
  encodeInviterAwaitingReveal,
} from '../protocol/handshake/state-codec.ts';
import type { InviterRevealed } from '../protocol/handshake/types.ts';
import { peekMessageType } from '../protocol/handshake/wire.ts';
import { decodeInviteBytes, type Invite } from '../protocol/invite/invite-code.ts';
import type { PendingJoinRow } from '../store/pending-joins-store.ts';
import { JOIN_ANSWER_WAIT_MS } from './constants.ts';
import { type Reason, targetedRefusal } from './invite-refusals.ts';
import type { JoinSlots, SlotFrame } from './mailbox-join.ts';
import {
  codeOf,
  firstWait,
  fromBase64,
  hashOf,
  type InviterState,
  JOIN_EXPIRED_TEXT,
  JOIN_GIVEN_UP_TEXT,
  type JoinRuntime,
  mailboxesOf,
  maxWait,
  sleep,
  slotsOf,
  toBase64,
  viewOf,
} from './offline-join-runtime.ts';

export class OfflineInviter {
  readonly #rt: JoinRuntime;

  constructor(rt: JoinRuntime) {
    this.#rt = rt;
  }

  /** Reads an invite's request slots once; a new request gets message 2 stored and a runner. */
  async readRequests(id: string, signal: AbortSignal): Promise<void> {
    const ctx = this.#rt.ctx;
    const stored = ctx.invites.get(id);
    if (!stored) return;
    const invite = decodeInviteBytes(stored.invite);
    if (mailboxesOf(invite).length === 0) return;
    const slots = slotsOf(this.#rt, invite, 'reply');
    const discard = this.#rt.discardSet(id);
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
      if (type === 'joinRequest') requests.push(f);
      else if (type === 'joinerReveal') strays.push(f);
      else discard.add(f.hash); // not a joiner's message: nobody's business here
    }
    for (const f of requests) {
      if (signal.aborted || this.#rt.isRunning(id)) return;
      ctx.logger.info('invite.mailbox_request');
      const inviterInvite = { invite, identity: ctx.identity, locator: this.#rt.hooks.ourLocator() };
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
      this.#rt.store.put(row);
      ctx.emit({ type: 'join-pending', join: viewOf(row) });
      this.#rt.startInviter(id);
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
      this.#rt.ctx.logger.info('join_slot.deposit_retry', { code: codeOf(error) });
    }
  }

  async run(id: string): Promise<void> {
    const ctx = this.#rt.ctx;
    const signal = this.#rt.stopSignal();
    const discard = this.#rt.discardSet(id);
    let deposited: string | undefined;
    let wait = firstWait(this.#rt.hooks.slots.pollMs);
    for (;;) {
      if (signal.aborted) return;
      const row = this.#rt.store.get(id);
      if (!row) return;
      const st = row.state as unknown as InviterState;
      const stored = ctx.invites.get(id);
      if (!stored || ctx.now() >= row.expiresAt) {
        this.#rt.drop(id, stored ? JOIN_EXPIRED_TEXT : 'the invite no longer exists');
        ctx.logger.info('invite.mailbox_failed', { code: 'InviteExpired' });
        return;
      }
      const invite = decodeInviteBytes(stored.invite);
      const slots = slotsOf(this.#rt, invite, 'reply');
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
        this.#rt.drop(id, st.withdraw ? JOIN_GIVEN_UP_TEXT : undefined);
        await slots.fetch(discard, signal).catch(() => undefined); // delete message 3 (best effort)
        // A late copy of a given-up request is deleted, not answered again (until a restart).
        if (st.withdraw) this.#rt.discardSet(id).add(st.answered);
        return;
      }
      if (deposited === st.out) {
        const { frames } = await slots.fetch(discard, signal);
        let advanced = false;
        let contended = false;
        for (const f of frames) {
          if (f.hash === st.answered) continue; // message 1 again: discarded above
          const outcome = this.#frame(id, row, st, stored.alias, invite, f.frame, f.hash);
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
          wait = firstWait(this.#rt.hooks.slots.pollMs);
          continue;
        }
      }
      await sleep(Math.min(wait, Math.max(1, row.expiresAt - ctx.now())), signal);
      wait = Math.min(wait * 2, maxWait(this.#rt.hooks.slots.pollMs));
    }
  }

  /** Whether an answer still without message 3 is old enough to give way to a waiting request. */
  #answerStale(row: PendingJoinRow): boolean {
    const st = row.state as unknown as InviterState;
    const waitMs = this.#rt.hooks.slots.answerWaitMs ?? JOIN_ANSWER_WAIT_MS;
    return st.step === 'awaiting-reveal' && this.#rt.ctx.now() - row.createdAt >= waitMs;
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
    this.#rt.store.put({ ...row, state: { ...next } });
    this.#rt.ctx.logger.info('invite.mailbox_gave_up');
  }

  /** Deletes one of our own messages from our reply slots (read as the joiner reads them). */
  async #withdraw(invite: Invite, hash: string, signal: AbortSignal): Promise<void> {
    await slotsOf(this.#rt, invite, 'request').fetch(new Set([hash]), signal);
  }

  /**
   * One frame from the request slots while message 3 is awaited: advanced (the row moved on), request
   * (another joiner's, waiting), rejected (a reveal that does not verify), or ignored.
   */
  #frame(
    id: string,
    row: PendingJoinRow,
    st: InviterState,
    alias: string | null,
    invite: Invite,
    frame: Uint8Array,
    hash: string,
  ): 'ignored' | 'advanced' | 'request' | 'rejected' {
    const ctx = this.#rt.ctx;
    let type: string;
    try {
      type = peekMessageType(frame);
    } catch {
      this.#rt.discardSet(id).add(hash);
      return 'ignored';
    }
    // Another joiner's request waits until this join ends (then: "used", or answered).
    if (type === 'joinRequest') return 'request';
    if (type !== 'joinerReveal' || st.hs === null) return 'ignored';
    const inviterInvite = { invite, identity: ctx.identity, locator: this.#rt.hooks.ourLocator() };
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
    const outcome = this.#rt.hooks.acceptReveal(revealed, id, alias, (confirm) =>
      this.#rt.store.putInTx(sending(confirm)),
    );
    if ('refuse' in outcome) {
      if (outcome.error instanceof ProtocolError)
        ctx.logger.warn('invite.mailbox_refused', { code: outcome.error.code });
      this.#rt.store.put(sending(targetedRefusal(outcome.refuse, target)));
      return 'advanced';
    }
    outcome.announce();
    return 'advanced';
  }
}

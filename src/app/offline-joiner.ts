/**
 * The joiner's side of an offline join (docs/protocol/mailbox.md, "Offline join"): message 1 stored,
 * then deposited in the request slots; message 2 read → message 3 and the new state stored in one
 * write, message 2 discarded; message 4 read → contact stored (Invites' hook) and row dropped in one
 * transaction. Each round reads the reply slots before it (re)deposits: a handshake message that moves
 * the join on wins over a refusal (it is authenticated); a refusal naming one of our messages ends the
 * join with its error and is deleted. Knows nothing of the inviter's side, of streams or of the rows of
 * other joins; runs on what the coordinator (offline-join.ts) lends it.
 */
import { toHex } from '../crypto/bytes.ts';
import { InviteExpiredError } from '../protocol/errors.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../protocol/handshake/joiner.ts';
import {
  decodeJoinerAwaitingConfirm,
  decodeJoinerAwaitingResponse,
  encodeJoinerAwaitingConfirm,
  encodeJoinerAwaitingResponse,
} from '../protocol/handshake/state-codec.ts';
import { peekMessageType } from '../protocol/handshake/wire.ts';
import { samePublicIdentity } from '../protocol/identity.ts';
import { decodeInviteBytes, encodeInviteBytes, type Invite } from '../protocol/invite/invite-code.ts';
import { formatSasDigits } from '../protocol/sas.ts';
import type { PendingJoinRow } from '../store/pending-joins-store.ts';
import type { JoinedContact } from './invite-contacts.ts';
import { checkRefusal, isRefusal, refusalTarget, refusalText } from './invite-refusals.ts';
import { frameHash, type SlotFrame } from './mailbox-join.ts';
import { AlreadyContactError, JoinInterruptedError } from './messaging-errors.ts';
import {
  codeOf,
  firstWait,
  fromBase64,
  hashOf,
  JOIN_EXPIRED_TEXT,
  type JoinerState,
  type JoinRuntime,
  maxWait,
  sleep,
  slotsOf,
  toBase64,
  viewOf,
} from './offline-join-runtime.ts';

export class OfflineJoiner {
  readonly #rt: JoinRuntime;

  constructor(rt: JoinRuntime) {
    this.#rt = rt;
  }

  /** Stores message 1 of a new join (durable on return); returns the row's id, for `run`. */
  begin(invite: Invite, alias: string | undefined): string {
    const ctx = this.#rt.ctx;
    const first = createJoinRequest({
      invite,
      identity: ctx.identity,
      locator: this.#rt.hooks.ourLocator(),
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
    this.#rt.store.put(row);
    return row.id;
  }

  /** Runs a stored join until it completes (the contact), is refused or expires (its error). */
  async run(id: string): Promise<JoinedContact> {
    const ctx = this.#rt.ctx;
    const signal = this.#rt.stopSignal();
    const discard = this.#rt.discardSet(id);
    let deposited: string | undefined;
    let wait = firstWait(this.#rt.hooks.slots.pollMs);
    for (;;) {
      if (signal.aborted)
        throw new JoinInterruptedError('the profile closed; the join resumes on the next start');
      const row = this.#rt.store.get(id);
      if (!row) throw new JoinInterruptedError('the join was dropped');
      const st = row.state as unknown as JoinerState;
      const invite = decodeInviteBytes(fromBase64(st.invite));
      if (ctx.now() >= row.expiresAt) {
        this.#rt.drop(id, JOIN_EXPIRED_TEXT);
        ctx.logger.info('join.failed', { code: 'InviteExpired', via: 'mailbox' });
        throw new InviteExpiredError(invite.expiresAtSeconds);
      }
      const slots = slotsOf(this.#rt, invite, 'request');
      // Read before (re)sending: after a restart, what waits for us (an answer, a refusal) comes first.
      const { frames } = await slots.fetch(discard, signal);
      const outcome = this.#round(id, row, st, invite, frames);
      const advanced = outcome === 'advanced';
      if (outcome !== 'advanced' && outcome !== 'waiting') {
        // Done (the contact stored, or refused) and the row gone: delete what we read (best effort).
        await slots.fetch(discard, signal).catch(() => undefined);
        this.#rt.forgetDiscards(id);
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
          if (st.step === 'awaiting-response') ctx.emit({ type: 'join-pending', join: viewOf(row) });
        } catch (error) {
          ctx.logger.info('join_slot.deposit_retry', { code: codeOf(error) });
        }
      }
      if (advanced) {
        wait = firstWait(this.#rt.hooks.slots.pollMs);
        continue;
      }
      await sleep(Math.min(wait, Math.max(1, row.expiresAt - ctx.now())), signal);
      wait = Math.min(wait * 2, maxWait(this.#rt.hooks.slots.pollMs));
    }
  }

  /**
   * One fetch of the reply slots: a handshake message that moves this join on wins (it is authenticated);
   * else a refusal naming one of our messages (message 1's first: the inviter gave up on our request)
   * ends the join, its row dropped and the refusal marked for deletion; else we wait.
   */
  #round(
    id: string,
    row: PendingJoinRow,
    st: JoinerState,
    invite: Invite,
    frames: readonly SlotFrame[],
  ): 'waiting' | 'advanced' | JoinedContact | { readonly refused: Uint8Array } {
    for (const f of frames) {
      if (isRefusal(f.frame)) continue;
      const outcome = this.#frame(id, row, st, invite, f.frame, f.hash);
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
    this.#rt.discardSet(id).add(refused.hash);
    this.#rt.drop(id, refusalText(refused.frame, invite.expiresAtSeconds));
    return { refused: refused.frame };
  }

  /** One frame from the reply slots: ignored (not ours, or not yet), advanced (stored), or the contact. */
  #frame(
    id: string,
    row: PendingJoinRow,
    st: JoinerState,
    invite: Invite,
    frame: Uint8Array,
    hash: string,
  ): 'ignored' | 'advanced' | JoinedContact {
    const ctx = this.#rt.ctx;
    if (hash === st.answered) {
      this.#rt.discardSet(id).add(hash); // message 2 again: already acted on
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
          const error = new AlreadyContactError(dup.name);
          this.#rt.drop(id, error.message);
          throw error;
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
        this.#rt.store.put(stored);
        this.#rt.discardSet(id).add(hash);
        ctx.logger.debug('join.step', { step: 'got-response' });
        ctx.emit({ type: 'join-pending', join: viewOf(stored) });
        return 'advanced';
      }
      if (peekMessageType(frame) !== 'inviterConfirm') return 'ignored';
      const result = consumeInviterConfirm(decodeJoinerAwaitingConfirm(fromBase64(st.hs)), frame);
      ctx.logger.debug('join.step', { step: 'got-confirm' });
      const joined = this.#rt.hooks.storeJoined(result, invite, st.alias ?? undefined, () =>
        this.#rt.store.removeInTx(id),
      );
      this.#rt.discardSet(id).add(hash);
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
}

/**
 * What both sides of an offline join share (docs/protocol/mailbox.md, "Offline join"): the hooks into
 * Invites, the shapes of the sealed rows (pending-joins-store.ts) of a joiner and of an inviter, the
 * runtime the coordinator (offline-join.ts) lends to each side (offline-joiner.ts, offline-inviter.ts)
 * — the store, the running joins, the frames to delete — and small helpers (the join slots of an
 * invite, the polling pace, base64). Knows no step of either side and nothing about streams.
 */
import type { MailboxTransport } from '../net/mailbox/transport.ts';
import type { JoinResult as HandshakeResult, InviterRevealed } from '../protocol/handshake/types.ts';
import type { Invite } from '../protocol/invite/invite-code.ts';
import type { TransportLocator } from '../protocol/invite/locator.ts';
import { decodeMailboxLocators, type MailboxLocator } from '../protocol/mailbox/locator.ts';
import type { PendingJoinRow, PendingJoinsStore } from '../store/pending-joins-store.ts';
import type { PendingJoinView } from './api.ts';
import { JOIN_SLOT_FIRST_POLL_MS, JOIN_SLOT_MAX_POLL_MS } from './constants.ts';
import type { AcceptOutcome, JoinedContact } from './invite-contacts.ts';
import { frameHash, JoinSlots } from './mailbox-join.ts';
import type { MessagingContext } from './messaging-context.ts';

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
export interface JoinerState {
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
export interface InviterState {
  /** awaiting-reveal: message 2 out, waiting for 3; sending: message 4 (or a refusal) out, then done. */
  readonly step: 'awaiting-reveal' | 'sending';
  readonly hs: string | null;
  readonly out: string;
  /** The hash of message 1 (then of message 3) acted on: deleted from the mailbox once `out` is taken. */
  readonly answered: string;
  /** Given up: the hash of our message 2, deleted from our reply slots once the refusal is out. */
  readonly withdraw?: string;
}

/** What the coordinator lends each side. */
export interface JoinRuntime {
  readonly ctx: MessagingContext;
  readonly hooks: OfflineJoinHooks;
  readonly store: PendingJoinsStore;
  /** The current round's signal: aborted when the profile closes. */
  stopSignal(): AbortSignal;
  /** Frames acted on, by row or invite id: deleted from the mailboxes at the next fetch there. */
  discardSet(id: string): Set<string>;
  forgetDiscards(id: string): void;
  /** Drops a row and tells the UI (with why, when the join ends without a contact). */
  drop(id: string, failure?: string): void;
  /** Whether a join (or an answer to an invite) is being run. */
  isRunning(id: string): boolean;
  /** Runs the inviter's side of a stored row. */
  startInviter(id: string): void;
}

/** Why a join that ran out of time ended (a `join-ended` event's `failure`). */
export const JOIN_EXPIRED_TEXT = 'the invite expired before the join completed';
/** Why the inviter's answer to a join ended without a contact: it gave up waiting for the joiner. */
export const JOIN_GIVEN_UP_TEXT = 'the joiner did not answer while another join was waiting';

/** What the UI is shown of a row (no secret: names, steps, times). */
export function viewOf(row: PendingJoinRow): PendingJoinView {
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

/** The join slots of an invite, writing `writes` (the joiner `request`, the inviter `reply`). */
export function slotsOf(rt: JoinRuntime, invite: Invite, writes: 'request' | 'reply'): JoinSlots {
  return new JoinSlots({
    inviteSecret: invite.secret,
    writes,
    mailboxes: mailboxesOf(invite),
    transport: rt.hooks.slots.transport,
    rng: rt.ctx.rng,
    now: rt.ctx.now,
    logger: rt.ctx.logger,
  });
}

export function mailboxesOf(invite: Invite): MailboxLocator[] {
  if (invite.inviter.mailbox.length === 0) return [];
  try {
    return decodeMailboxLocators(invite.inviter.mailbox);
  } catch {
    return [];
  }
}

/** The name of a stored (base64) message, as the mailbox's reader names it. */
export function hashOf(base64: string): string {
  return frameHash(fromBase64(base64));
}

/** The polling pace while a side waits for the other's next message: first, then doubling up to max. */
export function firstWait(pollMs: number): number {
  return Math.min(JOIN_SLOT_FIRST_POLL_MS, pollMs);
}

export function maxWait(pollMs: number): number {
  return Math.min(JOIN_SLOT_MAX_POLL_MS, pollMs);
}

export function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | undefined)?.code ?? 'error');
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

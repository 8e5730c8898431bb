/**
 * Refusals of a join (docs/messaging.md, "Invites"): what the inviter sends instead of its next
 * handshake message — on the invite stream or in the join slots of a mailbox — and what the joiner
 * makes of one. Knows nothing about transports.
 */
import { MAX_JOIN_ATTEMPTS_PER_INVITE } from '../protocol/constants.ts';
import { InviteExpiredError } from '../protocol/errors.ts';
import { InviteAlreadyUsedError, InviteRefusedError } from './messaging-errors.ts';

/**
 * A refusal on the invite stream: 0x00 ‖ reason (a handshake message starts with its version, 0x01).
 * Sent instead of the next handshake message; the stream is then closed.
 */
export const REFUSAL = 0x00;
const REASONS = {
  unknown: 1,
  used: 2,
  expired: 3,
  'already-contact': 4,
  internal: 5,
  revoked: 6,
  busy: 7,
} as const;
export type Reason = keyof typeof REASONS;
const REASON_TEXT: Record<number, string> = {
  1: 'it does not know this invite (revoked, or made by another profile)',
  3: 'the invite has expired',
  4: 'you are already its contact',
  5: 'it could not store the contact',
  6: `the invite was revoked after ${MAX_JOIN_ATTEMPTS_PER_INVITE} join attempts: ask for a new one`,
  7: 'another join with this invite is in progress: try again in a moment',
};

export function refusal(reason: Reason): Uint8Array {
  return Uint8Array.of(REFUSAL, REASONS[reason]);
}

/** What the joiner does with a frame where it expected a handshake message. */
export function checkRefusal(frame: Uint8Array, expiresAtSeconds: number): void {
  if (frame.length === 2 && frame[0] === REFUSAL) {
    const reason = frame[1] as number;
    if (reason === REASONS.used) throw new InviteAlreadyUsedError();
    if (reason === REASONS.expired) throw new InviteExpiredError(expiresAtSeconds);
    throw new InviteRefusedError(REASON_TEXT[reason] ?? 'for an unknown reason');
  }
}

/** Whether a frame is a refusal rather than a handshake message. */
export function isRefusal(frame: Uint8Array): boolean {
  return frame.length === 2 && frame[0] === REFUSAL;
}

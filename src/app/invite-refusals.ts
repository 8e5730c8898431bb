/**
 * Refusals of a join (docs/messaging.md, "Invites"): what the inviter sends instead of its next
 * handshake message — on the invite stream or in the join slots of a mailbox — and what the joiner
 * makes of one. Knows nothing about transports.
 *
 * Through a mailbox the reply slot is shared by every holder of the code, so a refusal there names the
 * message it answers: `0x00 ‖ reason ‖ SHA-256(refused message)` (34 bytes), and a joiner acts only on a
 * refusal naming one of its own messages (docs/protocol/mailbox.md, "Offline join").
 */
import { toHex } from '../crypto/bytes.ts';
import { MAX_JOIN_ATTEMPTS_PER_INVITE } from '../protocol/constants.ts';
import { InviteExpiredError } from '../protocol/errors.ts';
import { InviteAlreadyUsedError, InviteRefusedError } from './messaging-errors.ts';

/** The length of the hash a mailbox refusal names (SHA-256). */
const TARGET_BYTES = 32;

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
  rejected: 8,
  abandoned: 9,
} as const;
export type Reason = keyof typeof REASONS;
const REASON_TEXT: Record<number, string> = {
  1: 'it does not know this invite (revoked, or made by another profile)',
  3: 'the invite has expired',
  4: 'you are already its contact',
  5: 'it could not store the contact',
  6: `the invite was revoked after ${MAX_JOIN_ATTEMPTS_PER_INVITE} join attempts: ask for a new one`,
  7: 'another join with this invite is in progress: try again in a moment',
  8: 'it could not verify your answer (someone else holding the code may be interfering): ask for a new invite',
  9: 'it stopped waiting for your answer to its reply while another join was waiting: join again',
};

export function refusal(reason: Reason): Uint8Array {
  return Uint8Array.of(REFUSAL, REASONS[reason]);
}

/** A refusal through a mailbox's reply slot, naming the message it answers (its SHA-256). */
export function targetedRefusal(reason: Reason, target: Uint8Array): Uint8Array {
  if (target.length !== TARGET_BYTES) throw new RangeError(`a refusal names a ${TARGET_BYTES}-byte hash`);
  const out = new Uint8Array(2 + TARGET_BYTES);
  out[0] = REFUSAL;
  out[1] = REASONS[reason];
  out.set(target, 2);
  return out;
}

/** The hash a mailbox refusal names (hex), or undefined when it names none. */
export function refusalTarget(frame: Uint8Array): string | undefined {
  if (frame.length !== 2 + TARGET_BYTES || frame[0] !== REFUSAL) return undefined;
  return toHex(frame.subarray(2));
}

/** What the joiner does with a frame where it expected a handshake message. */
export function checkRefusal(frame: Uint8Array, expiresAtSeconds: number): void {
  if (isRefusal(frame)) {
    const reason = frame[1] as number;
    if (reason === REASONS.used) throw new InviteAlreadyUsedError();
    if (reason === REASONS.expired) throw new InviteExpiredError(expiresAtSeconds);
    throw new InviteRefusedError(REASON_TEXT[reason] ?? 'for an unknown reason');
  }
}

/** The refusal's error message, for a join that ended on it out of sight (`join-ended`'s `failure`). */
export function refusalText(frame: Uint8Array, expiresAtSeconds: number): string {
  try {
    checkRefusal(frame, expiresAtSeconds);
  } catch (error) {
    return (error as Error).message;
  }
  return 'the inviter refused the join';
}

/** Whether a frame is a refusal (plain, or naming a message) rather than a handshake message. */
export function isRefusal(frame: Uint8Array): boolean {
  return (frame.length === 2 || frame.length === 2 + TARGET_BYTES) && frame[0] === REFUSAL;
}

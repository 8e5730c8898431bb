/**
 * Join slots (docs/protocol/mailbox.md, "Offline join"): the mailbox slots through which a join
 * handshake runs while the inviter is away. Both directions live in the inviter's mailbox (named by the
 * invite) and are keyed by the invite secret alone, so only holders of the invite can find, fetch or
 * delete them, and nothing links them to the pair's later slots (which are keyed by the pair secret):
 *
 *   join = HKDF-SHA256(ikm = inviteSecret, salt = "pvt/mailbox/v1/join", info = direction label, 32)
 *   slotKey, envelopeKey from `join` exactly as for a pair direction (tokens.ts)
 *
 * Direction labels: "request" (joiner → inviter: handshake messages 1 and 3) and "reply" (inviter →
 * joiner: messages 2 and 4). Each join slot carries handshake messages as framed here:
 *
 *   payload = version (1) = 0x01 ‖ handshake message (the handshake's own bytes, unchanged)
 *
 * The handshake state machine and its sealing are untouched; this module only names where its messages
 * wait. Pure: no I/O, no clock, no randomness; knows nothing of the handshake's contents.
 */
import { assertBytes, concatBytes, utf8 } from '../../crypto/bytes.ts';
import { hkdfSha256 } from '../../crypto/primitives.ts';
import { INVITE_SECRET_BYTES, MAX_HANDSHAKE_MESSAGE_BYTES } from '../constants.ts';
import { MAILBOX_KEY_BYTES, MAILBOX_VERSION } from './constants.ts';
import { MalformedMailboxMessageError } from './errors.ts';
import type { DirectionKeys } from './tokens.ts';

const JOIN_SALT = utf8('pvt/mailbox/v1/join');
const SLOT_INFO = utf8('pvt/mailbox/v1/slot');
const ENVELOPE_INFO = utf8('pvt/mailbox/v1/envelope');

/** Which way a join slot carries handshake messages. */
export type JoinDirection = 'request' | 'reply';

const LABELS: Readonly<Record<JoinDirection, Uint8Array>> = {
  request: utf8('request'),
  reply: utf8('reply'),
};

/**
 * The keys of a join direction: `request` (joiner → inviter) or `reply` (inviter → joiner). Use them
 * with `slotFor` and `sealEnvelopes` like a pair direction's keys.
 */
export function joinDirectionKeys(inviteSecret: Uint8Array, direction: JoinDirection): DirectionKeys {
  assertBytes('inviteSecret', inviteSecret, INVITE_SECRET_BYTES);
  const label = LABELS[direction];
  if (label === undefined) throw new RangeError(`"direction" expected request or reply, got ${direction}`);
  const join = hkdfSha256(inviteSecret, JOIN_SALT, label, MAILBOX_KEY_BYTES);
  const slotKey = hkdfSha256(join, undefined, SLOT_INFO, MAILBOX_KEY_BYTES);
  const envelopeKey = hkdfSha256(join, undefined, ENVELOPE_INFO, MAILBOX_KEY_BYTES);
  join.fill(0);
  return { slotKey, envelopeKey };
}

/** Frames one handshake message for a join slot. */
export function encodeJoinPayload(handshakeMessage: Uint8Array): Uint8Array {
  assertBytes('handshakeMessage', handshakeMessage);
  if (handshakeMessage.length < 1 || handshakeMessage.length > MAX_HANDSHAKE_MESSAGE_BYTES) {
    throw new RangeError(
      `"handshakeMessage" expected 1..${MAX_HANDSHAKE_MESSAGE_BYTES} bytes, got ${handshakeMessage.length}`,
    );
  }
  return concatBytes(Uint8Array.of(MAILBOX_VERSION), handshakeMessage);
}

/** The handshake message of a join-slot payload (MalformedMailboxMessageError when it is not one). */
export function decodeJoinPayload(payload: Uint8Array): Uint8Array {
  assertBytes('payload', payload);
  if (payload.length < 2 || payload.length > 1 + MAX_HANDSHAKE_MESSAGE_BYTES) {
    throw new MalformedMailboxMessageError(`join payload of ${payload.length} bytes`);
  }
  if (payload[0] !== MAILBOX_VERSION) {
    throw new MalformedMailboxMessageError(`join payload version ${payload[0]}`);
  }
  return payload.slice(1);
}

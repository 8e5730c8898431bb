/**
 * Named errors of the mailbox protocol (docs/protocol/mailbox.md), each a ProtocolError with a stable
 * `code`. Messages name sizes and fields, never keys, tokens or payload bytes.
 */
import { ProtocolError } from '../errors.ts';

/** A request, response, envelope or locator list that does not decode (length, version, kind, count). */
export class MalformedMailboxMessageError extends ProtocolError {
  constructor(detail: string) {
    super('MalformedMailboxMessage', `malformed mailbox message: ${detail}`);
  }
}

/** An envelope that does not open under the pair's key for that epoch (not ours, or tampered). */
export class MailboxEnvelopeAuthError extends ProtocolError {
  constructor() {
    super('MailboxEnvelopeAuth', 'mailbox envelope failed authentication');
  }
}

/** A payload too long to be split into the allowed number of envelopes. */
export class MailboxPayloadTooLargeError extends ProtocolError {
  constructor(length: number, max: number) {
    super('MailboxPayloadTooLarge', `mailbox payload too large: ${length} bytes, the limit is ${max}`);
  }
}

/** No proof of work found within the attempts allowed (the difficulty is too high for this client). */
export class MailboxPowExhaustedError extends ProtocolError {
  constructor(bits: number, attempts: number) {
    super('MailboxPowExhausted', `no proof of work of ${bits} bits within ${attempts} attempts`);
  }
}

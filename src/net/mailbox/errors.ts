/**
 * Named errors of the mailbox client and service, NetError subclasses with stable codes. Messages name
 * reasons and limits, never tokens, capabilities or addresses.
 */
import { NetError } from '../errors.ts';

/** The mailbox refused a request (reason as on the wire: slotFull, mailboxFull, rateLimited, …). */
export class MailboxRefusedError extends NetError {
  readonly reason: string;
  constructor(reason: string) {
    super('MailboxRefused', `the mailbox refused the request: ${reason}`);
    this.reason = reason;
  }
}

/** The mailbox answered something that is not an answer to the request. */
export class MailboxProtocolError extends NetError {
  constructor(detail: string) {
    super('MailboxProtocol', `unexpected mailbox answer: ${detail}`);
  }
}

/** A mailbox address the user gave cannot be used (no /p2p/ PeerId, not a multiaddr, …). */
export class InvalidMailboxAddressError extends NetError {
  constructor(detail: string) {
    super('InvalidMailboxAddress', `invalid mailbox address: ${detail}`);
  }
}

/**
 * Named errors of the onion protocol layer (cells, relay cells, handshake, descriptors, paths), each a
 * ProtocolError with a stable code. No message carries key material or an address.
 */
import { ProtocolError } from '../errors.ts';

/** A link cell or relay cell that does not decode (length, command, padding, fields). */
export class OnionCellError extends ProtocolError {
  constructor(detail: string) {
    super('OnionCellError', `malformed onion cell: ${detail}`);
  }
}

/** A CREATE/CREATED/EXTEND handshake that fails (unknown key id, low-order key, bad auth). */
export class OnionHandshakeError extends ProtocolError {
  constructor(detail: string) {
    super('OnionHandshakeError', `onion handshake failed: ${detail}`);
  }
}

/** A relay descriptor that does not decode or verify (signature, validity, key check). */
export class OnionDescriptorError extends ProtocolError {
  constructor(detail: string) {
    super('OnionDescriptorError', `bad relay descriptor: ${detail}`);
  }
}

/** No path satisfies the path rules with the relays known. */
export class NoPathError extends ProtocolError {
  constructor(detail: string) {
    super('NoPathError', `no onion path: ${detail}`);
  }
}

/**
 * Named errors of the onion network layer (bad relay addresses, no relays), each with a stable code.
 */
import { NetError } from '../errors.ts';

/** A relay address the user gave cannot be used (not a multiaddr, no /p2p/ part) or did not answer. */
export class OnionRelayAddressError extends NetError {
  constructor(detail: string) {
    super('OnionRelayAddress', detail);
  }
}

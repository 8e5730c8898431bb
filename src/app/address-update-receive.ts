/**
 * What a received address update changes (docs/messaging.md, "Address updates"): inside the receive
 * transaction, the contact's mailbox list and relay descriptor go to their hooks and new addresses to
 * the contact's row — only when the update's locator names the contact's own PeerId (the transport key
 * of a contact never changes through an update); after the commit, the new row becomes current and
 * presence dials the new addresses. A malformed update is logged and skipped (it is still acknowledged
 * by the caller). Knows nothing about sessions, the queue or routes.
 */
import { fromLocator } from '../net/addresses.ts';
import type { ContactRow } from '../store/contacts-store.ts';
import type { MessagingContext } from './messaging-context.ts';
import { decodeAddressUpdate } from './messaging-payload.ts';

/** Where an address update's mailbox list and relay descriptor go (the Peer's init hooks). */
export interface AddressUpdateHooks {
  /** An address update named the contact's mailboxes (encoded locator list): store it in this transaction. */
  readonly onMailboxesInTx?: (contactId: string, list: Uint8Array) => void;
  /**
   * An address update carried the contact's descriptor (unverified; the onion directory checks it), or
   * none (null: the contact no longer relays or serves a mailbox), inside the receive transaction.
   */
  readonly onRelayDescriptor?: (bytes: Uint8Array | null, peerId: string, contactId: string) => void;
}

/** What the address updates of one receive transaction changed (the last one wins). */
export interface AddressChange {
  /** The contact's row as the transaction left it (the row it started from when nothing changed). */
  contact: ContactRow;
  /** The addresses of the last update that named any. */
  newAddrs: string[] | undefined;
}

/** Applies one address update's body inside the receive transaction, recording it in `change`. */
export function receiveAddressUpdateInTx(
  ctx: MessagingContext,
  hooks: AddressUpdateHooks,
  row: ContactRow,
  body: Uint8Array,
  change: AddressChange,
): void {
  try {
    const { locator, relayDescriptor } = decodeAddressUpdate(body);
    const parsed = fromLocator(locator);
    if (parsed?.peerId.toString() === row.transport.peerId) {
      hooks.onMailboxesInTx?.(row.id, locator.mailbox);
      // Only the contact's own relay: the directory checks the descriptor is for this PeerId.
      hooks.onRelayDescriptor?.(relayDescriptor, row.transport.peerId, row.id);
    }
    // Only addresses: the transport key of a contact never changes through an update.
    if (parsed?.peerId.toString() === row.transport.peerId && parsed.addrs.length > 0) {
      change.newAddrs = parsed.addrs.map(String);
      change.contact = ctx.contacts.transportInTx(row, {
        peerId: row.transport.peerId,
        addrs: change.newAddrs,
      });
    }
  } catch (error) {
    ctx.logger.info('addresses.bad_update', {
      code: (error as { code?: string }).code ?? 'unknown',
    });
  }
}

/** The receive transaction committed: the updated row becomes current and presence dials its addresses. */
export function commitAddressChange(ctx: MessagingContext, row: ContactRow, change: AddressChange): void {
  if (change.contact === row) return;
  ctx.contacts.commit(change.contact);
  if (change.newAddrs) void ctx.network()?.presence.setAddrs(row.transport.peerId, change.newAddrs);
}

/**
 * What contacts said about mailboxes (docs/mailbox.md, "Suggestions"): the mailboxes each contact named
 * in its address updates (a sealed locator list) and the mailbox it said it serves (a sealed address,
 * from the verified descriptor of its last address update), kept in pvt.db's net_settings and cached in
 * memory, forgotten with the contact. Knows nothing about sessions, the network or the user's own
 * mailboxes (mailbox-host.ts); the mailbox route and the suggestions read contacts' mailboxes from here.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log/logger.ts';
import { MAILBOX_EXIT_SERVICE } from '../net/mailbox/transport.ts';
import { decodeMailboxLocators, type MailboxLocator } from '../protocol/mailbox/locator.ts';
import { decodeDescriptor } from '../protocol/onion/descriptor.ts';
import { type ChatStore, createChatStore } from '../store/chat-store.ts';
import type { SqlAccess } from '../store/sql-access.ts';

/** Settings key prefix of a contact's mailboxes (sealed locator list, base64). */
const CONTACT_MAILBOXES_PREFIX = 'mailbox.of.';
/**
 * Settings key prefix of the mailbox a contact serves (sealed address, base64; '' = none): from the
 * descriptor in its last address update, sent only while it is reachable from outside.
 */
const CONTACT_OFFER_PREFIX = 'mailbox.offer.';

export interface ContactMailboxesInit {
  readonly sql: SqlAccess;
  /** The mailbox logger (events `mailbox.*`). */
  readonly log: Logger;
}

export class ContactMailboxes {
  readonly #sql: SqlAccess;
  readonly #settings: ChatStore;
  readonly #log: Logger;
  readonly #lists = new Map<string, MailboxLocator[]>();
  readonly #offers = new Map<string, string | null>();

  constructor(init: ContactMailboxesInit) {
    this.#sql = init.sql;
    this.#settings = createChatStore(init.sql);
    this.#log = init.log;
  }

  /** Inside the receive transaction: a contact named its mailboxes (kept sealed). Bad lists are ignored. */
  rememberListInTx(contactId: string, list: Uint8Array): void {
    let decoded: MailboxLocator[];
    try {
      decoded = decodeMailboxLocators(list);
    } catch {
      this.#log.info('mailbox.bad_contact_list');
      return;
    }
    const key = CONTACT_MAILBOXES_PREFIX + contactId;
    const sealed = this.#sql.sealer.seal('net_settings', 'value', key, list);
    this.#settings.setSetting(key, Buffer.from(sealed).toString('base64'));
    this.#lists.set(contactId, decoded);
  }

  /**
   * Inside the receive transaction: a contact's address update carried its verified descriptor, or none
   * (null). A descriptor naming the mailbox service is the contact's word that it serves a mailbox at an
   * address contacts can dial (it sends one only while public or mapped); its first address is kept as
   * `pvt mailbox add` takes it. Anything else forgets the offer. Never throws.
   */
  rememberOfferInTx(contactId: string, descriptor: Uint8Array | null): void {
    let address: string | null = null;
    if (descriptor !== null) {
      try {
        const d = decodeDescriptor(descriptor);
        if (d.services.includes(MAILBOX_EXIT_SERVICE)) {
          const peerId = peerIdFromPublicKey(publicKeyFromRaw(d.transportKey)).toString();
          for (const a of d.addrs) {
            try {
              address = `${multiaddr(a).toString()}/p2p/${peerId}`;
              break;
            } catch {
              // an address we cannot read is skipped
            }
          }
        }
      } catch {
        this.#log.info('mailbox.bad_contact_descriptor');
      }
    }
    if (this.offer(contactId) === address) return;
    const key = CONTACT_OFFER_PREFIX + contactId;
    const value =
      address === null
        ? ''
        : Buffer.from(
            this.#sql.sealer.seal('net_settings', 'value', key, new TextEncoder().encode(address)),
          ).toString('base64');
    this.#settings.setSetting(key, value);
    this.#offers.set(contactId, address);
  }

  /** The address of the mailbox a contact said it serves (its last address update), or null. */
  offer(contactId: string): string | null {
    const cached = this.#offers.get(contactId);
    if (cached !== undefined) return cached;
    const key = CONTACT_OFFER_PREFIX + contactId;
    const raw = this.#settings.setting(key);
    let address: string | null = null;
    if (raw !== undefined && raw !== '') {
      try {
        address = new TextDecoder('utf-8', { fatal: true }).decode(
          this.#sql.sealer.open('net_settings', 'value', key, new Uint8Array(Buffer.from(raw, 'base64'))),
        );
      } catch {
        this.#log.warn('mailbox.contact_offer_unreadable');
      }
    }
    this.#offers.set(contactId, address);
    return address;
  }

  /** The mailboxes a contact named (none until its first address update that carries them). */
  list(contactId: string): MailboxLocator[] {
    const cached = this.#lists.get(contactId);
    if (cached) return cached;
    const key = CONTACT_MAILBOXES_PREFIX + contactId;
    const raw = this.#settings.setting(key);
    let list: MailboxLocator[] = [];
    if (raw !== undefined) {
      try {
        list = decodeMailboxLocators(
          this.#sql.sealer.open('net_settings', 'value', key, new Uint8Array(Buffer.from(raw, 'base64'))),
        );
      } catch {
        this.#log.warn('mailbox.contact_list_unreadable');
      }
    }
    this.#lists.set(contactId, list);
    return list;
  }

  /** A contact was removed: what it said about mailboxes (its list, its offer) goes with it. */
  forget(contactId: string): void {
    this.#sql.transaction('forgetting a contact’s mailboxes', () => {
      this.#settings.deleteSetting(CONTACT_MAILBOXES_PREFIX + contactId);
      this.#settings.deleteSetting(CONTACT_OFFER_PREFIX + contactId);
    });
    this.#lists.delete(contactId);
    this.#offers.delete(contactId);
  }
}

/**
 * Mailbox locators (docs/protocol/mailbox.md, "Locators"): the mailboxes a user names, carried in the
 * 128-byte mailbox field of its transport locator (join handshake, address updates — both inside the
 * end-to-end encryption, so only contacts see them). Wire: count(1) ‖ locator* where each locator is a
 * transport locator (src/protocol/invite/locator.ts) of the mailbox's PeerId and up to 2 addresses with
 * an empty mailbox field. The encoder drops addresses (last first) until the list fits. Pure.
 */
import { assertBytes } from '../../crypto/bytes.ts';
import {
  assertLocator,
  encodedLocatorBytes,
  readLocator,
  type TransportLocator,
  writeLocator,
} from '../invite/locator.ts';
import { MAILBOX_MAX_LOCATOR_LIST_BYTES, MAILBOX_MAX_LOCATORS } from './constants.ts';
import { MalformedMailboxMessageError } from './errors.ts';

/** Addresses kept per mailbox in a locator list. */
const MAX_ADDRS_PER_MAILBOX = 2;

/** A mailbox: the transport PeerId of the node serving it (raw bytes) and raw multiaddrs to dial. */
export interface MailboxLocator {
  readonly peerId: Uint8Array;
  readonly addrs: readonly Uint8Array[];
}

function size(list: readonly TransportLocator[]): number {
  return 1 + list.reduce((n, l) => n + encodedLocatorBytes(l), 0);
}

/** Encodes up to MAILBOX_MAX_LOCATORS mailboxes in at most MAILBOX_MAX_LOCATOR_LIST_BYTES bytes. */
export function encodeMailboxLocators(mailboxes: readonly MailboxLocator[]): Uint8Array {
  if (!Array.isArray(mailboxes) || mailboxes.length > MAILBOX_MAX_LOCATORS) {
    throw new RangeError(`"mailboxes" expected at most ${MAILBOX_MAX_LOCATORS} locators`);
  }
  if (mailboxes.length === 0) return new Uint8Array(0);
  const list: TransportLocator[] = mailboxes.map((m, i) => {
    const l = {
      peerId: m.peerId,
      addrs: m.addrs.slice(0, MAX_ADDRS_PER_MAILBOX),
      mailbox: new Uint8Array(0),
    };
    assertLocator(`mailboxes[${i}]`, l, MAX_ADDRS_PER_MAILBOX);
    return l;
  });
  // Too long: drop addresses, the later mailboxes' and the later addresses first.
  for (let i = list.length - 1; size(list) > MAILBOX_MAX_LOCATOR_LIST_BYTES && i >= 0; ) {
    const l = list[i] as TransportLocator;
    if (l.addrs.length === 0) {
      i--;
      continue;
    }
    list[i] = { ...l, addrs: l.addrs.slice(0, -1) };
  }
  if (size(list) > MAILBOX_MAX_LOCATOR_LIST_BYTES)
    throw new RangeError('"mailboxes" do not fit a locator list');
  const out = new Uint8Array(size(list));
  out[0] = list.length;
  let o = 1;
  for (const l of list) o = writeLocator(out, o, l);
  return out;
}

/** Decodes a locator list (empty bytes: no mailboxes). */
export function decodeMailboxLocators(bytes: Uint8Array): MailboxLocator[] {
  assertBytes('bytes', bytes);
  if (bytes.length === 0) return [];
  if (bytes.length > MAILBOX_MAX_LOCATOR_LIST_BYTES) {
    throw new MalformedMailboxMessageError(`locator list of ${bytes.length} bytes`);
  }
  const count = bytes[0] as number;
  if (count < 1 || count > MAILBOX_MAX_LOCATORS) {
    throw new MalformedMailboxMessageError(`locator list with ${count} mailboxes`);
  }
  const out: MailboxLocator[] = [];
  let o = 1;
  for (let i = 0; i < count; i++) {
    const r = readLocator(bytes, o, MAX_ADDRS_PER_MAILBOX);
    if (!r.ok) throw new MalformedMailboxMessageError(`locator ${i}: ${r.detail}`);
    if (r.locator.mailbox.length !== 0)
      throw new MalformedMailboxMessageError(`locator ${i}: nested mailbox`);
    out.push({ peerId: r.locator.peerId, addrs: r.locator.addrs });
    o = r.end;
  }
  if (o !== bytes.length) throw new MalformedMailboxMessageError('trailing bytes after the locator list');
  return out;
}

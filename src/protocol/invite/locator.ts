/**
 * Transport locator: how to reach a pvt node at the transport layer — its libp2p PeerId (raw multihash
 * bytes), zero or more raw binary multiaddrs and an opaque mailbox locator — and its compact binary
 * codec, shared by invite codes and the join handshake. Pure; treats PeerIds, multiaddrs and mailbox
 * locators as opaque bytes (the net layer parses them) and never learns identity keys.
 *
 * Wire: peerIdField ‖ addrCount(1) ‖ { addrLen(1) ‖ addr }* ‖ mailboxLen(1) ‖ mailbox, where peerIdField
 * is 0x00 ‖ key(32) for an Ed25519 PeerId (identity multihash 00 24 08 01 12 20 ‖ key, the usual case:
 * 6 bytes shorter, which keeps invite QR codes a version smaller), else len(1, 1..64) ‖ raw PeerId bytes.
 */
import { assertBytes, concatBytes } from '../../crypto/bytes.ts';
import {
  MAX_LOCATOR_ADDRS,
  MAX_MAILBOX_LOCATOR_BYTES,
  MAX_MULTIADDR_BYTES,
  MAX_PEER_ID_BYTES,
} from '../constants.ts';

export interface TransportLocator {
  /** Raw libp2p PeerId bytes (the multihash; 38 bytes for an Ed25519 identity multihash). 1..64 bytes. */
  readonly peerId: Uint8Array;
  /** Raw binary multiaddrs (e.g. `multiaddr(s).bytes`), each 1..64 bytes. */
  readonly addrs: readonly Uint8Array[];
  /** Opaque mailbox locator, 0..128 bytes (reserved: empty until the mailbox layer defines it). */
  readonly mailbox: Uint8Array;
}

/** Identity multihash of a libp2p Ed25519 public key, minus the 32 key bytes. */
const ED25519_PEER_ID_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20);
const ED25519_PEER_ID_BYTES = ED25519_PEER_ID_PREFIX.length + 32;
/** peerIdField tag of the compact Ed25519 form (a raw PeerId is never empty, so length 0 is free). */
const COMPACT_ED25519_TAG = 0x00;

function isEd25519PeerId(peerId: Uint8Array): boolean {
  if (peerId.length !== ED25519_PEER_ID_BYTES) return false;
  for (let i = 0; i < ED25519_PEER_ID_PREFIX.length; i++)
    if (peerId[i] !== ED25519_PEER_ID_PREFIX[i]) return false;
  return true;
}

function peerIdFieldBytes(peerId: Uint8Array): number {
  return isEd25519PeerId(peerId) ? 33 : 1 + peerId.length;
}

/** Largest encoding of a locator with at most `maxAddrs` addresses. */
export function maxLocatorBytes(maxAddrs: number): number {
  return 1 + MAX_PEER_ID_BYTES + 1 + maxAddrs * (1 + MAX_MULTIADDR_BYTES) + 1 + MAX_MAILBOX_LOCATOR_BYTES;
}

/** Throws TypeError/RangeError unless `locator` is encodable with at most `maxAddrs` addresses. */
export function assertLocator(name: string, locator: TransportLocator, maxAddrs = MAX_LOCATOR_ADDRS): void {
  if (typeof locator !== 'object' || locator === null) {
    throw new TypeError(
      `"${name}" expected a TransportLocator, got ${locator === null ? 'null' : typeof locator}`,
    );
  }
  assertBytes(`${name}.peerId`, locator.peerId);
  if (locator.peerId.length < 1 || locator.peerId.length > MAX_PEER_ID_BYTES) {
    throw new RangeError(
      `"${name}.peerId" expected 1..${MAX_PEER_ID_BYTES} bytes, got ${locator.peerId.length}`,
    );
  }
  if (!Array.isArray(locator.addrs)) throw new TypeError(`"${name}.addrs" expected an array`);
  if (locator.addrs.length > maxAddrs) {
    throw new RangeError(
      `"${name}.addrs" expected at most ${maxAddrs} addresses, got ${locator.addrs.length}`,
    );
  }
  locator.addrs.forEach((addr, i) => {
    assertBytes(`${name}.addrs[${i}]`, addr);
    if (addr.length < 1 || addr.length > MAX_MULTIADDR_BYTES) {
      throw new RangeError(
        `"${name}.addrs[${i}]" expected 1..${MAX_MULTIADDR_BYTES} bytes, got ${addr.length}`,
      );
    }
  });
  assertBytes(`${name}.mailbox`, locator.mailbox);
  if (locator.mailbox.length > MAX_MAILBOX_LOCATOR_BYTES) {
    throw new RangeError(
      `"${name}.mailbox" expected at most ${MAX_MAILBOX_LOCATOR_BYTES} bytes, got ${locator.mailbox.length}`,
    );
  }
}

export function encodedLocatorBytes(locator: TransportLocator): number {
  let n = peerIdFieldBytes(locator.peerId) + 1 + 1 + locator.mailbox.length;
  for (const a of locator.addrs) n += 1 + a.length;
  return n;
}

/** Writes `locator` into `out` at `offset`; returns the offset after it. Call `assertLocator` first. */
export function writeLocator(out: Uint8Array, offset: number, locator: TransportLocator): number {
  let o = offset;
  if (isEd25519PeerId(locator.peerId)) {
    out[o++] = COMPACT_ED25519_TAG;
    out.set(locator.peerId.subarray(ED25519_PEER_ID_PREFIX.length), o);
    o += 32;
  } else {
    out[o++] = locator.peerId.length;
    out.set(locator.peerId, o);
    o += locator.peerId.length;
  }
  out[o++] = locator.addrs.length;
  for (const a of locator.addrs) {
    out[o++] = a.length;
    out.set(a, o);
    o += a.length;
  }
  out[o++] = locator.mailbox.length;
  out.set(locator.mailbox, o);
  return o + locator.mailbox.length;
}

export function encodeLocator(locator: TransportLocator, maxAddrs = MAX_LOCATOR_ADDRS): Uint8Array {
  assertLocator('locator', locator, maxAddrs);
  const out = new Uint8Array(encodedLocatorBytes(locator));
  writeLocator(out, 0, locator);
  return out;
}

export type LocatorRead =
  | { readonly ok: true; readonly locator: TransportLocator; readonly end: number }
  | { readonly ok: false; readonly detail: string };

/** Reads a locator from `bytes` at `offset` (trailing bytes are the caller's business). Never throws. */
export function readLocator(bytes: Uint8Array, offset: number, maxAddrs = MAX_LOCATOR_ADDRS): LocatorRead {
  let o = offset;
  const take = (n: number): Uint8Array | undefined => {
    if (o + n > bytes.length) return undefined;
    const out = bytes.slice(o, o + n);
    o += n;
    return out;
  };
  const byte = (): number | undefined => (o < bytes.length ? (bytes[o++] as number) : undefined);

  const peerIdLen = byte();
  if (peerIdLen === undefined) return { ok: false, detail: 'truncated peer id' };
  if (peerIdLen > MAX_PEER_ID_BYTES) return { ok: false, detail: 'peer id length out of range' };
  const raw = take(peerIdLen === COMPACT_ED25519_TAG ? 32 : peerIdLen);
  if (raw === undefined) return { ok: false, detail: 'truncated peer id' };
  if (peerIdLen !== COMPACT_ED25519_TAG && isEd25519PeerId(raw)) {
    return { ok: false, detail: 'non-canonical peer id (an Ed25519 PeerId must use the compact form)' };
  }
  const peerId = peerIdLen === COMPACT_ED25519_TAG ? concatBytes(ED25519_PEER_ID_PREFIX, raw) : raw;
  const count = byte();
  if (count === undefined) return { ok: false, detail: 'truncated address count' };
  if (count > maxAddrs) return { ok: false, detail: `more than ${maxAddrs} addresses` };
  const addrs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = byte();
    if (len === undefined) return { ok: false, detail: 'truncated address' };
    if (len < 1 || len > MAX_MULTIADDR_BYTES) return { ok: false, detail: 'address length out of range' };
    const addr = take(len);
    if (addr === undefined) return { ok: false, detail: 'truncated address' };
    addrs.push(addr);
  }
  const mailboxLen = byte();
  if (mailboxLen === undefined) return { ok: false, detail: 'truncated mailbox locator' };
  if (mailboxLen > MAX_MAILBOX_LOCATOR_BYTES) return { ok: false, detail: 'mailbox locator too long' };
  const mailbox = take(mailboxLen);
  if (mailbox === undefined) return { ok: false, detail: 'truncated mailbox locator' };
  return { ok: true, locator: { peerId, addrs, mailbox }, end: o };
}

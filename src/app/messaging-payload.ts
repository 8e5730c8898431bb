/**
 * The bodies the app puts in ratchet payloads (src/protocol/payload.ts defines the record; the body of
 * a receipt and of an address update is ours, docs/messaging.md "Payload bodies"): a receipt lists the
 * 16-byte ids it acknowledges; an address update is a transport locator (src/protocol/invite/locator.ts),
 * optionally followed by the sender's signed onion relay descriptor (tag 0x01 ‖ length(2) ‖ bytes; only
 * opaque bytes here: the onion directory verifies them).
 * Also the local id of an inbound message, derived so that a contact cannot collide with other rows.
 */
import { concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.ts';
import { sha256Hash } from '../crypto/primitives.ts';
import { MAX_LOCATOR_ADDRS, PAYLOAD_ID_BYTES, PAYLOAD_MAX_BODY_BYTES } from '../protocol/constants.ts';
import { MalformedPayloadError } from '../protocol/errors.ts';
import { encodeLocator, readLocator, type TransportLocator } from '../protocol/invite/locator.ts';
import { DESCRIPTOR_MAX_BYTES } from '../protocol/onion/constants.ts';

/** Tag of the relay-descriptor extension after the locator in an address update. */
export const ADDRESS_EXT_RELAY_DESCRIPTOR = 0x01;

/** Most ids one receipt carries (a body of at most PAYLOAD_MAX_BODY_BYTES). */
export const MAX_RECEIPT_IDS = Math.floor(PAYLOAD_MAX_BODY_BYTES / PAYLOAD_ID_BYTES);

/** Receipt body: id ‖ id ‖ … (16 bytes each, 1..MAX_RECEIPT_IDS). */
export function encodeReceiptBody(idsHex: readonly string[]): Uint8Array {
  if (idsHex.length === 0 || idsHex.length > MAX_RECEIPT_IDS) {
    throw new RangeError(`"ids" expected 1..${MAX_RECEIPT_IDS} ids, got ${idsHex.length}`);
  }
  return concatBytes(...idsHex.map((id) => fromHex(id)));
}

export function decodeReceiptBody(body: Uint8Array): string[] {
  if (body.length === 0 || body.length % PAYLOAD_ID_BYTES !== 0) {
    throw new MalformedPayloadError('receipt body is not a list of 16-byte ids');
  }
  const out: string[] = [];
  for (let o = 0; o < body.length; o += PAYLOAD_ID_BYTES)
    out.push(toHex(body.subarray(o, o + PAYLOAD_ID_BYTES)));
  return out;
}

export interface AddressUpdate {
  readonly locator: TransportLocator;
  /** The sender's signed relay descriptor (1..DESCRIPTOR_MAX_BYTES, unverified here), or null. */
  readonly relayDescriptor: Uint8Array | null;
}

/**
 * Address-update body: locator [‖ 0x01 ‖ len(2, big-endian, 1..DESCRIPTOR_MAX_BYTES) ‖ descriptor].
 * Without a descriptor the body is the bare locator, as peers before the extension send it.
 */
export function encodeAddressBody(
  locator: TransportLocator,
  relayDescriptor: Uint8Array | null = null,
): Uint8Array {
  const base = encodeLocator(locator, MAX_LOCATOR_ADDRS);
  if (relayDescriptor === null) return base;
  if (relayDescriptor.length < 1 || relayDescriptor.length > DESCRIPTOR_MAX_BYTES) {
    throw new RangeError(
      `"relayDescriptor" expected 1..${DESCRIPTOR_MAX_BYTES} bytes, got ${relayDescriptor.length}`,
    );
  }
  const ext = new Uint8Array(3);
  ext[0] = ADDRESS_EXT_RELAY_DESCRIPTOR;
  new DataView(ext.buffer).setUint16(1, relayDescriptor.length);
  return concatBytes(base, ext, relayDescriptor);
}

/** Strict: a known extension tag, its exact length, nothing after it. Throws MalformedPayloadError. */
export function decodeAddressUpdate(body: Uint8Array): AddressUpdate {
  const read = readLocator(body, 0, MAX_LOCATOR_ADDRS);
  if (!read.ok) throw new MalformedPayloadError(`address update: ${read.detail}`);
  if (read.end === body.length) return { locator: read.locator, relayDescriptor: null };
  let o = read.end;
  if (body[o] !== ADDRESS_EXT_RELAY_DESCRIPTOR) {
    throw new MalformedPayloadError('address update: unknown extension');
  }
  o += 1;
  if (o + 2 > body.length) throw new MalformedPayloadError('address update: truncated descriptor length');
  const len = new DataView(body.buffer, body.byteOffset + o, 2).getUint16(0);
  o += 2;
  if (len < 1 || len > DESCRIPTOR_MAX_BYTES) {
    throw new MalformedPayloadError('address update: descriptor length out of range');
  }
  if (o + len !== body.length) {
    throw new MalformedPayloadError(
      o + len > body.length ? 'address update: truncated descriptor' : 'address update: trailing bytes',
    );
  }
  return { locator: read.locator, relayDescriptor: body.slice(o, o + len) };
}

/** The locator of an address update (its relay descriptor, if any, is checked for shape and dropped). */
export function decodeAddressBody(body: Uint8Array): TransportLocator {
  return decodeAddressUpdate(body).locator;
}

const INBOUND_ID_DOMAIN = utf8('pvt/app/inbound-id/v1');

/** Local id of an inbound message: 16 bytes of SHA-256(domain ‖ contact id ‖ sender's id), hex. */
export function inboundMessageId(contactId: string, remoteIdHex: string): string {
  return toHex(
    sha256Hash(concatBytes(INBOUND_ID_DOMAIN, utf8(contactId), fromHex(remoteIdHex))).slice(0, 16),
  );
}

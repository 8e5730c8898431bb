/**
 * The bodies the app puts in ratchet payloads (src/protocol/payload.ts defines the record; the body of
 * a receipt and of an address update is ours, docs/messaging.md "Payload bodies"): a receipt lists the
 * 16-byte ids it acknowledges; an address update is a transport locator (src/protocol/invite/locator.ts).
 * Also the local id of an inbound message, derived so that a contact cannot collide with other rows.
 */
import { concatBytes, fromHex, toHex, utf8 } from '../crypto/bytes.ts';
import { sha256Hash } from '../crypto/primitives.ts';
import { MAX_LOCATOR_ADDRS, PAYLOAD_ID_BYTES, PAYLOAD_MAX_BODY_BYTES } from '../protocol/constants.ts';
import { MalformedPayloadError } from '../protocol/errors.ts';
import { encodeLocator, readLocator, type TransportLocator } from '../protocol/invite/locator.ts';

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

export function encodeAddressBody(locator: TransportLocator): Uint8Array {
  return encodeLocator(locator, MAX_LOCATOR_ADDRS);
}

export function decodeAddressBody(body: Uint8Array): TransportLocator {
  const read = readLocator(body, 0, MAX_LOCATOR_ADDRS);
  if (!read.ok) throw new MalformedPayloadError(`address update: ${read.detail}`);
  if (read.end !== body.length) throw new MalformedPayloadError('address update: trailing bytes');
  return read.locator;
}

const INBOUND_ID_DOMAIN = utf8('pvt/app/inbound-id/v1');

/** Local id of an inbound message: 16 bytes of SHA-256(domain ‖ contact id ‖ sender's id), hex. */
export function inboundMessageId(contactId: string, remoteIdHex: string): string {
  return toHex(
    sha256Hash(concatBytes(INBOUND_ID_DOMAIN, utf8(contactId), fromHex(remoteIdHex))).slice(0, 16),
  );
}

/**
 * STUN (RFC 5389) Binding codec: encodes a Binding request with the caller's random 96-bit transaction
 * id and strictly decodes the answer — size-capped, magic cookie, length = the datagram, attributes
 * padded to 4 bytes, FINGERPRINT (when present) last and correct, transaction id (another id is a
 * NatMismatchError: the client keeps waiting), XOR-MAPPED-ADDRESS preferred over MAPPED-ADDRESS, IPv4
 * and IPv6. An error response is a StunErrorResponseError with its code; anything else wrong is a
 * StunMalformedError. Pure; no sockets.
 */
import { crc32 } from 'node:zlib';
import {
  STUN_HEADER_BYTES,
  STUN_MAGIC_COOKIE,
  STUN_MAX_MESSAGE_BYTES,
  STUN_TRANSACTION_ID_BYTES,
} from './constants.ts';
import { NatMismatchError, StunErrorResponseError, StunMalformedError } from './errors.ts';
import { bytesToIpv4 } from './ip.ts';

export const STUN_BINDING_REQUEST = 0x0001;
export const STUN_BINDING_SUCCESS = 0x0101;
export const STUN_BINDING_ERROR = 0x0111;

export const STUN_ATTR_MAPPED_ADDRESS = 0x0001;
export const STUN_ATTR_ERROR_CODE = 0x0009;
export const STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020;
export const STUN_ATTR_FINGERPRINT = 0x8028;

/** RFC 5389 §15.5: the CRC-32 of the message is XORed with this. */
const FINGERPRINT_XOR = 0x5354554e;

export interface StunBindingResponse {
  /** The address and port the server saw our request come from. */
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** Taken from XOR-MAPPED-ADDRESS (true) or the older MAPPED-ADDRESS (false). */
  readonly xor: boolean;
}

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

function u32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkTransactionId(id: Uint8Array): void {
  if (id.length !== STUN_TRANSACTION_ID_BYTES || id.every((x) => x === 0)) {
    throw new TypeError('a STUN Binding request needs a random non-zero 96-bit transaction id');
  }
}

/** A Binding request (20 bytes, no attributes) with the caller's random 96-bit transaction id. */
export function encodeStunBindingRequest(transactionId: Uint8Array): Uint8Array {
  checkTransactionId(transactionId);
  const out = new Uint8Array(STUN_HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setUint16(0, STUN_BINDING_REQUEST);
  v.setUint16(2, 0);
  v.setUint32(4, STUN_MAGIC_COOKIE);
  out.set(transactionId, 8);
  return out;
}

/** An IPv6 address as RFC 5952 text (lower case, the longest run of two or more zero groups as ::). */
export function ipv6BytesToText(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(u16(b, i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** A (XOR-)MAPPED-ADDRESS value: 1 reserved byte, family, port, 4 or 16 address bytes. */
function decodeAddress(value: Uint8Array, xorKey: Uint8Array | null, name: string): StunBindingResponse {
  const family = value[1];
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0) throw new StunMalformedError(`${name}: address family ${family ?? 'missing'}`);
  if (value.length !== 4 + size) throw new StunMalformedError(`${name}: ${value.length} bytes`);
  let port = u16(value, 2);
  const raw = Uint8Array.from(value.subarray(4));
  if (xorKey) {
    port ^= STUN_MAGIC_COOKIE >>> 16;
    for (let i = 0; i < size; i++) raw[i] = (raw[i] ?? 0) ^ (xorKey[i] ?? 0);
  }
  if (port === 0) throw new StunMalformedError(`${name}: port 0`);
  if (raw.every((x) => x === 0)) throw new StunMalformedError(`${name}: unspecified address`);
  return size === 4
    ? { address: bytesToIpv4(raw), port, family: 4, xor: xorKey !== null }
    : { address: ipv6BytesToText(raw), port, family: 6, xor: xorKey !== null };
}

/** ERROR-CODE (RFC 5389 §15.6): class 3-6 and number 0-99; the reason phrase cleaned and shortened. */
function decodeErrorCode(value: Uint8Array): StunErrorResponseError {
  if (value.length < 4) throw new StunMalformedError(`ERROR-CODE: ${value.length} bytes`);
  const cls = (value[2] ?? 0) & 0x07;
  const num = value[3] ?? 0;
  if (cls < 3 || cls > 6 || num > 99) throw new StunMalformedError(`ERROR-CODE: class ${cls} number ${num}`);
  const reason = new TextDecoder('utf-8', { fatal: false })
    .decode(value.subarray(4, 4 + 128))
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 60)
    .trim();
  return new StunErrorResponseError(cls * 100 + num, reason);
}

/**
 * Decodes the answer to the Binding request with `transactionId`: the mapped address, or a named error
 * (NatMismatchError for another transaction, StunErrorResponseError, StunMalformedError).
 */
export function decodeStunBindingResponse(data: Uint8Array, transactionId: Uint8Array): StunBindingResponse {
  checkTransactionId(transactionId);
  if (data.length > STUN_MAX_MESSAGE_BYTES) throw new StunMalformedError(`${data.length} bytes`);
  if (data.length < STUN_HEADER_BYTES) throw new StunMalformedError(`truncated (${data.length} bytes)`);
  const type = u16(data, 0);
  if (type & 0xc000) throw new StunMalformedError('not a STUN message (first two bits set)');
  if (u32(data, 4) !== STUN_MAGIC_COOKIE) throw new StunMalformedError('wrong magic cookie');
  const length = u16(data, 2);
  if (length % 4 !== 0) throw new StunMalformedError(`length ${length} is not a multiple of 4`);
  if (STUN_HEADER_BYTES + length !== data.length) {
    throw new StunMalformedError(`length ${length} does not match the ${data.length}-byte datagram`);
  }
  if (!sameBytes(data.subarray(8, STUN_HEADER_BYTES), transactionId)) {
    throw new NatMismatchError('STUN', 'transaction id');
  }
  if (type !== STUN_BINDING_SUCCESS && type !== STUN_BINDING_ERROR) {
    throw new StunMalformedError(`message type 0x${type.toString(16).padStart(4, '0')}`);
  }
  const xorKey = data.subarray(4, STUN_HEADER_BYTES);
  let xorMapped: Uint8Array | undefined;
  let mapped: Uint8Array | undefined;
  let errorCode: Uint8Array | undefined;
  let pos = STUN_HEADER_BYTES;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new StunMalformedError('truncated attribute header');
    const attr = u16(data, pos);
    const len = u16(data, pos + 2);
    const start = pos + 4;
    // With the message length a multiple of 4, an attribute that fits also fits with its padding.
    const padded = start + len + ((4 - (len % 4)) % 4);
    if (start + len > data.length) {
      throw new StunMalformedError(`attribute 0x${attr.toString(16)} runs past the end`);
    }
    const value = data.subarray(start, start + len);
    if (attr === STUN_ATTR_FINGERPRINT) {
      if (len !== 4 || padded !== data.length) {
        throw new StunMalformedError('FINGERPRINT is not the last 4-byte attribute');
      }
      const expected = (crc32(data.subarray(0, pos)) ^ FINGERPRINT_XOR) >>> 0;
      if (u32(value, 0) !== expected) throw new StunMalformedError('wrong FINGERPRINT');
    }
    // Only the first attribute of a type counts (RFC 5389 §15); unknown ones are ignored.
    if (attr === STUN_ATTR_XOR_MAPPED_ADDRESS) xorMapped ??= value;
    else if (attr === STUN_ATTR_MAPPED_ADDRESS) mapped ??= value;
    else if (attr === STUN_ATTR_ERROR_CODE) errorCode ??= value;
    pos = padded;
  }
  if (type === STUN_BINDING_ERROR) {
    if (!errorCode) throw new StunMalformedError('error response without ERROR-CODE');
    throw decodeErrorCode(errorCode);
  }
  if (xorMapped) return decodeAddress(xorMapped, xorKey, 'XOR-MAPPED-ADDRESS');
  if (mapped) return decodeAddress(mapped, null, 'MAPPED-ADDRESS');
  throw new StunMalformedError('no (XOR-)MAPPED-ADDRESS');
}

/**
 * PCP (RFC 6887) MAP codec: encodes MAP requests (with the caller's random 96-bit nonce) and strictly
 * decodes responses — size-capped, version, R bit, opcode, result code, nonce, protocol, port and
 * lifetime checked; anything else is a named error. Pure; no sockets.
 */
import {
  MAX_ACCEPTED_LIFETIME_S,
  PCP_MAP_MESSAGE_BYTES,
  PCP_MAX_MESSAGE_BYTES,
  PCP_NONCE_BYTES,
  PCP_VERSION,
} from './constants.ts';
import { NatMalformedError, NatMismatchError, PcpResultError } from './errors.ts';
import { ipFrom16, ipTo16 } from './ip.ts';

export const PCP_OP_MAP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export interface PcpMapRequest {
  /** The client's own address as the gateway sees it (the UDP socket's source address). */
  readonly clientAddress: string;
  readonly nonce: Uint8Array;
  readonly protocol: number;
  readonly internalPort: number;
  readonly suggestedExternalPort: number;
  /** Suggested external address; '0.0.0.0' (IPv4) when none. */
  readonly suggestedExternalAddress: string;
  /** 0 deletes the mapping. */
  readonly lifetimeS: number;
}

export interface PcpMapResponse {
  readonly lifetimeS: number;
  readonly epoch: number;
  readonly externalAddress: string;
  readonly externalPort: number;
}

function u32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

export function encodePcpMapRequest(r: PcpMapRequest): Uint8Array {
  if (r.nonce.length !== PCP_NONCE_BYTES || isZero(r.nonce)) {
    throw new TypeError('PCP MAP needs a random non-zero 96-bit nonce');
  }
  if (!Number.isInteger(r.internalPort) || r.internalPort < 1 || r.internalPort > 65_535) {
    throw new TypeError(`bad internal port ${r.internalPort}`);
  }
  const out = new Uint8Array(PCP_MAP_MESSAGE_BYTES);
  const v = new DataView(out.buffer);
  out[0] = PCP_VERSION;
  out[1] = PCP_OP_MAP;
  v.setUint32(4, r.lifetimeS >>> 0);
  out.set(ipTo16(r.clientAddress), 8);
  out.set(r.nonce, 24);
  out[36] = r.protocol;
  v.setUint16(40, r.internalPort);
  v.setUint16(42, r.suggestedExternalPort);
  out.set(ipTo16(r.suggestedExternalAddress), 44);
  return out;
}

/**
 * Decodes a MAP response to `request`. NatMalformedError for garbage, NatMismatchError for an answer
 * to something else (clients keep waiting), PcpResultError for a non-zero result code.
 */
export function decodePcpMapResponse(data: Uint8Array, request: PcpMapRequest): PcpMapResponse {
  if (data.length > PCP_MAX_MESSAGE_BYTES) throw new NatMalformedError('PCP', `${data.length} bytes`);
  if (data.length < 24) throw new NatMalformedError('PCP', `truncated (${data.length} bytes)`);
  if (data.length % 4 !== 0) throw new NatMalformedError('PCP', 'length not a multiple of 4');
  if (data[0] !== PCP_VERSION) {
    // A NAT-PMP-only server answers version 0 with UNSUPP_VERSION.
    if (data[0] === 0) throw new PcpResultError(1, 0);
    throw new NatMalformedError('PCP', `version ${data[0]}`);
  }
  const op = data[1] ?? 0;
  if ((op & 0x80) === 0) throw new NatMismatchError('PCP', 'not a response');
  if ((op & 0x7f) !== PCP_OP_MAP) throw new NatMismatchError('PCP', `opcode ${op & 0x7f}`);
  const result = data[3] ?? 0;
  const lifetimeS = u32(data, 4);
  const epoch = u32(data, 8);
  if (data.length < PCP_MAP_MESSAGE_BYTES) {
    if (result !== 0) throw new PcpResultError(result, lifetimeS);
    throw new NatMalformedError('PCP', `MAP response truncated (${data.length} bytes)`);
  }
  const nonce = data.subarray(24, 36);
  for (let i = 0; i < PCP_NONCE_BYTES; i++) {
    if (nonce[i] !== request.nonce[i]) throw new NatMismatchError('PCP', 'nonce');
  }
  if (data[36] !== request.protocol) throw new NatMismatchError('PCP', `protocol ${data[36]}`);
  if (u16(data, 40) !== request.internalPort) throw new NatMismatchError('PCP', 'internal port');
  if (result !== 0) throw new PcpResultError(result, lifetimeS);
  const externalPort = u16(data, 42);
  const externalAddress = ipFrom16(data.subarray(44, 60));
  if (request.lifetimeS > 0) {
    if (lifetimeS === 0) throw new NatMalformedError('PCP', 'zero lifetime granted');
    if (lifetimeS > MAX_ACCEPTED_LIFETIME_S) throw new NatMalformedError('PCP', `lifetime ${lifetimeS} s`);
    if (externalPort === 0) throw new NatMalformedError('PCP', 'external port 0');
  }
  return { lifetimeS, epoch, externalAddress, externalPort };
}

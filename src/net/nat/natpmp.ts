/**
 * NAT-PMP (RFC 6886) codec: external-address and map requests, strictly decoded responses (size-capped,
 * version, opcode, result code, internal port, lifetime checked). Lifetimes are in seconds. Pure.
 */
import { MAX_ACCEPTED_LIFETIME_S, NATPMP_MAX_MESSAGE_BYTES } from './constants.ts';
import { NatMalformedError, NatMismatchError, NatPmpResultError } from './errors.ts';
import { bytesToIpv4 } from './ip.ts';

export const NATPMP_OP_ADDRESS = 0;
export const NATPMP_OP_MAP_UDP = 1;
export const NATPMP_OP_MAP_TCP = 2;

export interface NatPmpMapRequest {
  readonly opcode: typeof NATPMP_OP_MAP_UDP | typeof NATPMP_OP_MAP_TCP;
  readonly internalPort: number;
  readonly suggestedExternalPort: number;
  /** Seconds; 0 deletes (then the suggested external port must be 0, RFC 6886 §3.4). */
  readonly lifetimeS: number;
}

export interface NatPmpMapResponse {
  readonly epoch: number;
  readonly internalPort: number;
  readonly externalPort: number;
  readonly lifetimeS: number;
}

export function encodeNatPmpAddressRequest(): Uint8Array {
  return Uint8Array.of(0, NATPMP_OP_ADDRESS);
}

export function encodeNatPmpMapRequest(r: NatPmpMapRequest): Uint8Array {
  if (!Number.isInteger(r.internalPort) || r.internalPort < 1 || r.internalPort > 65_535) {
    throw new TypeError(`bad internal port ${r.internalPort}`);
  }
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  out[1] = r.opcode;
  v.setUint16(4, r.internalPort);
  v.setUint16(6, r.lifetimeS === 0 ? 0 : r.suggestedExternalPort);
  v.setUint32(8, r.lifetimeS >>> 0);
  return out;
}

function header(
  data: Uint8Array,
  opcode: number,
  min: number,
): { result: number; epoch: number; view: DataView } {
  if (data.length > NATPMP_MAX_MESSAGE_BYTES) throw new NatMalformedError('NAT-PMP', `${data.length} bytes`);
  if (data.length < 4) throw new NatMalformedError('NAT-PMP', `truncated (${data.length} bytes)`);
  if (data[0] !== 0) throw new NatMalformedError('NAT-PMP', `version ${data[0]}`);
  if (data[1] !== 128 + opcode) throw new NatMismatchError('NAT-PMP', `opcode ${data[1]}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const result = view.getUint16(2);
  if (result !== 0) throw new NatPmpResultError(result);
  if (data.length < min) throw new NatMalformedError('NAT-PMP', `truncated (${data.length} bytes)`);
  return { result, epoch: view.getUint32(4), view };
}

export function decodeNatPmpAddressResponse(data: Uint8Array): { epoch: number; externalAddress: string } {
  const { epoch } = header(data, NATPMP_OP_ADDRESS, 12);
  return { epoch, externalAddress: bytesToIpv4(data.subarray(8, 12)) };
}

export function decodeNatPmpMapResponse(data: Uint8Array, request: NatPmpMapRequest): NatPmpMapResponse {
  const { epoch, view } = header(data, request.opcode, 16);
  const internalPort = view.getUint16(8);
  if (internalPort !== request.internalPort) throw new NatMismatchError('NAT-PMP', 'internal port');
  const externalPort = view.getUint16(10);
  const lifetimeS = view.getUint32(12);
  if (request.lifetimeS > 0) {
    if (lifetimeS === 0) throw new NatMalformedError('NAT-PMP', 'zero lifetime granted');
    if (lifetimeS > MAX_ACCEPTED_LIFETIME_S)
      throw new NatMalformedError('NAT-PMP', `lifetime ${lifetimeS} s`);
    if (externalPort === 0) throw new NatMalformedError('NAT-PMP', 'external port 0');
  }
  return { epoch, internalPort, externalPort, lifetimeS };
}

/**
 * Port-mapping clients over UDP: PCP (RFC 6887 retransmission — IRT 3 s ±10 %, doubling up to MRT —
 * bounded by a timeout) and NAT-PMP (RFC 6886: 250 ms doubling, bounded). Each maps a TCP port to this
 * host and deletes exactly the mapping it made (PCP: same nonce; NAT-PMP: lifetime 0). AbortSignal
 * everywhere.
 */
import { randomBytes } from 'node:crypto';
import {
  MAPPING_LIFETIME_S,
  NATPMP_FIRST_RTO_MS,
  NATPMP_SERVER_PORT,
  NATPMP_TIMEOUT_MS,
  PCP_IRT_MS,
  PCP_MRT_MS,
  PCP_NONCE_BYTES,
  PCP_SERVER_PORT,
  PCP_TIMEOUT_MS,
} from './constants.ts';
import {
  decodeNatPmpAddressResponse,
  decodeNatPmpMapResponse,
  encodeNatPmpAddressRequest,
  encodeNatPmpMapRequest,
  NATPMP_OP_MAP_TCP,
  type NatPmpMapRequest,
} from './natpmp.ts';
import { decodePcpMapResponse, encodePcpMapRequest, IPPROTO_TCP, type PcpMapRequest } from './pcp.ts';
import { udpExchange } from './udp.ts';

export type NatMethod = 'pcp' | 'natpmp' | 'upnp';

export interface PortMapping {
  readonly method: NatMethod;
  readonly gateway: string;
  readonly protocol: 'tcp';
  readonly internalAddress: string;
  readonly internalPort: number;
  readonly externalAddress: string;
  readonly externalPort: number;
  readonly lifetimeS: number;
  /** Epoch milliseconds when the mapping lapses. */
  readonly expiresAt: number;
  /** PCP: the mapping's nonce, hex (needed to refresh or delete it). */
  readonly nonce?: string;
  /** UPnP: control URL and service type of the WAN connection service. */
  readonly controlUrl?: string;
  readonly serviceType?: string;
}

export interface MapOptions {
  readonly gateway: string;
  readonly internalPort: number;
  readonly lifetimeS?: number;
  /** Re-use this mapping's nonce/external port (renewal or a crash's stale mapping). */
  readonly previous?: PortMapping;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface MappingClient {
  readonly method: NatMethod;
  map(o: MapOptions): Promise<PortMapping>;
  unmap(m: PortMapping, o: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
}

function pcpDelay(n: number): number {
  const rand = Math.random() * 0.2 - 0.1;
  return Math.min(PCP_MRT_MS, PCP_IRT_MS * 2 ** n) * (1 + rand);
}

function natPmpDelay(n: number): number {
  return NATPMP_FIRST_RTO_MS * 2 ** n;
}

function pcpExchange(
  gateway: string,
  req: Omit<PcpMapRequest, 'clientAddress'>,
  timeoutMs: number,
  signal?: AbortSignal,
) {
  let full: PcpMapRequest | undefined;
  return udpExchange({
    protocol: 'PCP',
    host: gateway,
    port: PCP_SERVER_PORT,
    request: (clientAddress) => {
      full = { ...req, clientAddress };
      return encodePcpMapRequest(full);
    },
    accept: (data) => ({
      ...decodePcpMapResponse(data, full as PcpMapRequest),
      clientAddress: full?.clientAddress ?? '',
    }),
    retransmitDelayMs: pcpDelay,
    timeoutMs,
    signal,
  });
}

export const pcpClient: MappingClient = {
  method: 'pcp',
  async map(o) {
    const lifetimeS = o.lifetimeS ?? MAPPING_LIFETIME_S;
    const nonce =
      o.previous?.method === 'pcp' && o.previous.nonce && o.previous.internalPort === o.internalPort
        ? Buffer.from(o.previous.nonce, 'hex')
        : randomBytes(PCP_NONCE_BYTES);
    const r = await pcpExchange(
      o.gateway,
      {
        nonce,
        protocol: IPPROTO_TCP,
        internalPort: o.internalPort,
        suggestedExternalPort: o.previous?.externalPort ?? o.internalPort,
        suggestedExternalAddress: '0.0.0.0',
        lifetimeS,
      },
      o.timeoutMs ?? PCP_TIMEOUT_MS,
      o.signal,
    );
    return {
      method: 'pcp',
      gateway: o.gateway,
      protocol: 'tcp',
      internalAddress: r.clientAddress,
      internalPort: o.internalPort,
      externalAddress: r.externalAddress,
      externalPort: r.externalPort,
      lifetimeS: r.lifetimeS,
      expiresAt: Date.now() + r.lifetimeS * 1000,
      nonce: Buffer.from(nonce).toString('hex'),
    };
  },
  async unmap(m, o) {
    if (!m.nonce) return;
    await pcpExchange(
      m.gateway,
      {
        nonce: Buffer.from(m.nonce, 'hex'),
        protocol: IPPROTO_TCP,
        internalPort: m.internalPort,
        suggestedExternalPort: 0,
        suggestedExternalAddress: '0.0.0.0',
        lifetimeS: 0,
      },
      o.timeoutMs ?? PCP_TIMEOUT_MS,
      o.signal,
    );
  },
};

function natPmpMap(gateway: string, req: NatPmpMapRequest, timeoutMs: number, signal?: AbortSignal) {
  let local = '';
  return udpExchange({
    protocol: 'NAT-PMP',
    host: gateway,
    port: NATPMP_SERVER_PORT,
    request: (a) => {
      local = a;
      return encodeNatPmpMapRequest(req);
    },
    accept: (data) => ({ ...decodeNatPmpMapResponse(data, req), local }),
    retransmitDelayMs: natPmpDelay,
    timeoutMs,
    signal,
  });
}

export function natPmpExternalAddress(
  gateway: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  return udpExchange({
    protocol: 'NAT-PMP',
    host: gateway,
    port: NATPMP_SERVER_PORT,
    request: () => encodeNatPmpAddressRequest(),
    accept: (data) => decodeNatPmpAddressResponse(data).externalAddress,
    retransmitDelayMs: natPmpDelay,
    timeoutMs,
    signal,
  });
}

export const natPmpClient: MappingClient = {
  method: 'natpmp',
  async map(o) {
    const timeoutMs = o.timeoutMs ?? NATPMP_TIMEOUT_MS;
    const externalAddress = await natPmpExternalAddress(o.gateway, timeoutMs, o.signal);
    const r = await natPmpMap(
      o.gateway,
      {
        opcode: NATPMP_OP_MAP_TCP,
        internalPort: o.internalPort,
        suggestedExternalPort: o.previous?.externalPort ?? o.internalPort,
        lifetimeS: o.lifetimeS ?? MAPPING_LIFETIME_S,
      },
      timeoutMs,
      o.signal,
    );
    return {
      method: 'natpmp',
      gateway: o.gateway,
      protocol: 'tcp',
      internalAddress: r.local,
      internalPort: o.internalPort,
      externalAddress,
      externalPort: r.externalPort,
      lifetimeS: r.lifetimeS,
      expiresAt: Date.now() + r.lifetimeS * 1000,
    };
  },
  async unmap(m, o) {
    await natPmpMap(
      m.gateway,
      { opcode: NATPMP_OP_MAP_TCP, internalPort: m.internalPort, suggestedExternalPort: 0, lifetimeS: 0 },
      o.timeoutMs ?? NATPMP_TIMEOUT_MS,
      o.signal,
    );
  },
};

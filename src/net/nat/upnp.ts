/**
 * UPnP IGD client (v1 and v2): SSDP M-SEARCH from the interface facing the gateway (answers only from
 * the gateway are taken), the device description, and SOAP GetExternalIPAddress, AddAnyPortMapping
 * (v2) / AddPortMapping, DeletePortMapping — always by the external port and protocol we were granted.
 * HTTP bodies are size-capped; every step has a timeout and honours the AbortSignal.
 */
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import type { MapOptions, MappingClient, PortMapping } from './clients.ts';
import {
  MAPPING_LIFETIME_S,
  SSDP_ADDRESS,
  SSDP_PORT,
  SSDP_RESEND_MS,
  SSDP_TIMEOUT_MS,
  SSDP_TTL,
  UPNP_DESCRIPTION,
  UPNP_HTTP_TIMEOUT_MS,
  UPNP_MAX_XML_BYTES,
} from './constants.ts';
import {
  NatAbortedError,
  NatMalformedError,
  NatTimeoutError,
  UpnpNotFoundError,
  UpnpSoapError,
} from './errors.ts';
import { localAddressTowards } from './gateway.ts';
import {
  decodeIgdDescription,
  decodeSoapResponse,
  decodeSsdpResponse,
  encodeMSearch,
  encodeSoapRequest,
  IGD_SEARCH_TARGETS,
  type SsdpResponse,
  type WanService,
} from './upnp-codec.ts';

/** Sends M-SEARCH from `localAddress` and resolves with the first IGD answer whose source is `gateway`. */
export function ssdpSearch(
  gateway: string,
  localAddress: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<SsdpResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new NatAbortedError());
    const socket = createSocket('udp4');
    let resend: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (error: unknown, value?: SsdpResponse) => {
      if (done) return;
      done = true;
      clearTimeout(resend);
      clearTimeout(overall);
      signal?.removeEventListener('abort', onAbort);
      socket.close();
      if (error) reject(error);
      else resolve(value as SsdpResponse);
    };
    const onAbort = () => finish(new NatAbortedError());
    const overall = setTimeout(
      () => finish(new UpnpNotFoundError(`no IGD answered M-SEARCH within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    const send = () => {
      for (const st of IGD_SEARCH_TARGETS) socket.send(encodeMSearch(st), SSDP_PORT, SSDP_ADDRESS, () => {});
      resend = setTimeout(send, SSDP_RESEND_MS);
    };
    socket.on('error', (e) => finish(e));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== gateway) return;
      try {
        const r = decodeSsdpResponse(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
        if (r.location.hostname !== gateway) return;
        finish(undefined, r);
      } catch {
        // not an IGD answer: keep listening
      }
    });
    socket.bind(0, localAddress, () => {
      try {
        socket.setMulticastTTL(SSDP_TTL);
        socket.setMulticastInterface(localAddress);
      } catch (e) {
        return finish(e);
      }
      send();
    });
  });
}

function http(
  url: URL,
  method: 'GET' | 'POST',
  body: string | undefined,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: { ...headers, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
        timeout: UPNP_HTTP_TIMEOUT_MS,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > UPNP_MAX_XML_BYTES) {
            req.destroy(new NatMalformedError('UPnP', `body over ${UPNP_MAX_XML_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new NatTimeoutError('UPnP', UPNP_HTTP_TIMEOUT_MS)));
    req.on('error', (e) => reject(signal?.aborted ? new NatAbortedError() : e));
    req.end(body);
  });
}

async function soap(
  svc: { serviceType: string; controlUrl: URL },
  action: string,
  args: readonly (readonly [string, string | number])[],
  signal?: AbortSignal,
) {
  const r = await http(
    svc.controlUrl,
    'POST',
    encodeSoapRequest(svc.serviceType, action, args),
    { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: `"${svc.serviceType}#${action}"` },
    signal,
  );
  return decodeSoapResponse(action, r.status, r.body);
}

export async function discoverIgd(
  gateway: string,
  signal?: AbortSignal,
): Promise<WanService & { localAddress: string }> {
  const localAddress = await localAddressTowards(gateway);
  const found = await ssdpSearch(gateway, localAddress, SSDP_TIMEOUT_MS, signal);
  const d = await http(found.location, 'GET', undefined, {}, signal);
  if (d.status !== 200) throw new UpnpNotFoundError(`description: HTTP ${d.status}`);
  return { ...decodeIgdDescription(d.body, found.location), localAddress };
}

export const upnpClient: MappingClient = {
  method: 'upnp',
  async map(o: MapOptions): Promise<PortMapping> {
    const svc = await discoverIgd(o.gateway, o.signal);
    const ext = await soap(svc, 'GetExternalIPAddress', [], o.signal);
    const externalAddress = ext.NewExternalIPAddress ?? '';
    const lease = o.lifetimeS ?? MAPPING_LIFETIME_S;
    const wanted = o.previous?.externalPort ?? o.internalPort;
    const args = (action: string, port: number, leaseS: number) =>
      soap(
        svc,
        action,
        [
          ['NewRemoteHost', ''],
          ['NewExternalPort', port],
          ['NewProtocol', 'TCP'],
          ['NewInternalPort', o.internalPort],
          ['NewInternalClient', svc.localAddress],
          ['NewEnabled', 1],
          ['NewPortMappingDescription', UPNP_DESCRIPTION],
          ['NewLeaseDuration', leaseS],
        ],
        o.signal,
      );
    let externalPort = wanted;
    let leaseS = lease;
    const add = async (): Promise<void> => {
      if (svc.version === 2) {
        let r: Record<string, string>;
        try {
          r = await args('AddAnyPortMapping', wanted, leaseS);
        } catch (e) {
          // 401 Invalid Action / 602 Optional Action Not Implemented: a v2 device without it.
          if (!(e instanceof UpnpSoapError) || (e.upnpCode !== 401 && e.upnpCode !== 602)) throw e;
          await args('AddPortMapping', wanted, leaseS);
          return;
        }
        const p = Number(r.NewReservedPort);
        if (!Number.isInteger(p) || p < 1 || p > 65_535)
          throw new NatMalformedError('UPnP', 'bad NewReservedPort');
        externalPort = p;
      } else {
        await args('AddPortMapping', wanted, leaseS);
      }
    };
    try {
      await add();
    } catch (e) {
      // 725 OnlyPermanentLeasesSupported (IGDv1): ask for a permanent lease, deleted on stop.
      if (!(e instanceof UpnpSoapError) || e.upnpCode !== 725) throw e;
      leaseS = 0;
      await add();
    }
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(externalAddress)) {
      throw new NatMalformedError('UPnP', 'GetExternalIPAddress gave no IPv4 address');
    }
    return {
      method: 'upnp',
      gateway: o.gateway,
      protocol: 'tcp',
      internalAddress: svc.localAddress,
      internalPort: o.internalPort,
      externalAddress,
      externalPort,
      lifetimeS: leaseS,
      expiresAt: leaseS === 0 ? Number.POSITIVE_INFINITY : Date.now() + leaseS * 1000,
      controlUrl: svc.controlUrl.href,
      serviceType: svc.serviceType,
    };
  },
  async unmap(m, o) {
    if (!m.controlUrl || !m.serviceType) return;
    await soap(
      { controlUrl: new URL(m.controlUrl), serviceType: m.serviceType },
      'DeletePortMapping',
      [
        ['NewRemoteHost', ''],
        ['NewExternalPort', m.externalPort],
        ['NewProtocol', 'TCP'],
      ],
      o.signal,
    );
  },
};

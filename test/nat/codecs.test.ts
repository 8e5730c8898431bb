/**
 * Unit tests of the NAT codecs with hand-made packets: PCP MAP, NAT-PMP, SSDP, IGD description, SOAP —
 * including truncated, mismatched and hostile messages, which must fail with named errors.
 */
import { describe, expect, test } from 'vitest';
import {
  NatMalformedError,
  NatMismatchError,
  NatPmpResultError,
  PcpResultError,
  UpnpNotFoundError,
  UpnpSoapError,
} from '../../src/net/nat/errors.ts';
import { parseProcNetRoute, parseRouteGetDefault } from '../../src/net/nat/gateway.ts';
import { ipFrom16, ipTo16, isCgnatIpv4, isGlobalIpv6, isPrivateIpv4 } from '../../src/net/nat/ip.ts';
import {
  decodeNatPmpAddressResponse,
  decodeNatPmpMapResponse,
  encodeNatPmpMapRequest,
  NATPMP_OP_MAP_TCP,
  type NatPmpMapRequest,
} from '../../src/net/nat/natpmp.ts';
import {
  decodePcpMapResponse,
  encodePcpMapRequest,
  IPPROTO_TCP,
  type PcpMapRequest,
} from '../../src/net/nat/pcp.ts';
import { verdictFor } from '../../src/net/nat/service.ts';
import {
  decodeIgdDescription,
  decodeSoapResponse,
  decodeSsdpResponse,
  encodeSoapRequest,
  parseXml,
} from '../../src/net/nat/upnp-codec.ts';

const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const pcpReq: PcpMapRequest = {
  clientAddress: '10.77.1.10',
  nonce,
  protocol: IPPROTO_TCP,
  internalPort: 40100,
  suggestedExternalPort: 40100,
  suggestedExternalAddress: '0.0.0.0',
  lifetimeS: 7200,
};

function pcpResponse(
  o: {
    result?: number;
    lifetime?: number;
    op?: number;
    nonce?: Uint8Array;
    port?: number;
    ext?: string;
    extPort?: number;
    len?: number;
  } = {},
): Uint8Array {
  const b = new Uint8Array(o.len ?? 60);
  const v = new DataView(b.buffer);
  b[0] = 2;
  b[1] = o.op ?? 0x81;
  b[3] = o.result ?? 0;
  if (b.length >= 8) v.setUint32(4, o.lifetime ?? 7200);
  if (b.length >= 60) {
    b.set(o.nonce ?? nonce, 24);
    b[36] = 6;
    v.setUint16(40, o.port ?? 40100);
    v.setUint16(42, o.extPort ?? 40100);
    b.set(ipTo16(o.ext ?? '198.51.100.11'), 44);
  }
  return b;
}

describe('PCP', () => {
  test('encodes a MAP request with the nonce, client address and ports', () => {
    const b = encodePcpMapRequest(pcpReq);
    expect(b.length).toBe(60);
    expect([b[0], b[1]]).toEqual([2, 1]);
    expect(ipFrom16(b.subarray(8, 24))).toBe('10.77.1.10');
    expect(b.subarray(24, 36)).toEqual(nonce);
    expect(b[36]).toBe(6);
  });
  test('refuses a zero or short nonce', () => {
    expect(() => encodePcpMapRequest({ ...pcpReq, nonce: new Uint8Array(12) })).toThrow(/nonce/);
    expect(() => encodePcpMapRequest({ ...pcpReq, nonce: new Uint8Array(8).fill(1) })).toThrow(/nonce/);
  });
  test('decodes a success', () => {
    expect(decodePcpMapResponse(pcpResponse(), pcpReq)).toMatchObject({
      externalAddress: '198.51.100.11',
      externalPort: 40100,
      lifetimeS: 7200,
    });
  });
  test('result codes become named errors', () => {
    const e = (() => {
      try {
        decodePcpMapResponse(pcpResponse({ result: 2 }), pcpReq);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(PcpResultError);
    expect((e as PcpResultError).code).toBe('PcpNotAuthorized');
    expect(() => decodePcpMapResponse(pcpResponse({ result: 8, len: 24 }), pcpReq)).toThrow(PcpResultError);
  });
  test('rejects wrong nonce, opcode, non-response, truncated, huge lifetime, bad version', () => {
    expect(() => decodePcpMapResponse(pcpResponse({ nonce: new Uint8Array(12).fill(9) }), pcpReq)).toThrow(
      NatMismatchError,
    );
    expect(() => decodePcpMapResponse(pcpResponse({ op: 0x82 }), pcpReq)).toThrow(NatMismatchError);
    expect(() => decodePcpMapResponse(pcpResponse({ op: 0x01 }), pcpReq)).toThrow(NatMismatchError);
    expect(() => decodePcpMapResponse(pcpResponse({ port: 1 }), pcpReq)).toThrow(NatMismatchError);
    expect(() => decodePcpMapResponse(pcpResponse().subarray(0, 40), pcpReq)).toThrow(NatMalformedError);
    expect(() => decodePcpMapResponse(pcpResponse().subarray(0, 10), pcpReq)).toThrow(NatMalformedError);
    expect(() => decodePcpMapResponse(pcpResponse({ lifetime: 0xffffffff }), pcpReq)).toThrow(
      NatMalformedError,
    );
    expect(() => decodePcpMapResponse(pcpResponse({ extPort: 0 }), pcpReq)).toThrow(NatMalformedError);
    expect(() => decodePcpMapResponse(new Uint8Array(2000), pcpReq)).toThrow(NatMalformedError);
    const v3 = pcpResponse();
    v3[0] = 3;
    expect(() => decodePcpMapResponse(v3, pcpReq)).toThrow(NatMalformedError);
    const v0 = pcpResponse();
    v0[0] = 0;
    expect(() => decodePcpMapResponse(v0, pcpReq)).toThrow(PcpResultError);
  });
});

describe('NAT-PMP', () => {
  const req: NatPmpMapRequest = {
    opcode: NATPMP_OP_MAP_TCP,
    internalPort: 40100,
    suggestedExternalPort: 40100,
    lifetimeS: 7200,
  };
  const map = (result = 0, iport = 40100, eport = 40100, life = 7200, op = 130) => {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    b[1] = op;
    v.setUint16(2, result);
    v.setUint32(4, 99);
    v.setUint16(8, iport);
    v.setUint16(10, eport);
    v.setUint32(12, life);
    return b;
  };
  test('encodes map and delete requests (lifetime in seconds; delete has external port 0)', () => {
    expect([...encodeNatPmpMapRequest(req)]).toEqual([0, 2, 0, 0, 0x9c, 0xa4, 0x9c, 0xa4, 0, 0, 0x1c, 0x20]);
    expect([...encodeNatPmpMapRequest({ ...req, lifetimeS: 0 })].slice(6)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  test('decodes address and map responses', () => {
    expect(
      decodeNatPmpAddressResponse(Uint8Array.of(0, 128, 0, 0, 0, 0, 0, 1, 198, 51, 100, 11)).externalAddress,
    ).toBe('198.51.100.11');
    expect(decodeNatPmpMapResponse(map(), req)).toMatchObject({
      externalPort: 40100,
      lifetimeS: 7200,
      epoch: 99,
    });
  });
  test('rejects hostile answers', () => {
    expect(() => decodeNatPmpMapResponse(map(3), req)).toThrow(NatPmpResultError);
    expect(() => decodeNatPmpMapResponse(map(0, 1), req)).toThrow(NatMismatchError);
    expect(() => decodeNatPmpMapResponse(map(0, 40100, 40100, 0, 129), req)).toThrow(NatMismatchError);
    expect(() => decodeNatPmpMapResponse(map(0, 40100, 40100, 3_600_000), req)).toThrow(NatMalformedError);
    expect(() => decodeNatPmpMapResponse(map().subarray(0, 12), req)).toThrow(NatMalformedError);
    expect(() => decodeNatPmpAddressResponse(Uint8Array.of(1, 128, 0, 0))).toThrow(NatMalformedError);
  });
});

describe('UPnP', () => {
  const ssdp = (s: string) => new TextEncoder().encode(s);
  test('SSDP response', () => {
    const r = decodeSsdpResponse(
      ssdp(
        'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\nLOCATION: http://10.77.1.1:5000/rootDesc.xml\r\nUSN: x\r\n\r\n',
      ),
    );
    expect(r.location.href).toBe('http://10.77.1.1:5000/rootDesc.xml');
    expect(() => decodeSsdpResponse(ssdp('NOTIFY * HTTP/1.1\r\n\r\n'))).toThrow(NatMalformedError);
    expect(() =>
      decodeSsdpResponse(
        ssdp('HTTP/1.1 200 OK\r\nST: urn:x:InternetGatewayDevice:1\r\nLOCATION: file:///etc/passwd\r\n\r\n'),
      ),
    ).toThrow(NatMalformedError);
    expect(() => decodeSsdpResponse(new Uint8Array(5000))).toThrow(NatMalformedError);
  });
  const desc = (svc: string, control = '/ctl/IPConn', base = '') =>
    `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">${base}<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><deviceList><device><serviceList><service><serviceType>${svc}</serviceType><controlURL>${control}</controlURL></service></serviceList></device></deviceList></device></root>`;
  const loc = new URL('http://10.77.1.1:5000/rootDesc.xml');
  test('IGD description: WANIPConnection:1/2 and WANPPPConnection:1', () => {
    expect(decodeIgdDescription(desc('urn:schemas-upnp-org:service:WANIPConnection:2'), loc)).toMatchObject({
      version: 2,
    });
    expect(
      decodeIgdDescription(desc('urn:schemas-upnp-org:service:WANIPConnection:1'), loc).controlUrl.href,
    ).toBe('http://10.77.1.1:5000/ctl/IPConn');
    expect(
      decodeIgdDescription(desc('urn:schemas-upnp-org:service:WANPPPConnection:1'), loc).serviceType,
    ).toMatch(/PPP/);
    expect(() => decodeIgdDescription(desc('urn:schemas-upnp-org:service:Layer3Forwarding:1'), loc)).toThrow(
      UpnpNotFoundError,
    );
    expect(() =>
      decodeIgdDescription(
        desc('urn:schemas-upnp-org:service:WANIPConnection:1', 'http://203.0.113.10/x'),
        loc,
      ),
    ).toThrow(NatMalformedError);
  });
  test('XML reader refuses DOCTYPE, unknown entities, deep nesting, mismatched tags', () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toThrow(NatMalformedError);
    expect(() => parseXml('<x>&foo;</x>')).toThrow(NatMalformedError);
    expect(() => parseXml(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`)).toThrow(NatMalformedError);
    expect(() => parseXml('<a><b></a></b>')).toThrow(NatMalformedError);
    expect(parseXml('<a>x &amp; &#65;<![CDATA[<y>]]></a>').text).toBe('x & A<y>');
  });
  test('SOAP requests escape values; responses and faults decode', () => {
    expect(encodeSoapRequest('urn:x', 'AddPortMapping', [['NewPortMappingDescription', '<a&b>']])).toContain(
      '&lt;a&amp;b&gt;',
    );
    const ok =
      '<s:Envelope xmlns:s="e"><s:Body><u:GetExternalIPAddressResponse xmlns:u="x"><NewExternalIPAddress>198.51.100.11</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>';
    expect(decodeSoapResponse('GetExternalIPAddress', 200, ok).NewExternalIPAddress).toBe('198.51.100.11');
    const any =
      '<s:Envelope><s:Body><u:AddAnyPortMappingResponse><NewReservedPort>40101</NewReservedPort></u:AddAnyPortMappingResponse></s:Body></s:Envelope>';
    expect(decodeSoapResponse('AddAnyPortMapping', 200, any).NewReservedPort).toBe('40101');
    expect(
      decodeSoapResponse(
        'DeletePortMapping',
        200,
        '<s:Envelope><s:Body><u:DeletePortMappingResponse/></s:Body></s:Envelope>',
      ),
    ).toEqual({});
    const fault =
      '<s:Envelope><s:Body><s:Fault><faultcode>s:Client</faultcode><detail><UPnPError><errorCode>718</errorCode><errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>';
    try {
      decodeSoapResponse('AddPortMapping', 500, fault);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UpnpSoapError);
      expect((e as UpnpSoapError).upnpCode).toBe(718);
    }
    expect(() => decodeSoapResponse('AddPortMapping', 200, '<html/>')).toThrow(NatMalformedError);
  });
});

describe('addresses, routes and verdicts', () => {
  test('classification', () => {
    expect(isCgnatIpv4('100.64.0.11')).toBe(true);
    expect(isCgnatIpv4('100.128.0.1')).toBe(false);
    expect(isPrivateIpv4('192.168.1.1')).toBe(true);
    expect(isPrivateIpv4('198.51.100.11')).toBe(false);
    expect(isGlobalIpv6('2001:db8:a::10')).toBe(true);
    expect(isGlobalIpv6('fe80::1')).toBe(false);
    expect(isGlobalIpv6('2002::1')).toBe(false);
    expect(ipFrom16(ipTo16('2001:db8::1'))).toBe('2001:db8::1');
  });
  test('route tables', () => {
    const route =
      'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00000000\t01014D0A\t0003\t0\t0\t0\t00000000\neth0\t00014D0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\n';
    expect(parseProcNetRoute(route)).toBe('10.77.1.1');
    expect(parseProcNetRoute('Iface\n')).toBeUndefined();
    expect(parseRouteGetDefault('   route to: default\n    gateway: 192.168.1.254\n  interface: en0\n')).toBe(
      '192.168.1.254',
    );
  });
  test('verdicts from the external address', () => {
    const m = {
      method: 'pcp',
      gateway: 'g',
      protocol: 'tcp',
      internalAddress: 'i',
      internalPort: 1,
      externalPort: 1,
      lifetimeS: 1,
      expiresAt: 0,
    } as const;
    expect(verdictFor({ ...m, externalAddress: '198.51.100.11' })).toBe('mapped');
    expect(verdictFor({ ...m, externalAddress: '100.64.0.11' })).toBe('behind CGNAT');
    expect(verdictFor({ ...m, externalAddress: '192.168.0.2' })).toBe('double NAT');
  });
});

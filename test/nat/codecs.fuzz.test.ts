/**
 * Fuzz suite for every NAT decoder: random and mutated inputs (PVT_FUZZ_RUNS, default 2000 per decoder)
 * must either decode or throw one of the named NAT errors — never a TypeError, RangeError or hang.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { NatError } from '../../src/net/nat/errors.ts';
import {
  decodeNatPmpAddressResponse,
  decodeNatPmpMapResponse,
  NATPMP_OP_MAP_TCP,
} from '../../src/net/nat/natpmp.ts';
import { decodePcpMapResponse, IPPROTO_TCP } from '../../src/net/nat/pcp.ts';
import {
  decodeIgdDescription,
  decodeSoapResponse,
  decodeSsdpResponse,
  parseXml,
} from '../../src/net/nat/upnp-codec.ts';

const RUNS = Number(process.env.PVT_FUZZ_RUNS ?? 2000);
const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1);

function named(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof NatError)) throw e;
  }
}

function mutate(seed: Uint8Array): Uint8Array {
  const b = Uint8Array.from(seed);
  const n = 1 + Math.floor(Math.random() * 4);
  for (let i = 0; i < n; i++) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
  const cut = Math.random() < 0.3 ? Math.floor(Math.random() * b.length) : b.length;
  return b.subarray(0, cut);
}

const pcpSeed = (() => {
  const b = new Uint8Array(60);
  b[0] = 2;
  b[1] = 0x81;
  b[7] = 100;
  b.set(nonce, 24);
  b[36] = 6;
  b[40] = 0x9c;
  b[41] = 0xa4;
  b[42] = 0x9c;
  b[45 + 10 - 1] = 0xff;
  return b;
})();
const text = (s: string) => new TextEncoder().encode(s);
const xmlSeed =
  '<?xml version="1.0"?><root><URLBase>http://10.0.0.1:5000/</URLBase><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl</controlURL></service></serviceList></device></root>';
const soapSeed =
  '<s:Envelope><s:Body><u:XResponse><A>1 &amp; 2</A></u:XResponse><UPnPError><errorCode>718</errorCode></UPnPError></s:Body></s:Envelope>';

describe('NAT decoders fuzz', () => {
  const pcpReq = {
    clientAddress: '10.0.0.2',
    nonce,
    protocol: IPPROTO_TCP,
    internalPort: 40100,
    suggestedExternalPort: 0,
    suggestedExternalAddress: '0.0.0.0',
    lifetimeS: 7200,
  };
  const pmpReq = {
    opcode: NATPMP_OP_MAP_TCP,
    internalPort: 40100,
    suggestedExternalPort: 0,
    lifetimeS: 7200,
  } as const;
  test('PCP', () => {
    for (let i = 0; i < RUNS; i++) {
      named(() =>
        decodePcpMapResponse(i % 2 ? mutate(pcpSeed) : randomBytes(Math.floor(Math.random() * 120)), pcpReq),
      );
    }
  });
  test('NAT-PMP', () => {
    const seed = Uint8Array.of(0, 130, 0, 0, 0, 0, 0, 1, 0x9c, 0xa4, 0x9c, 0xa4, 0, 0, 0x1c, 0x20);
    for (let i = 0; i < RUNS; i++) {
      const d = i % 2 ? mutate(seed) : randomBytes(Math.floor(Math.random() * 40));
      named(() => decodeNatPmpMapResponse(d, pmpReq));
      named(() => decodeNatPmpAddressResponse(d));
    }
  });
  test('SSDP', () => {
    const seed = text(
      'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://10.0.0.1:5000/d.xml\r\n\r\n',
    );
    for (let i = 0; i < RUNS; i++)
      named(() => decodeSsdpResponse(i % 2 ? mutate(seed) : randomBytes(Math.floor(Math.random() * 200))));
  });
  test('XML, IGD description and SOAP', () => {
    const loc = new URL('http://10.0.0.1:5000/d.xml');
    const dec = new TextDecoder();
    for (let i = 0; i < RUNS; i++) {
      const x = dec.decode(mutate(text(xmlSeed)));
      named(() => decodeIgdDescription(x, loc));
      const s = dec.decode(mutate(text(soapSeed)));
      named(() => decodeSoapResponse('X', 200, s));
      named(() => parseXml(dec.decode(randomBytes(64))));
    }
    expect(() => parseXml('<a>'.repeat(30_000))).toThrow(NatError);
  });
});

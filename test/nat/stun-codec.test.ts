/**
 * Unit tests of the STUN codec with hand-made packets (and two made by the natlab's Python codec):
 * XOR-MAPPED / MAPPED over IPv4 and IPv6, FINGERPRINT, and every malformed or mismatching form, each a
 * named error. Also parseStunServer, the mapping classification and the verdict rules with STUN.
 */
import { describe, expect, test } from 'vitest';
import type { PortMapping } from '../../src/net/nat/clients.ts';
import {
  BadStunServerError,
  NatMismatchError,
  StunErrorResponseError,
  StunMalformedError,
} from '../../src/net/nat/errors.ts';
import { ipTo16 } from '../../src/net/nat/ip.ts';
import { verdictFor, verdictWith } from '../../src/net/nat/service.ts';
import {
  classifyStun,
  formatStunServer,
  parseStunServer,
  parseStunServers,
  type StunObservation,
  type StunServerResult,
} from '../../src/net/nat/stun.ts';
import {
  decodeStunBindingResponse,
  encodeStunBindingRequest,
  ipv6BytesToText,
} from '../../src/net/nat/stun-codec.ts';

const COOKIE = [0x21, 0x12, 0xa4, 0x42];
const id = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const otherId = Uint8Array.from({ length: 12 }, (_, i) => 100 + i);

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

function attr(type: number, value: Uint8Array, pad = true): Uint8Array {
  const padLen = pad ? (4 - (value.length % 4)) % 4 : 0;
  const out = new Uint8Array(4 + value.length + padLen);
  out[0] = type >> 8;
  out[1] = type & 0xff;
  out[2] = value.length >> 8;
  out[3] = value.length & 0xff;
  out.set(value, 4);
  return out;
}

function message(
  o: { type?: number; tid?: Uint8Array; cookie?: number[]; attrs?: Uint8Array[]; length?: number } = {},
): Uint8Array {
  const body = Uint8Array.from((o.attrs ?? []).flatMap((a) => [...a]));
  const type = o.type ?? 0x0101;
  const length = o.length ?? body.length;
  return Uint8Array.from([
    type >> 8,
    type & 0xff,
    length >> 8,
    length & 0xff,
    ...(o.cookie ?? COOKIE),
    ...(o.tid ?? id),
    ...body,
  ]);
}

function addressValue(ip: string, port: number, xor: boolean, tid = id): Uint8Array {
  const raw = ip.includes(':') ? ipTo16(ip) : Uint8Array.from(ip.split('.').map(Number));
  const key = Uint8Array.from([...COOKIE, ...tid]);
  const p = xor ? port ^ 0x2112 : port;
  const addr = raw.map((b, i) => (xor ? b ^ (key[i] ?? 0) : b));
  return Uint8Array.from([0, raw.length === 4 ? 1 : 2, p >> 8, p & 0xff, ...addr]);
}

const xorMapped = (ip: string, port: number) => attr(0x0020, addressValue(ip, port, true));
const mapped = (ip: string, port: number) => attr(0x0001, addressValue(ip, port, false));

describe('STUN Binding request', () => {
  test('20 bytes: type 0x0001, length 0, magic cookie, the transaction id', () => {
    const b = encodeStunBindingRequest(id);
    expect(b.length).toBe(20);
    expect([...b.subarray(0, 8)]).toEqual([0, 1, 0, 0, ...COOKIE]);
    expect(b.subarray(8)).toEqual(id);
  });
  test('refuses a zero or short transaction id', () => {
    expect(() => encodeStunBindingRequest(new Uint8Array(12))).toThrow(/transaction id/);
    expect(() => encodeStunBindingRequest(new Uint8Array(8).fill(1))).toThrow(/transaction id/);
    expect(() => decodeStunBindingResponse(message(), new Uint8Array(12))).toThrow(TypeError);
  });
});

describe('STUN Binding response decoder', () => {
  test('XOR-MAPPED-ADDRESS, IPv4', () => {
    expect(decodeStunBindingResponse(message({ attrs: [xorMapped('198.51.100.11', 40100)] }), id)).toEqual({
      address: '198.51.100.11',
      port: 40100,
      family: 4,
      xor: true,
    });
  });
  test('XOR-MAPPED-ADDRESS, IPv6', () => {
    const r = decodeStunBindingResponse(message({ attrs: [xorMapped('2001:db8:dc::10', 3478)] }), id);
    expect(r).toEqual({ address: '2001:db8:dc::10', port: 3478, family: 6, xor: true });
  });
  test('MAPPED-ADDRESS alone (RFC 3489 server), IPv4 and IPv6', () => {
    expect(decodeStunBindingResponse(message({ attrs: [mapped('203.0.113.7', 1234)] }), id)).toEqual({
      address: '203.0.113.7',
      port: 1234,
      family: 4,
      xor: false,
    });
    expect(decodeStunBindingResponse(message({ attrs: [mapped('2001:db8::1', 9)] }), id).address).toBe(
      '2001:db8::1',
    );
  });
  test('XOR-MAPPED-ADDRESS preferred over MAPPED-ADDRESS, whatever the order', () => {
    const m = message({ attrs: [mapped('10.0.0.1', 1), xorMapped('198.51.100.11', 2)] });
    expect(decodeStunBindingResponse(m, id)).toMatchObject({ address: '198.51.100.11', port: 2, xor: true });
  });
  test('packets made by the natlab Python codec: SOFTWARE (padded), FINGERPRINT, IPv6', () => {
    const withFingerprint = hex(
      '0101002c2112a4420102030405060708090a0b0c802200066e61746c61620000002000080001bdb6e721c049' +
        '00010008000104d20a00000180280004d648f189',
    );
    expect(decodeStunBindingResponse(withFingerprint, id)).toMatchObject({
      address: '198.51.100.11',
      port: 40100,
      xor: true,
    });
    const v6 = hex(
      '010100182112a4420102030405060708090a0b0c0020001400022c840113a9fa01de030405060708090a0b1c',
    );
    expect(decodeStunBindingResponse(v6, id)).toMatchObject({ address: '2001:db8:dc::10', port: 3478 });
    // One bit flipped in the XOR-MAPPED-ADDRESS: the FINGERPRINT no longer matches.
    const bad = Uint8Array.from(withFingerprint);
    bad[40] = (bad[40] ?? 0) ^ 1;
    expect(() => decodeStunBindingResponse(bad, id)).toThrow(/FINGERPRINT/);
  });
  test('unknown attributes are skipped', () => {
    const m = message({ attrs: [attr(0x802b, Uint8Array.of(1, 2, 3)), xorMapped('198.51.100.11', 5)] });
    expect(decodeStunBindingResponse(m, id).port).toBe(5);
  });

  const good = xorMapped('198.51.100.11', 1);
  const malformed: [string, Uint8Array, RegExp][] = [
    ['wrong magic cookie', message({ cookie: [0, 0, 0, 0], attrs: [good] }), /magic cookie/],
    ['wrong type (a Binding request)', message({ type: 0x0001 }), /message type 0x0001/],
    ['wrong type (an indication)', message({ type: 0x0011, attrs: [good] }), /message type 0x0011/],
    ['first two bits set', message({ type: 0xc101, attrs: [good] }), /first two bits/],
    ['truncated header', message().subarray(0, 19), /truncated \(19 bytes\)/],
    ['empty datagram', new Uint8Array(0), /truncated \(0 bytes\)/],
    ['length past the datagram', message({ length: 12 }), /length 12 does not match the 20-byte/],
    ['length short of the datagram', message({ length: 0, attrs: [good] }), /length 0 does not match/],
    [
      'last attribute unpadded (length field 9)',
      message({ attrs: [attr(0x8022, Uint8Array.of(1, 2, 3, 4, 5), false)] }),
      /length 9 is not a multiple of 4/,
    ],
    [
      'attribute unpadded before the next one (the next is misread and runs past the end)',
      message({
        attrs: [attr(0x8022, Uint8Array.of(1, 2, 3, 4, 5), false), good, Uint8Array.of(0, 0, 0)],
      }),
      /attribute 0x800 runs past the end/,
    ],
    [
      'attribute running past the end',
      message({ attrs: [Uint8Array.of(0x00, 0x20, 0x00, 0x40, 0, 1, 0, 1)] }),
      /attribute 0x20 runs past the end/,
    ],
    ['no mapped address', message({ attrs: [attr(0x8022, Uint8Array.of(1, 2, 3, 4))] }), /no \(XOR-\)MAPPED/],
    [
      'address family 3',
      message({ attrs: [attr(0x0020, Uint8Array.of(0, 3, 0, 1, 1, 2, 3, 4))] }),
      /XOR-MAPPED-ADDRESS: address family 3/,
    ],
    [
      'IPv4 address value too long',
      message({ attrs: [attr(0x0020, Uint8Array.of(0, 1, 0, 1, 1, 2, 3, 4, 5))] }),
      /XOR-MAPPED-ADDRESS: 9 bytes/,
    ],
    [
      'IPv6 address value too short',
      message({ attrs: [attr(0x0001, Uint8Array.of(0, 2, 0, 1, 1, 2, 3, 4))] }),
      /^STUN: malformed message: MAPPED-ADDRESS: 8 bytes/,
    ],
    ['port 0', message({ attrs: [mapped('198.51.100.11', 0)] }), /port 0/],
    ['unspecified address', message({ attrs: [xorMapped('0.0.0.0', 80)] }), /unspecified address/],
    [
      'FINGERPRINT not last',
      message({ attrs: [attr(0x8028, new Uint8Array(4)), good] }),
      /FINGERPRINT is not the last/,
    ],
    ['FINGERPRINT wrong', message({ attrs: [good, attr(0x8028, new Uint8Array(4))] }), /wrong FINGERPRINT/],
    [
      'oversize datagram',
      message({ attrs: [attr(0x8022, new Uint8Array(1300)), good] }),
      /^STUN: malformed message: 1336 bytes$/,
    ],
    ['error response without ERROR-CODE', message({ type: 0x0111 }), /without ERROR-CODE/],
    [
      'ERROR-CODE class 7',
      message({ type: 0x0111, attrs: [attr(0x0009, Uint8Array.of(0, 0, 7, 0))] }),
      /ERROR-CODE: class 7/,
    ],
    [
      'ERROR-CODE number 100',
      message({ type: 0x0111, attrs: [attr(0x0009, Uint8Array.of(0, 0, 4, 100))] }),
      /number 100/,
    ],
  ];
  for (const [name, packet, reason] of malformed) {
    test(`${name} → StunMalformedError`, () => {
      let caught: unknown;
      try {
        decodeStunBindingResponse(packet, id);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(StunMalformedError);
      expect((caught as StunMalformedError).code).toBe('StunMalformed');
      expect((caught as Error).message).toMatch(reason);
    });
  }

  test('another transaction id → NatMismatchError (the client keeps waiting)', () => {
    const m = message({ tid: otherId, attrs: [xorMapped('198.51.100.11', 1)] });
    expect(() => decodeStunBindingResponse(m, id)).toThrow(NatMismatchError);
  });

  test('error response → StunErrorResponseError with the code and a cleaned reason', () => {
    const reason = new TextEncoder().encode('Bad Request\u0007\n');
    const m = message({ type: 0x0111, attrs: [attr(0x0009, Uint8Array.from([0, 0, 4, 0, ...reason]))] });
    let caught: unknown;
    try {
      decodeStunBindingResponse(m, id);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StunErrorResponseError);
    expect((caught as StunErrorResponseError).stunCode).toBe(400);
    expect((caught as StunErrorResponseError).code).toBe('StunErrorResponse');
    expect((caught as Error).message).toBe('STUN: server answered error 400 Bad Request');
    const m420 = message({ type: 0x0111, attrs: [attr(0x0009, Uint8Array.of(0, 0, 4, 20))] });
    expect(() => decodeStunBindingResponse(m420, id)).toThrow(/error 420/);
  });

  test('IPv6 text is RFC 5952 (longest zero run compressed, lower case)', () => {
    expect(ipv6BytesToText(ipTo16('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(ipv6BytesToText(ipTo16('2001:db8:0:1:0:0:0:1'))).toBe('2001:db8:0:1::1');
    expect(ipv6BytesToText(ipTo16('2001:db8:1:1:1:1:0:1'))).toBe('2001:db8:1:1:1:1:0:1');
    expect(ipv6BytesToText(ipTo16('::1'))).toBe('::1');
    expect(ipv6BytesToText(ipTo16('fe80::'))).toBe('fe80::');
  });
});

describe('parseStunServer', () => {
  test('host, host:port, IPv4:port, [IPv6]:port, bare IPv6; default port 3478', () => {
    expect(parseStunServer('stun.example.org')).toEqual({ host: 'stun.example.org', port: 3478 });
    expect(parseStunServer('Stun.Example.org:19302')).toEqual({ host: 'stun.example.org', port: 19302 });
    expect(parseStunServer('203.0.113.2:3479')).toEqual({ host: '203.0.113.2', port: 3479 });
    expect(parseStunServer('[2001:db8::2]:3478')).toEqual({ host: '2001:db8::2', port: 3478 });
    expect(parseStunServer('[2001:db8::2]')).toEqual({ host: '2001:db8::2', port: 3478 });
    expect(parseStunServer(' 2001:db8::2 ')).toEqual({ host: '2001:db8::2', port: 3478 });
    expect(formatStunServer({ host: '2001:db8::2', port: 1 })).toBe('[2001:db8::2]:1');
    expect(formatStunServer({ host: '203.0.113.2', port: 1 })).toBe('203.0.113.2:1');
  });
  const garbage = [
    '',
    ':3478',
    'host:',
    'host:0',
    'host:65536',
    'host:12ab',
    'host:-1',
    '[nothost]:3478',
    '[2001:db8::2]x',
    '[fe80::1%eth0]:3478',
    '999.1.1.1',
    '1.2.3',
    'bad_host:3478',
    'a b:3478',
    '-bad.example',
    'x'.repeat(400),
    'host\u0000:3478',
  ];
  for (const g of garbage) {
    test(`refuses ${JSON.stringify(g.slice(0, 30))}`, () => {
      expect(() => parseStunServer(g)).toThrow(BadStunServerError);
    });
  }
  test('lists: comma-separated and repeated, empty items skipped, at most 8', () => {
    expect(parseStunServers(['203.0.113.2:3478,203.0.113.3:3479', ' ', 'stun.example.org'])).toEqual([
      { host: '203.0.113.2', port: 3478 },
      { host: '203.0.113.3', port: 3479 },
      { host: 'stun.example.org', port: 3478 },
    ]);
    expect(parseStunServers([''])).toEqual([]);
    expect(() => parseStunServers([Array.from({ length: 9 }, (_, i) => `h${i}`).join(',')])).toThrow(
      /at most 8/,
    );
    expect(() => parseStunServers(['ok.example,bad host'])).toThrow(BadStunServerError);
  });
});

const ok = (server: string, mappedAddress: string, mappedPort: number): StunServerResult => ({
  server,
  ok: true,
  mappedAddress,
  mappedPort,
  ms: 1,
});
const failed = (server: string): StunServerResult => ({ server, ok: false, error: 'NatTimeout', ms: 1500 });

describe('classifyStun', () => {
  test('two servers, same mapping → endpoint-independent', () => {
    expect(classifyStun([ok('a:1', '198.51.100.11', 5), ok('b:2', '198.51.100.11', 5)])).toEqual({
      classification: 'endpoint-independent',
      address: '198.51.100.11',
    });
  });
  test('different port or address → endpoint-dependent (any difference counts)', () => {
    const r = [ok('a:1', '198.51.100.12', 5), ok('b:2', '198.51.100.12', 5), ok('c:3', '198.51.100.12', 6)];
    expect(classifyStun(r).classification).toBe('endpoint-dependent');
    expect(classifyStun([ok('a:1', '198.51.100.12', 5), ok('b:2', '198.51.100.13', 5)]).classification).toBe(
      'endpoint-dependent',
    );
  });
  test('fewer than two distinct answering servers → unknown', () => {
    expect(classifyStun([])).toEqual({ classification: 'unknown', address: null });
    expect(classifyStun([ok('a:1', '198.51.100.11', 5), failed('b:2')])).toEqual({
      classification: 'unknown',
      address: '198.51.100.11',
    });
    // The same server listed twice is one server.
    expect(classifyStun([ok('a:1', '198.51.100.11', 5), ok('a:1', '198.51.100.11', 5)]).classification).toBe(
      'unknown',
    );
  });
  test('families are not mixed; IPv4 preferred for the address', () => {
    const r = [ok('[2001:db8::2]:1', '2001:db8::10', 5), ok('a:1', '198.51.100.11', 7)];
    expect(classifyStun(r)).toEqual({ classification: 'unknown', address: '198.51.100.11' });
    const v6 = [ok('[2001:db8::2]:1', '2001:db8::10', 5), ok('[2001:db8::3]:1', '2001:db8::10', 6)];
    expect(classifyStun(v6).classification).toBe('endpoint-dependent');
  });
});

describe('verdict with STUN', () => {
  const m: PortMapping = {
    method: 'pcp',
    gateway: '10.77.1.1',
    protocol: 'tcp',
    internalAddress: '10.77.1.10',
    internalPort: 40100,
    externalAddress: '198.51.100.11',
    externalPort: 40100,
    lifetimeS: 7200,
    expiresAt: 0,
  };
  const obs = (results: StunServerResult[]): StunObservation => ({
    results,
    ...classifyStun(results),
    localPorts: [1],
    ms: 1,
  });
  const same = obs([ok('a:1', '198.51.100.11', 5), ok('b:2', '198.51.100.11', 5)]);
  const symmetric = obs([ok('a:1', '198.51.100.12', 5), ok('b:2', '198.51.100.12', 9)]);
  test('no STUN: verdictFor', () => {
    for (const ext of ['198.51.100.11', '100.64.0.11', '192.168.0.2']) {
      expect(verdictWith({ ...m, externalAddress: ext }, null)).toBe(
        verdictFor({ ...m, externalAddress: ext }),
      );
    }
    expect(verdictWith(null, null)).toBe('unreachable');
  });
  test('mapping confirmed by STUN → mapped, also behind an endpoint-dependent NAT', () => {
    expect(verdictWith(m, same)).toBe('mapped');
    expect(verdictWith({ ...m, externalAddress: '198.51.100.12' }, symmetric)).toBe('mapped');
    expect(verdictWith(m, obs([failed('a:1')]))).toBe('mapped');
  });
  test('gateway address other than the STUN-observed one → double NAT / behind CGNAT', () => {
    const cgn = obs([ok('a:1', '198.51.100.64', 5), ok('b:2', '198.51.100.64', 5)]);
    expect(verdictWith(m, cgn)).toBe('double NAT');
    expect(verdictWith({ ...m, externalAddress: '100.64.0.11' }, cgn)).toBe('behind CGNAT');
    expect(verdictWith({ ...m, externalAddress: '192.168.0.2' }, cgn)).toBe('double NAT');
    // Only answers of the mapping's family are compared.
    expect(verdictWith(m, obs([ok('[2001:db8::2]:1', '2001:db8::10', 5)]))).toBe('mapped');
  });
  test('no mapping: endpoint-dependent → symmetric NAT; independent or unknown → unreachable', () => {
    expect(verdictWith(null, symmetric)).toBe('symmetric NAT');
    expect(verdictWith(null, same)).toBe('unreachable');
    expect(verdictWith(null, obs([ok('a:1', '198.51.100.11', 5)]))).toBe('unreachable');
  });
});

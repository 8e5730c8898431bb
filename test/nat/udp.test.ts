/**
 * udpExchange on loopback with a fake gateway: retransmission when the first request is dropped,
 * mismatching answers ignored, malformed answers fatal, ICMP port unreachable → NatRefused, timeout →
 * NatTimeout, abort → NatAborted.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, expect, test } from 'vitest';
import {
  NatAbortedError,
  NatMalformedError,
  NatMismatchError,
  NatRefusedError,
  NatTimeoutError,
} from '../../src/net/nat/errors.ts';
import { udpExchange } from '../../src/net/nat/udp.ts';

let server: Socket | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function fakeGateway(
  onMessage: (msg: Buffer, n: number, reply: (b: Uint8Array) => void) => void,
): Promise<number> {
  const s = createSocket('udp4');
  server = s;
  let n = 0;
  s.on('message', (msg, r) => onMessage(msg, n++, (b) => s.send(b, r.port, r.address)));
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s.address().port;
}

const accept = (d: Uint8Array) => {
  if (d[0] === 9) throw new NatMismatchError('T', 'other');
  if (d[0] === 7) throw new NatMalformedError('T', 'bad');
  return d[0];
};

test('retransmits after a dropped request and ignores mismatching answers', async () => {
  const port = await fakeGateway((_m, n, reply) => {
    if (n === 0) return; // dropped
    reply(Uint8Array.of(9));
    reply(Uint8Array.of(1));
  });
  const sent: number[] = [];
  const v = await udpExchange({
    protocol: 'T',
    host: '127.0.0.1',
    port,
    request: (local) => {
      expect(local).toBe('127.0.0.1');
      return Uint8Array.of(0);
    },
    accept,
    retransmitDelayMs: (n) => {
      sent.push(n);
      return 50 * 2 ** n;
    },
    timeoutMs: 2_000,
  });
  expect(v).toBe(1);
  expect(sent.length).toBeGreaterThanOrEqual(2);
});

test('a malformed answer ends the exchange with the named error', async () => {
  const port = await fakeGateway((_m, _n, reply) => reply(Uint8Array.of(7)));
  await expect(
    udpExchange({
      protocol: 'T',
      host: '127.0.0.1',
      port,
      request: () => Uint8Array.of(0),
      accept,
      retransmitDelayMs: () => 100,
      timeoutMs: 1_000,
    }),
  ).rejects.toBeInstanceOf(NatMalformedError);
});

test('refused, timeout and abort are named', async () => {
  const closed = await fakeGateway(() => {});
  server?.close();
  server = undefined;
  await expect(
    udpExchange({
      protocol: 'T',
      host: '127.0.0.1',
      port: closed,
      request: () => Uint8Array.of(0),
      accept,
      retransmitDelayMs: () => 50,
      timeoutMs: 1_000,
    }),
  ).rejects.toBeInstanceOf(NatRefusedError);
  const silent = await fakeGateway(() => {});
  const t = performance.now();
  await expect(
    udpExchange({
      protocol: 'T',
      host: '127.0.0.1',
      port: silent,
      request: () => Uint8Array.of(0),
      accept,
      retransmitDelayMs: () => 50,
      timeoutMs: 300,
    }),
  ).rejects.toBeInstanceOf(NatTimeoutError);
  expect(performance.now() - t).toBeLessThan(1_000);
  await expect(
    udpExchange({
      protocol: 'T',
      host: '127.0.0.1',
      port: silent,
      request: () => Uint8Array.of(0),
      accept,
      retransmitDelayMs: () => 50,
      timeoutMs: 5_000,
      signal: AbortSignal.timeout(100),
    }),
  ).rejects.toBeInstanceOf(NatAbortedError);
});

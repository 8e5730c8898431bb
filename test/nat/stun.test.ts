/**
 * stunObserve on loopback with fake STUN servers: one source port for every server, retransmission after
 * a dropped request, foreign transactions and answers from other addresses ignored, malformed and error
 * answers and silence reported per server (StunMalformed, StunErrorResponse, NatTimeout), a server that
 * reports another port → endpoint-dependent, abort → NatAborted.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, test } from 'vitest';
import { NatAbortedError } from '../../src/net/nat/errors.ts';
import { stunObserve } from '../../src/net/nat/stun.ts';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

type Reply = (b: Uint8Array, to?: RemoteInfo) => void;

/** A datagram socket on 127.0.0.1 that records who sent what and answers through `onRequest`. */
async function fakeServer(
  onRequest: (req: Buffer, n: number, from: RemoteInfo, reply: Reply) => void = (req, _n, from, reply) =>
    reply(answer(req, from.port)),
): Promise<{ port: number; seen: RemoteInfo[] }> {
  const s = createSocket('udp4');
  sockets.push(s);
  const seen: RemoteInfo[] = [];
  s.on('message', (msg, from) => {
    seen.push(from);
    onRequest(msg, seen.length - 1, from, (b, to = from) => s.send(b, to.port, to.address));
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return { port: s.address().port, seen };
}

/** A Binding success for `req` reporting 127.0.0.1:`port` (XOR-MAPPED-ADDRESS). */
function answer(req: Uint8Array, port: number, o: { type?: number; tid?: Uint8Array } = {}): Uint8Array {
  const tid = o.tid ?? req.subarray(8, 20);
  const type = o.type ?? 0x0101;
  const key = [0x21, 0x12, 0xa4, 0x42, ...tid];
  const p = port ^ 0x2112;
  const addr = [127, 0, 0, 1].map((b, i) => b ^ (key[i] ?? 0));
  return Uint8Array.from([
    type >> 8,
    type & 0xff,
    0,
    12,
    ...key,
    0x00,
    0x20,
    0,
    8,
    0,
    1,
    p >> 8,
    p & 0xff,
    ...addr,
  ]);
}

const at = (port: number) => ({ host: '127.0.0.1', port });

describe('stunObserve', () => {
  test('two servers see the same source port → endpoint-independent', async () => {
    const a = await fakeServer();
    const b = await fakeServer();
    const r = await stunObserve([at(a.port), at(b.port)], { timeoutMs: 2_000 });
    expect(a.seen[0]?.port).toBeDefined();
    expect(b.seen[0]?.port).toBe(a.seen[0]?.port);
    expect(r.localPorts).toEqual([a.seen[0]?.port]);
    expect(r.classification).toBe('endpoint-independent');
    expect(r.address).toBe('127.0.0.1');
    expect(r.results).toEqual([
      expect.objectContaining({
        server: `127.0.0.1:${a.port}`,
        ok: true,
        mappedAddress: '127.0.0.1',
        mappedPort: a.seen[0]?.port,
      }),
      expect.objectContaining({ server: `127.0.0.1:${b.port}`, ok: true, mappedPort: a.seen[0]?.port }),
    ]);
  });

  test('a server that reports another port → endpoint-dependent', async () => {
    const a = await fakeServer();
    // Like a symmetric NAT's new port per destination: always another port than the source port.
    const b = await fakeServer((req, _n, from, reply) => reply(answer(req, (from.port % 65_535) + 1)));
    const r = await stunObserve([at(a.port), at(b.port)], { timeoutMs: 2_000 });
    expect(r.classification).toBe('endpoint-dependent');
    expect(r.results[0]).toMatchObject({ ok: true, mappedPort: a.seen[0]?.port });
    expect(r.results[1]).toMatchObject({ ok: true, mappedPort: ((a.seen[0]?.port ?? 0) % 65_535) + 1 });
  });

  test('retransmits after a dropped request; ignores another transaction and answers from elsewhere', async () => {
    const other = createSocket('udp4');
    sockets.push(other);
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve));
    const a = await fakeServer((req, n, from, reply) => {
      if (n === 0) return; // dropped
      // The right transaction id but from another port: must be ignored.
      other.send(answer(req, 1111), from.port, from.address);
      // The right server, another transaction id: ignored.
      reply(answer(req, 2222, { tid: new Uint8Array(12).fill(7) }));
      setTimeout(() => reply(answer(req, from.port)), 30);
    });
    const r = await stunObserve([at(a.port)], { timeoutMs: 2_000, rtoMs: 50 });
    expect(a.seen.length).toBeGreaterThanOrEqual(2);
    expect(r.results[0]).toMatchObject({ ok: true, mappedPort: a.seen[0]?.port });
    expect(r.classification).toBe('unknown');
  });

  test('malformed, error and missing answers are per-server results', async () => {
    const good = await fakeServer();
    const malformed = await fakeServer((req, _n, from, reply) =>
      reply(answer(req, from.port).subarray(0, 28)),
    );
    const error = await fakeServer((req, _n, _from, reply) => {
      const tid = req.subarray(8, 20);
      reply(Uint8Array.from([1, 0x11, 0, 8, 0x21, 0x12, 0xa4, 0x42, ...tid, 0, 9, 0, 4, 0, 0, 5, 0]));
    });
    const silent = await fakeServer(() => {});
    const r = await stunObserve([at(good.port), at(malformed.port), at(error.port), at(silent.port)], {
      timeoutMs: 400,
      rtoMs: 100,
    });
    expect(r.results.map((x) => x.error ?? 'ok')).toEqual([
      'ok',
      'StunMalformed',
      'StunErrorResponse',
      'NatTimeout',
    ]);
    expect(r.results[2]?.message).toMatch(/error 500/);
    // The silent server got retransmissions, doubling: at 0, 100 and 300 ms within 400 ms — never more
    // (a late event loop can only mean fewer).
    expect(silent.seen.length).toBeGreaterThanOrEqual(2);
    expect(silent.seen.length).toBeLessThanOrEqual(3);
    expect(r.classification).toBe('unknown');
    expect(r.address).toBe('127.0.0.1');
  });

  test('no servers → unknown at once; abort → NatAbortedError', async () => {
    expect(await stunObserve([])).toMatchObject({ results: [], classification: 'unknown', address: null });
    const silent = await fakeServer(() => {});
    const c = new AbortController();
    const p = stunObserve([at(silent.port)], { signal: c.signal });
    setTimeout(() => c.abort(), 50);
    await expect(p).rejects.toBeInstanceOf(NatAbortedError);
    await expect(stunObserve([at(silent.port)], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      NatAbortedError,
    );
  });
});

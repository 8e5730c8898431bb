/**
 * bench/latency: time from `send()` to the delivered receipt between two pvt nodes on loopback
 * (ratchet, durable outbox and inbox, receipt), beside a raw libp2p stream echo of a 100-byte message
 * measured in the same run. Prints p50/p99 and the ratio of the medians (goal: p50 ≤ 2× the echo).
 * Run: npm run bench -- latency
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { cleanupDirs, createPeer, pair, waitFor } from '../test/messaging/helpers.ts';

const N = Number(process.env.PVT_BENCH_MESSAGES ?? 200);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;

async function rawEcho(): Promise<number[]> {
  const mk = () =>
    createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    });
  const a = await mk();
  const b = await mk();
  await b.handle('/bench/echo/1', async (stream) => {
    for await (const chunk of stream) stream.send(chunk);
  });
  const stream = await a.dialProtocol(b.getMultiaddrs(), '/bench/echo/1');
  const iterator = stream[Symbol.asyncIterator]();
  const payload = new Uint8Array(100).fill(7);
  const times: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    const t0 = performance.now();
    stream.send(payload);
    let got = 0;
    while (got < payload.length) {
      const next = await iterator.next();
      if (next.done) throw new Error('echo stream ended');
      got += next.value.byteLength;
    }
    if (i >= 20) times.push(performance.now() - t0);
  }
  await a.stop();
  await b.stop();
  return times;
}

async function pvtDelivery(): Promise<number[]> {
  const alice = await createPeer('Alice');
  const bob = await createPeer('Bob');
  const { aName } = await pair(alice, bob);
  const bobId = (await alice.api.contacts())[0]?.id as string;
  await waitFor('connected', async () => (await alice.api.contacts())[0]?.path !== 'offline' || undefined);
  void aName;
  const times: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    const t0 = performance.now();
    let id = '';
    const delivered = new Promise<void>((resolve) => {
      const off = alice.api.subscribe((e) => {
        if (e.type === 'message-state' && e.id === id && e.state === 'delivered') {
          off();
          resolve();
        }
      });
    });
    const m = await alice.api.send(bobId, `benchmark message ${i} `.padEnd(100, '.'));
    id = m.id;
    if (m.state !== 'delivered') await delivered;
    if (i >= 20) times.push(performance.now() - t0);
  }
  await alice.close();
  await bob.close();
  cleanupDirs();
  return times;
}

const echo = await rawEcho();
const pvt = await pvtDelivery();
const fmt = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(2)} ms  p99 ${pct(xs, 0.99).toFixed(2)} ms`;
console.log(`raw libp2p stream echo (100 B, ${N} round trips):   ${fmt(echo)}`);
console.log(`pvt send → delivered receipt (${N} messages):       ${fmt(pvt)}`);
console.log(`ratio p50 pvt / raw echo: ${(pct(pvt, 0.5) / pct(echo, 0.5)).toFixed(2)}× (goal ≤ 2×)`);
process.exit(0);

/**
 * bench/latency: time from `send()` to the delivered receipt between two pvt nodes on loopback
 * (ratchet, durable outbox and inbox, receipt), against the floor measured in the same run: a raw
 * libp2p stream echo of a 100-byte message + one durable commit on each side (a note appended to a
 * real profile) + one ratchet encrypt and decrypt (a DH step each, as in a conversation). Prints p50/p99,
 * the ratio of pvt's p50 to the floor (goal ≤ 1.3×) and to the echo, and one JSON line.
 * Run: npm run bench -- latency
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { createNodeBackend } from '../src/crypto/backend-node.ts';
import { createLabelledDrbg } from '../src/crypto/drbg.ts';
import { initSession, ratchetDecrypt, ratchetEncrypt } from '../src/protocol/ratchet/index.ts';
import { cleanupDirs, createPeer, pair, waitFor } from '../test/messaging/helpers.ts';
import { seedPair } from '../test/ratchet/seeds.ts';

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

/** One encrypt + decrypt of a 100-byte message, directions alternating (each one a DH ratchet step). */
function ratchetPair(): number[] {
  const backend = createNodeBackend();
  const rng = createLabelledDrbg('pvt bench: latency floor');
  const seeds = seedPair(rng);
  const s = {
    alice: initSession(seeds.alice, rng, { backend }),
    bob: initSession(seeds.bob, rng, { backend }),
  };
  const plaintext = new Uint8Array(100).fill(7);
  const times: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    const [from, to] = i % 2 === 0 ? (['alice', 'bob'] as const) : (['bob', 'alice'] as const);
    const t0 = performance.now();
    const e = ratchetEncrypt(s[from], plaintext, rng);
    const d = ratchetDecrypt(s[to], e.message);
    if (i >= 20) times.push(performance.now() - t0);
    s[from] = e.state;
    s[to] = d.state;
  }
  return times;
}

async function pvtDelivery(): Promise<{ pvt: number[]; commits: number[] }> {
  const alice = await createPeer('Alice');
  const bob = await createPeer('Bob');
  const { aName } = await pair(alice, bob);
  const bobId = (await alice.api.contacts())[0]?.id as string;
  await waitFor('connected', async () => (await alice.api.contacts())[0]?.path !== 'offline' || undefined);
  void aName;
  // The durable-commit part of the floor: a note appended to the same kind of profile, measured
  // interleaved with the messages (one before each), so both see the same disk (a shared machine's fsync
  // time drifts by 10× within a minute).
  const commits: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    const c0 = performance.now();
    await alice.api.sendNote(`floor ${i}`.padEnd(100, '.'));
    if (i >= 20) commits.push(performance.now() - c0);
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
  return { pvt: times, commits };
}

const echo = await rawEcho();
const crypto = ratchetPair();
const { pvt, commits } = await pvtDelivery();
const p50 = (xs: number[]) => pct(xs, 0.5);
const floor = p50(echo) + 2 * p50(commits) + p50(crypto);
const fmt = (xs: number[]) => `p50 ${p50(xs).toFixed(2)} ms  p99 ${pct(xs, 0.99).toFixed(2)} ms`;
console.log(`raw libp2p stream echo (100 B, ${N} round trips):    ${fmt(echo)}`);
console.log(`durable commit (a note on a pvt profile):           ${fmt(commits)}`);
console.log(`ratchet encrypt + decrypt (DH step, node backend):  ${fmt(crypto)}`);
console.log(`floor = echo + 2 × commit + encrypt/decrypt:        p50 ${floor.toFixed(2)} ms`);
console.log(`pvt send → delivered receipt (${N} messages):        ${fmt(pvt)}`);
console.log(`ratio p50 pvt / floor: ${(p50(pvt) / floor).toFixed(2)}× (goal ≤ 1.3×)`);
console.log(`ratio p50 pvt / raw echo: ${(p50(pvt) / p50(echo)).toFixed(2)}×`);
const r = (x: number) => Number(x.toFixed(3));
console.log(
  JSON.stringify({
    bench: 'latency',
    messages: N,
    echo_p50_ms: r(p50(echo)),
    commit_p50_ms: r(p50(commits)),
    crypto_p50_ms: r(p50(crypto)),
    floor_ms: r(floor),
    pvt_p50_ms: r(p50(pvt)),
    pvt_p99_ms: r(pct(pvt, 0.99)),
    ratio_floor: r(p50(pvt) / floor),
    ratio_echo: r(p50(pvt) / p50(echo)),
  }),
);
process.exit(0);

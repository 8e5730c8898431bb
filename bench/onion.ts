/**
 * bench/onion: onion circuits on loopback, in one process — five pvt networks (four relays, one client)
 * with their real onion services. Measures (1) circuit build time, CREATE + two EXTENDs through live
 * relays (p50/p99 of N builds; goal p50 ≤ 50 ms); (2) per-hop cell crypto: one relay's layer + tag check
 * on a 1,531-byte body (goal ≤ 0.2 ms) beside the raw XChaCha20 keystream of the same size; (3)
 * throughput of a 3-hop circuit stream to an echo exit vs a direct libp2p stream echo on loopback, same
 * bytes, same run. Ends with one JSON line.
 * Run: npm run bench -- onion
 */

import { multiaddr } from '@multiformats/multiaddr';
import { xchacha20 } from '@noble/ciphers/chacha.js';
import { nullLogger } from '../src/log/logger.ts';
import { type Network, startNetwork } from '../src/net/network.ts';
import { encodeRelay } from '../src/protocol/onion/cell.ts';
import { CELL_BODY_BYTES, RELAY_DATA } from '../src/protocol/onion/constants.ts';
import { clientSeal, hopState, relayForward } from '../src/protocol/onion/layers.ts';
import { systemRng } from '../src/store/system-rng.ts';

const BUILDS = Number(process.env.PVT_BENCH_BUILDS ?? 40);
const BYTES = Number(process.env.PVT_BENCH_BYTES ?? 8 << 20);
const FRAME = 32 * 1024;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;

async function net(relay: boolean): Promise<Network> {
  return startNetwork({
    transportSeed: systemRng(32),
    port: 0,
    mdns: false,
    loopbackOnly: true,
    portMapping: 'off',
    isContact: () => false,
    onChatMessage: async () => {},
    onChatStreamLost: () => {},
    onInviteStream: async () => {},
    onOnline: () => {},
    onOffline: () => {},
    onAddressesChanged: () => {},
    onion: { relay, rng: systemRng, buildAhead: false },
    logger: nullLogger,
  });
}

// (2) per-hop cell crypto
const keys = () => ({ lf: systemRng(32), lb: systemRng(32), af: systemRng(32), ab: systemRng(32) });
const hopKeys = [keys(), keys(), keys()];
const client = hopKeys.map(hopState);
const relays = hopKeys.map(hopState);
const plain = encodeRelay({ command: RELAY_DATA, streamId: 1, data: new Uint8Array(1400).fill(1) });
const CELLS = 4000;
const bodies: Uint8Array[] = [];
for (let i = 0; i < CELLS; i++) bodies.push(clientSeal(client, 2, plain));
let t0 = performance.now();
for (const b of bodies) {
  let body = b;
  for (const hop of relays) body = relayForward(hop, body).body;
}
const perHopMs = (performance.now() - t0) / (CELLS * 3);
const key = systemRng(32);
const nonce = new Uint8Array(24);
const raw = new Uint8Array(CELL_BODY_BYTES);
t0 = performance.now();
for (let i = 0; i < CELLS; i++) xchacha20(key, nonce, raw);
const keystreamMs = (performance.now() - t0) / CELLS;

// (1) circuit builds and (3) throughput, through live networks
const relayNets = await Promise.all([0, 1, 2, 3].map(() => net(true)));
const clientNet = await net(false);
const onion = clientNet.onion;
if (!onion) throw new Error('no onion service');
for (const r of relayNets) {
  const addr = `${r.listening()[0]}`;
  const res = await onion.addRelay(addr.includes('/p2p/') ? addr : `${addr}/p2p/${r.peerId}`);
  if (!res.relay) throw new Error(`relay not reached: ${res.error}`);
}
const builds: number[] = [];
for (let i = 0; i < BUILDS + 5; i++) {
  const s = performance.now();
  await onion.buildCircuit();
  if (i >= 5) builds.push(performance.now() - s);
}

async function pump(
  send: (f: Uint8Array) => Promise<void> | void,
  it: AsyncIterator<Uint8Array | { subarray(): Uint8Array }>,
): Promise<number> {
  const frame = new Uint8Array(FRAME).fill(9);
  const frames = Math.ceil(BYTES / FRAME);
  const s = performance.now();
  const reader = (async () => {
    let got = 0;
    while (got < frames * FRAME) {
      const r = await it.next();
      if (r.done) throw new Error('ended early');
      got += r.value instanceof Uint8Array ? r.value.length : r.value.subarray().length;
    }
  })();
  for (let i = 0; i < frames; i++) await send(frame);
  await reader;
  return (frames * FRAME) / 2 ** 20 / ((performance.now() - s) / 1000);
}

const stream = await onion.openCircuitStream({ service: 'echo' });
const circuitMBps = await pump((f) => stream.send(f), stream[Symbol.asyncIterator]()).catch((error) => {
  for (const r of relayNets) console.error(JSON.stringify(r.onion?.status().relay.counters));
  throw error;
});
await stream.close();

// Direct: a raw libp2p stream echo between two fresh nodes on loopback (same bytes, same frames).
const { createLibp2p } = await import('libp2p');
const { tcp } = await import('@libp2p/tcp');
const { noise } = await import('@chainsafe/libp2p-noise');
const { yamux } = await import('@chainsafe/libp2p-yamux');
const mk = () =>
  createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  });
const a = await mk();
const b = await mk();
await b.handle('/bench/echo/1', async (s) => {
  for await (const chunk of s) if (!s.send(chunk)) await s.onDrain();
});
const direct = await a.dialProtocol(multiaddr(b.getMultiaddrs()[0]?.toString() as string), '/bench/echo/1');
const directMBps = await pump(async (f) => {
  if (!direct.send(f)) await direct.onDrain();
}, direct[Symbol.asyncIterator]());
await a.stop();
await b.stop();

const figures = {
  bench: 'onion',
  buildP50Ms: Number(pct(builds, 0.5).toFixed(2)),
  buildP99Ms: Number(pct(builds, 0.99).toFixed(2)),
  perHopCellCryptoMs: Number(perHopMs.toFixed(4)),
  keystreamPerCellMs: Number(keystreamMs.toFixed(4)),
  circuitMBps: Number(circuitMBps.toFixed(2)),
  directMBps: Number(directMBps.toFixed(2)),
  circuitVsDirect: Number((circuitMBps / directMBps).toFixed(3)),
};
console.log(
  `circuit build: p50 ${figures.buildP50Ms} ms, p99 ${figures.buildP99Ms} ms (${BUILDS} builds; goal p50 ≤ 50 ms)`,
);
console.log(
  `per-hop cell crypto: ${figures.perHopCellCryptoMs} ms (keystream alone ${figures.keystreamPerCellMs} ms; goal ≤ 0.2 ms)`,
);
console.log(
  `throughput: 3-hop circuit ${figures.circuitMBps} MiB/s vs direct stream ${figures.directMBps} MiB/s (×${figures.circuitVsDirect})`,
);
await clientNet.stop();
await Promise.all(relayNets.map((r) => r.stop()));
console.log(JSON.stringify(figures));
process.exit(0);

/**
 * bench/onion-churn: a 200-node simulation of onion circuits under relay churn, running the real relay
 * (src/net/onion/relay.ts), client (client.ts), handshake, layers and path selection over an in-memory
 * model of links (one-way latency drawn per link, 5–40 ms; a departed node refuses connections and its
 * links close). 80 relays and 120 clients; 20 % of the relays leave (and as many new ones join) per
 * simulated 10 minutes, spread over time; clients refresh their relay list every simulated minute, so
 * they keep trying departed relays until then. One simulated minute = MINUTE_MS real milliseconds;
 * 60 simulated minutes. Each client builds circuits at random times (with the client's retries,
 * CIRCUIT_BUILD_ATTEMPTS). Reports the build success rate (goal ≥ 99 %) and the build time. One JSON line.
 * Run: npm run bench -- onion-churn
 */

import { ed25519PublicKey } from '../src/crypto/primitives.ts';
import { nullLogger } from '../src/log/logger.ts';
import { createOnionClient, type KnownRelay, type OnionClient } from '../src/net/onion/client.ts';
import { CIRCUIT_BUILD_ATTEMPTS } from '../src/net/onion/constants.ts';
import type { Link, LinkHandlers } from '../src/net/onion/link.ts';
import { createRelay, type Relay } from '../src/net/onion/relay.ts';
import { encodeCell } from '../src/protocol/onion/cell.ts';
import { CELL_DESTROY, DESTROY_HOP_LOST } from '../src/protocol/onion/constants.ts';
import { decodeDescriptor, signDescriptor } from '../src/protocol/onion/descriptor.ts';
import { generateOnionKeys } from '../src/protocol/onion/handshake.ts';
import { systemRng } from '../src/store/system-rng.ts';

const NODES = 200;
const RELAYS = 80;
const CLIENTS = NODES - RELAYS;
const MINUTE_MS = Number(process.env.PVT_SIM_MINUTE_MS ?? 1000);
const MINUTES = Number(process.env.PVT_SIM_MINUTES ?? 60);
const CHURN_PER_10_MIN = 0.2;
const BUILDS_PER_CLIENT_PER_10_MIN = 1.5;

let linkIds = 1_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SimRelay {
  readonly name: string;
  readonly relay: Relay;
  readonly known: KnownRelay;
  online: boolean;
  readonly links: Set<SimLink>;
}

interface SimLink extends Link {
  other?: SimLink;
  handlers?: LinkHandlers;
  finish(): void;
}

function makeLink(peer: string, outbound: boolean, latency: number): SimLink {
  let closed = false;
  const l: SimLink = {
    id: linkIds++,
    peer,
    outbound,
    send(cell) {
      if (closed) return false;
      const other = l.other;
      setTimeout(() => {
        if (!closed && other && !other.closed) other.handlers?.onCell(cell);
      }, latency);
      return true;
    },
    queued: () => 0,
    get closed() {
      return closed;
    },
    close() {
      l.finish();
      l.other?.finish();
    },
    finish() {
      if (closed) return;
      closed = true;
      l.handlers?.onClose();
    },
  };
  return l;
}

const relays = new Map<string, SimRelay>(); // by hex peerIdBytes
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
let relayCount = 0;

function newRelay(nowMs: number): SimRelay {
  const name = `relay-${relayCount++}`;
  const seed = systemRng(32);
  const keys = generateOnionKeys(systemRng);
  const d = decodeDescriptor(
    signDescriptor(
      {
        transportKey: ed25519PublicKey(seed),
        x25519Public: keys.x25519Public,
        kemPublic: keys.kemPublic,
        publishedMs: nowMs,
        validUntilMs: nowMs + 24 * 3600_000,
        relayingSinceMs: nowMs,
        bandwidthKiBps: 0,
        flags: 3,
        addrs: [],
        services: ['echo'],
      },
      seed,
    ),
  );
  const peerIdBytes = new TextEncoder().encode(name);
  // Distinct /16 per relay (the path rules apply as on the internet).
  const ip = `${10 + (relayCount % 200)}.${Math.floor(relayCount / 200)}.0.1`;
  const known: KnownRelay = {
    peerId: name,
    peerIdBytes,
    descriptor: d,
    ips: [ip],
    attempts: 0,
    successes: 0,
    reachedAt: 0,
  };
  const links = new Set<SimLink>();
  const self: SimRelay = {
    name,
    known,
    online: true,
    links,
    relay: createRelay({
      relayId: d.transportKey,
      keysFor: (id) => (hex(id) === hex(keys.keyId) ? keys : undefined),
      rng: systemRng,
      relaying: () => true,
      service: () => async (stream) => {
        for await (const f of stream) await stream.send(f);
      },
      connect: async (bytes) => {
        const target = relays.get(hex(bytes));
        return {
          link: await dial(
            self.name,
            links,
            target,
            (l, b) => self.relay.onOutboundCell(l, b),
            (l) => self.relay.onOutboundClosed(l),
          ),
          peer: target?.name ?? '?',
        };
      },
      ownPeer: name,
      logger: nullLogger,
    }),
  };
  relays.set(hex(peerIdBytes), self);
  return self;
}

/** Opens a link from `from` to `target`; rejects (after one latency) when the target is gone. */
async function dial(
  from: string,
  fromLinks: Set<SimLink>,
  target: SimRelay | undefined,
  onCell: (l: Link, b: Uint8Array) => void,
  onClose: (l: Link) => void,
): Promise<Link> {
  const latency = 5 + Math.random() * 35;
  await sleep(latency * 2);
  if (!target?.online) throw new Error('connection refused');
  const out = makeLink(target.name, true, latency);
  const inb = makeLink(from, false, latency);
  out.other = inb;
  inb.other = out;
  out.handlers = { onCell: (b) => onCell(out, b), onClose: () => onClose(out) };
  inb.handlers = {
    onCell: (b) => target.relay.onInboundCell(inb, b),
    onClose: () => target.relay.onInboundClosed(inb),
  };
  fromLinks.add(out);
  target.links.add(inb);
  return out;
}

function leave(r: SimRelay): void {
  r.online = false;
  for (const l of r.links) l.close();
  r.relay.close();
  relays.delete(hex(r.known.peerIdBytes));
}

interface SimClient {
  readonly client: OnionClient;
  cache: KnownRelay[];
}

function newClient(i: number): SimClient {
  const name = `client-${i}`;
  const links = new Set<SimLink>();
  const routes = new Map<string, (b: Uint8Array) => void>();
  const sim: SimClient = { cache: [], client: undefined as unknown as OnionClient };
  const onCell = (l: Link, b: Uint8Array) => {
    const circId = new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
    routes.get(`${l.id}:${circId}`)?.(b);
  };
  const onClose = (l: Link) => {
    for (const [k, h] of [...routes]) {
      if (k.startsWith(`${l.id}:`))
        h(encodeCell(Number(k.split(':')[1]), CELL_DESTROY, Uint8Array.of(DESTROY_HOP_LOST)));
    }
  };
  (sim as { client: OnionClient }).client = createOnionClient({
    rng: systemRng,
    logger: nullLogger,
    relays: () => sim.cache,
    isContact: () => false,
    connect: (r) => dial(name, links, relays.get(hex(r.peerIdBytes)), onCell, onClose),
    route(link, circId, handler) {
      if (handler) routes.set(`${link.id}:${circId}`, handler);
      else routes.delete(`${link.id}:${circId}`);
    },
    ownPeer: name,
  });
  return sim;
}

const start = Date.now();
const simNow = () => Date.now();
for (let i = 0; i < RELAYS; i++) newRelay(simNow());
const clients = Array.from({ length: CLIENTS }, (_, i) => newClient(i));
const refresh = () => {
  const list = [...relays.values()].map((r) => r.known);
  for (const c of clients) c.cache = list.map((k) => ({ ...k }));
};
refresh();

const totalMs = MINUTES * MINUTE_MS;
const churnEvents = Math.round((RELAYS * CHURN_PER_10_MIN * MINUTES) / 10);
const buildsTotal = Math.round((CLIENTS * BUILDS_PER_CLIENT_PER_10_MIN * MINUTES) / 10);
const results: { ok: boolean; ms: number; attempts: number }[] = [];
let left = 0;
const timers: NodeJS.Timeout[] = [];
for (let i = 0; i < churnEvents; i++) {
  timers.push(
    setTimeout(() => {
      const online = [...relays.values()];
      const victim = online[Math.floor(Math.random() * online.length)];
      if (victim) leave(victim);
      left += 1;
      newRelay(simNow());
    }, Math.random() * totalMs),
  );
}
timers.push(setInterval(refresh, MINUTE_MS));
const builds: Promise<void>[] = [];
for (let i = 0; i < buildsTotal; i++) {
  const c = clients[Math.floor(Math.random() * clients.length)] as SimClient;
  builds.push(
    (async () => {
      await sleep(Math.random() * totalMs);
      const before = c.client.counters().failed;
      const t = performance.now();
      try {
        await c.client.build({ service: 'echo' });
        results.push({
          ok: true,
          ms: performance.now() - t,
          attempts: c.client.counters().failed - before + 1,
        });
      } catch {
        results.push({ ok: false, ms: performance.now() - t, attempts: CIRCUIT_BUILD_ATTEMPTS });
      }
    })(),
  );
}
await Promise.all(builds);
for (const t of timers) clearTimeout(t);
const ok = results.filter((r) => r.ok);
const times = ok.map((r) => r.ms).sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
const firstTry = ok.filter((r) => r.attempts === 1).length;
const figures = {
  bench: 'onion-churn',
  nodes: NODES,
  relays: RELAYS,
  simulatedMinutes: MINUTES,
  relaysReplaced: left,
  builds: results.length,
  successRate: Number((ok.length / results.length).toFixed(4)),
  firstAttemptRate: Number((firstTry / results.length).toFixed(4)),
  buildP50Ms: Number(pct(0.5).toFixed(1)),
  buildP90Ms: Number(pct(0.9).toFixed(1)),
  buildP99Ms: Number(pct(0.99).toFixed(1)),
  realSeconds: Number(((Date.now() - start) / 1000).toFixed(1)),
};
console.log(
  `${figures.builds} circuit builds among ${NODES} nodes (${RELAYS} relays, ${left} replaced in ${MINUTES} simulated min): ` +
    `${(figures.successRate * 100).toFixed(2)} % built (goal ≥ 99 %), ${(figures.firstAttemptRate * 100).toFixed(1)} % on the first path; ` +
    `build time p50 ${figures.buildP50Ms} ms, p90 ${figures.buildP90Ms} ms, p99 ${figures.buildP99Ms} ms (one-way link latency 5–40 ms)`,
);
console.log(JSON.stringify(figures));
process.exit(0);

/**
 * Issue 10 item 2 — connection-slot exhaustion. Attack reproduced: Mallory holds 50 idle TCP sockets to
 * Alice's daemon (never speaking, reopened as soon as one is closed) and 200 strangers connect at 10 per
 * second with fresh transport keys and stay connected. Before the fix, 10 idle sockets filled libp2p's
 * pending table (every new inbound connection refused: "could not reach the inviter") and the strangers
 * filled the 128-connection table. Under the attack, Bob's `pvt join` must succeed and Carol (a contact)
 * must reconnect after her daemon restarts and deliver a message. The times are printed (no timing
 * assertion: the test fails only when the join or the delivery does not happen).
 */
import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Libp2p } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDaemon } from '../daemon/helpers.ts';
import { until } from '../helpers/until.ts';
import { createPerson, type Person, pair, pvtJson, stopPerson } from './helpers.ts';

let alice: Person;
let bob: Person;
let carol: Person;
let stopAttack = false;
const sockets = new Set<Socket>();
const strangers: Libp2p[] = [];

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([
    createPerson('Alice'),
    createPerson('Bob'),
    createPerson('Carol'),
  ]);
  await pair(alice, carol);
}, 60_000);

afterAll(async () => {
  stopAttack = true;
  for (const s of sockets) s.destroy();
  await Promise.all(strangers.map((s) => Promise.resolve(s.stop()).catch(() => undefined)));
  await Promise.all([alice, bob, carol].filter(Boolean).map(stopPerson));
});

/** The daemon's memory growth allowed under this flood (peak RSS minus RSS before it). */
const MEMORY_GROWTH_BOUND_MIB = 96;

function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Math.round(Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024);
}

function holdIdleSocket(port: number): void {
  if (stopAttack) return;
  // From another loopback address: another host, as a real attacker's would be.
  const s = createConnection({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
  sockets.add(s);
  s.on('error', () => undefined);
  s.on('close', () => {
    sockets.delete(s);
    setTimeout(() => holdIdleSocket(port), 20);
  });
}

async function stranger(target: string): Promise<void> {
  const node = await createLibp2p({
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  });
  strangers.push(node);
  await node.dial(multiaddr(target)).catch(() => undefined);
}

test('a join and a contact reconnect both succeed under 50 idle sockets + 200 paced strangers', async () => {
  const status = await pvtJson<{ network: { peerId: string; addresses: string[] } }>(alice, ['status']);
  const addr = status.network.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/')) as string;
  expect(addr).toBeDefined();
  const port = Number(addr.split('/')[4]);
  const target = addr.includes('/p2p/') ? addr : `${addr}/p2p/${status.network.peerId}`;

  const pid = alice.daemon?.pid as number;
  const rssBefore = memoryMiB(pid, 'VmRSS');
  for (let i = 0; i < 50; i++) holdIdleSocket(port);
  let launched = 0;
  const strangerLoop = (async () => {
    while (launched < 200 && !stopAttack) {
      launched++;
      void stranger(target);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // Let the attack fill the tables first (80 strangers, all idle sockets held).
  await until('80 strangers launched', async () => (launched >= 80 ? true : undefined), 30_000);
  const held = sockets.size;

  const invite = await pvtJson<{ code: string }>(alice, ['invite', '--no-qr']);
  const joinStart = Date.now();
  const joined = await pvtJson<{ contact: { name: string } }>(bob, ['join', invite.code]);
  const joinMs = Date.now() - joinStart;
  expect(joined.contact.name).toBe('Alice');

  carol.daemon?.child.kill('SIGTERM');
  await carol.daemon?.exited;
  const reconnectStart = Date.now();
  carol.daemon = await startDaemon(carol.home.env);
  const sent = await pvtJson<{ id: string }>(carol, ['send', 'Alice', 'still here']);
  await until(
    'Carol’s message delivered to Alice',
    async () => {
      const log = await pvtJson<{ id: string; state: string }[]>(carol, ['log', 'Alice']);
      return log.some((m) => m.id === sent.id && m.state === 'delivered') ? true : undefined;
    },
    30_000,
  );
  const reconnectMs = Date.now() - reconnectStart;
  await strangerLoop;
  const peakMiB = memoryMiB(pid, 'VmHWM');
  const figures = {
    idleSocketsHeld: held,
    strangersLaunched: launched,
    joinMs,
    reconnectMs,
    rssBeforeMiB: rssBefore,
    peakRssMiB: peakMiB,
    growthMiB: peakMiB - rssBefore,
  };
  console.log(`slot exhaustion: ${JSON.stringify(figures)}`);
  process.stdout.write(`slot exhaustion: ${JSON.stringify(figures)}\n`);
  // The stated bound (docs/decisions.md): at most 32 strangers and 256 half-open sockets are held, so
  // the flood costs the daemon a bounded amount of memory. Measured 64 MiB of growth (98 → 162 MiB); the
  // assertion leaves room for the machine, not for an unbounded table.
  expect(figures.growthMiB).toBeLessThan(MEMORY_GROWTH_BOUND_MIB);
}, 120_000);

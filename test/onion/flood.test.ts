/**
 * A stranger floods a relay: three relays and a client on loopback, and a flooding process with its own
 * key sending 1,000 CREATE cells per second (valid key id, so each would cost handshake crypto) mixed
 * with malformed cells and oversize garbage at the first relay for 8 s. Meanwhile the client sends
 * 2 MiB through a circuit that must cross every relay (there are only three). Asserted: the transfer
 * completes; the relay is still up; its resident memory stays under RELAY_RSS_BOUND_BYTES and grows by
 * less than RELAY_RSS_GROWTH_BOUND_BYTES (the bound stated in docs/protocol/onion.md); its counters show
 * that at most 20 CREATEs per second got handshake crypto, and the malformed cells counted.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT, runPvt } from '../helpers/cli.ts';
import { bootstrapAll, type Node, pvtJson, startNodes, stopNodes } from './helpers.ts';

const RELAY_RSS_BOUND_BYTES = 400 * 1024 * 1024;
const RELAY_RSS_GROWTH_BOUND_BYTES = 96 * 1024 * 1024;
const nodes: Node[] = [];

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

beforeAll(async () => {
  const specs = ['X', 'Y', 'Z'].map((n) => ({ name: `Relay ${n}`, relay: true }));
  nodes.push(...(await startNodes([...specs, { name: 'Client', relay: false }])));
}, 240_000);
afterAll(() => stopNodes(nodes), 30_000);

test('a relay under a CREATE flood with malformed and oversize cells keeps its memory bounded and serves', async () => {
  const [victim, , , client] = nodes as [Node, Node, Node, Node];
  await bootstrapAll(client, nodes.slice(0, 3));
  const before = rss(victim.daemon.pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(victim.daemon.pid));
  }, 100);
  const flooder = spawn(
    join(ROOT, 'node_modules', '.bin', 'node'),
    [join(ROOT, 'test', 'onion', 'flood-child.ts'), victim.addr, '8', '1000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let floodOut = '';
  let floodErr = '';
  flooder.stdout.setEncoding('utf8').on('data', (d: string) => {
    floodOut += d;
  });
  flooder.stderr.setEncoding('utf8').on('data', (d: string) => {
    floodErr += d;
  });
  const flooded = new Promise<number | null>((resolve) => flooder.on('exit', resolve));
  await new Promise((r) => setTimeout(r, 1500));
  const probe = await runPvt(['circuits', '--test', '--bytes', String(2 << 20), '--json'], {
    env: client.profile.home.env,
    timeoutMs: 90_000,
  });
  expect(await flooded, floodErr).toBe(0);
  clearInterval(sampler);
  const counts = JSON.parse(floodOut) as { creates: number; malformed: number; garbageBytes: number };
  // 8 s at 1,000/s is 8,000 on a quiet machine; a loaded 2-core CI box sends fewer, and 2,000 is still
  // ten times what one source may get crypto for.
  expect(counts.creates).toBeGreaterThanOrEqual(2000);
  expect(probe.code, probe.stderr).toBe(0);
  const result = JSON.parse(probe.stdout) as { ok: boolean; bytes: number; ms: number };
  expect(result.ok).toBe(true);
  expect(victim.daemon.child.exitCode).toBeNull();
  expect(peak).toBeLessThan(RELAY_RSS_BOUND_BYTES);
  expect(peak - before).toBeLessThan(RELAY_RSS_GROWTH_BOUND_BYTES);
  const status = await pvtJson<{
    relay: { counters: { circuitsOpened: number; dropped: { rate: number; malformed: number } } };
  }>(victim, ['relay', 'status']);
  // At most 20 CREATEs per second from one source get handshake crypto (and a circuit); the rest are
  // dropped before any crypto, or never read (the link was closed for malformed cells).
  expect(status.relay.counters.dropped.rate).toBeGreaterThan(0);
  expect(status.relay.counters.circuitsOpened).toBeLessThan(20 * 12 + 50);
  expect(status.relay.counters.circuitsOpened).toBeLessThan(counts.creates / 10);
  expect(status.relay.counters.dropped.malformed).toBeGreaterThan(0);
  // Measured, not asserted (timing belongs in bench/): what the legitimate transfer took under flood.
  process.stdout.write(
    `flood: ${counts.creates} CREATE, relay RSS ${Math.round(before / 2 ** 20)} → peak ${Math.round(peak / 2 ** 20)} MiB, 2 MiB through the circuit in ${result.ms} ms\n`,
  );
});

/**
 * A middle relay dies mid-stream: four relays and a client on loopback; `pvt circuits --test` sends
 * frames through a circuit to an echo exit (paced), the test SIGKILLs the middle hop of the circuit in
 * use once the client logs progress, and the transfer completes on a rebuilt circuit that avoids the
 * dead relay, every frame checked.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runPvt } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { bootstrapAll, type Node, pvtJson, startNodes, stopNodes } from './helpers.ts';

const nodes: Node[] = [];

beforeAll(async () => {
  const specs = ['A', 'B', 'C', 'D'].map((n) => ({ name: `Relay ${n}`, relay: true }));
  nodes.push(...(await startNodes([...specs, { name: 'Client', relay: false }])));
}, 240_000);
afterAll(() => stopNodes(nodes), 30_000);

test('killing the middle relay mid-stream: the client rebuilds and the transfer completes', async () => {
  const client = nodes[4] as Node;
  const relays = nodes.slice(0, 4);
  await bootstrapAll(client, relays);
  const probe = runPvt(['circuits', '--test', '--bytes', String(160 * 16384), '--pace-ms', '25', '--json'], {
    env: client.profile.home.env,
    timeoutMs: 90_000,
  });
  await until('the client to log transfer progress', async () =>
    readFileSync(client.log, 'utf8').includes('onion.probe_progress') ? true : undefined,
  );
  const { circuits } = await pvtJson<{ circuits: { streams: number; hops: { peerId: string }[] }[] }>(
    client,
    ['circuits'],
  );
  const used = circuits.find((c) => c.streams > 0);
  expect(used).toBeDefined();
  const middle = relays.find((r) => r.peerId === used?.hops[1]?.peerId) as Node;
  expect(middle).toBeDefined();
  middle.daemon.child.kill('SIGKILL');
  await middle.daemon.exited;
  const r = await probe;
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout) as { ok: boolean; frames: number; rebuilds: number };
  expect(result.ok).toBe(true);
  expect(result.frames).toBe(160);
  expect(result.rebuilds).toBeGreaterThanOrEqual(1);
  const after = await pvtJson<{ circuits: { hops: { peerId: string }[] }[] }>(client, ['circuits']);
  for (const c of after.circuits) expect(c.hops.map((h) => h.peerId)).not.toContain(middle.peerId);
  const status = await pvtJson<{ client: { counters: { rebuilt: number } } }>(client, ['relay', 'status']);
  expect(status.client.counters.rebuilt).toBeGreaterThanOrEqual(1);
});

/**
 * Discovery without a server: four relays on loopback announce themselves on the private DHT
 * (`/pvt/kad/1.0.0`) after meeting one of them; a fresh client (no mDNS, no contacts) given only that
 * one relay as bootstrap finds at least three relays through the DHT, verifies their descriptors and
 * builds a circuit through relays it was never told about.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { until } from '../helpers/until.ts';
import { type Node, pvtJson, startNodes, stopNodes } from './helpers.ts';

const nodes: Node[] = [];

beforeAll(async () => {
  const specs = ['P', 'Q', 'R', 'S'].map((n) => ({ name: `Relay ${n}`, relay: true }));
  nodes.push(...(await startNodes([...specs, { name: 'Fresh client', relay: false }])));
}, 240_000);
afterAll(() => stopNodes(nodes), 30_000);

interface RelayList {
  relays: { peerId: string; source: string }[];
  bootstrap: string[];
}

test('a fresh client with one bootstrap relay finds three or more relays through the DHT and builds a circuit', async () => {
  const [first, ...others] = nodes.slice(0, 4) as [Node, ...Node[]];
  const client = nodes[4] as Node;
  for (const r of others) await pvtJson(r, ['relays', 'add', first.addr]);
  await pvtJson(client, ['relays', 'add', first.addr]);
  const known = await until(
    'the client to find the relays through the DHT',
    async () => {
      for (const r of nodes.slice(0, 4)) await pvtJson(r, ['relays', 'discover']);
      await pvtJson(client, ['relays', 'discover']);
      const l = await pvtJson<RelayList>(client, ['relays', 'list']);
      return l.relays.length >= 3 ? l : undefined;
    },
    45_000,
    500,
  );
  expect(known.bootstrap).toEqual([first.addr]);
  const notBootstrap = known.relays.filter((r) => r.peerId !== first.peerId);
  expect(notBootstrap.length).toBeGreaterThanOrEqual(2);
  for (const r of notBootstrap) expect(r.source).not.toBe('bootstrap');
  const c = await pvtJson<{ hops: { peerId: string }[] }>(client, ['circuits', '--build']);
  expect(c.hops).toHaveLength(3);
  expect(c.hops.some((h) => h.peerId !== first.peerId)).toBe(true);
});

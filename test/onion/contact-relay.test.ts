/**
 * Relays learned from contacts, end to end: two `pvt daemon` processes on loopback (no mDNS, no
 * bootstrap list) pair with `pvt invite` / `pvt join`; then Ann turns relaying on (`pvt relay on`), and
 * Ben's daemon learns Ann's relay from her encrypted address update: `pvt relays list --json` shows her
 * PeerId with source "contact" and the relay flag. Until then Ben knows no relay.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { until } from '../helpers/until.ts';
import { inviteCode, type Node, pvtJson, startNodes, stopNodes } from './helpers.ts';

const nodes: Node[] = [];

interface RelayList {
  relays: { peerId: string; source: string; relay: boolean }[];
}

beforeAll(async () => {
  nodes.push(
    ...(await startNodes([
      { name: 'Ann Example', relay: false },
      { name: 'Ben Example', relay: false },
    ])),
  );
}, 180_000);
afterAll(() => stopNodes(nodes), 30_000);

test("Ben learns Ann's relay from her address update once she relays", async () => {
  const [ann, ben] = nodes as [Node, Node];
  const joined = await pvtJson<{ contact: { name: string } }>(ben, [
    'join',
    await inviteCode(ann),
    '--name',
    'Ann',
  ]);
  expect(joined.contact.name).toBe('Ann');

  expect((await pvtJson<RelayList>(ben, ['relays', 'list'])).relays).toEqual([]);
  const on = await pvtJson<{ relay: { enabled: boolean; answered: boolean } }>(ann, ['relay', 'on']);
  expect(on.relay.enabled).toBe(true);
  expect(on.relay.answered).toBe(true);

  const learned = await until(
    "Ben to learn Ann's relay from a contact",
    async () => {
      const l = await pvtJson<RelayList>(ben, ['relays', 'list']);
      return l.relays.find((r) => r.peerId === ann.peerId && r.source === 'contact');
    },
    45_000,
    500,
  );
  expect(learned.relay).toBe(true);
}, 120_000);

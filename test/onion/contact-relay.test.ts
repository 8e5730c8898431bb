/**
 * Relays learned from contacts, end to end: two `pvt daemon` processes on loopback (no mDNS, no
 * bootstrap list) pair with `pvt invite` / `pvt join`; then Ann turns relaying on (`pvt relay on`), and
 * Ben's daemon learns Ann's relay from her encrypted address update: `pvt relays list --json` shows her
 * PeerId with source "contact" and the relay flag. Until then Ben knows no relay.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TEST_NETWORK_FLAGS } from '../daemon/helpers.ts';
import { PVT_BIN } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { type Node, pvtJson, startNodes, stopNodes } from './helpers.ts';

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
  const inviter = spawn(process.execPath, [PVT_BIN, 'invite', '--json', ...TEST_NETWORK_FLAGS], {
    env: { ...process.env, ...ann.profile.home.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  inviter.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise((resolve) => inviter.on('close', resolve));
  const code = await until('the invite code', async () => out.split('\n')[0] || undefined, 30_000);
  const joined = await pvtJson<{ contact: { name: string } }>(ben, [
    'join',
    (JSON.parse(code) as { code: string }).code,
    '--name',
    'Ann',
  ]);
  expect(joined.contact.name).toBe('Ann');
  await exited;

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

/**
 * Onion circuits between real daemons on loopback: four relays and a client (five processes). The
 * client learns the relays from its bootstrap list (`pvt relays add` with the addresses `pvt status
 * --json` prints), builds a 3-hop circuit (`pvt circuits --build`), and sends bytes through it to an
 * exit's echo service (`pvt circuits --test`). A tap (PVT_ONION_TAP) records the size of every write on
 * every onion link of every process: each is a whole number of cells of exactly CELL_BYTES, in both
 * directions, and every byte written is read as whole cells. The relays' logs hold no address.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STRANGER_GRACE_MS } from '../../src/net/constants.ts';
import { runPvt } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { bootstrapAll, type Node, pvtJson, startNodes, stopNodes } from './helpers.ts';

const CELL_BYTES = 1536;
const tapDir = mkdtempSync(join(tmpdir(), 'pvt-onion-tap-'));
const tap = join(tapDir, 'tap.log');
const nodes: Node[] = [];

beforeAll(async () => {
  const env = { PVT_ONION_TAP: tap };
  const specs = ['R1', 'R2', 'R3', 'R4'].map((n) => ({ name: `Relay ${n}`, relay: true }));
  nodes.push(...(await startNodes([...specs, { name: 'Client', relay: false }], env)));
}, 240_000);
afterAll(() => stopNodes(nodes), 30_000);

describe('five daemons on loopback', () => {
  test('the client builds a 3-hop circuit through three distinct relays', async () => {
    const client = nodes[4] as Node;
    const relays = nodes.slice(0, 4);
    await bootstrapAll(client, relays);
    const c = await pvtJson<{ hops: { peerId: string; class: string }[] }>(client, ['circuits', '--build']);
    expect(c.hops).toHaveLength(3);
    expect(new Set(c.hops.map((h) => h.peerId)).size).toBe(3);
    for (const h of c.hops) {
      expect(relays.map((r) => r.peerId)).toContain(h.peerId);
      expect(h.class).toBe('loopback');
    }
    const list = await pvtJson<{ circuits: unknown[] }>(client, ['circuits']);
    expect(list.circuits.length).toBeGreaterThanOrEqual(1);
  });

  test('pvt relays add refuses what is not a relay address and leaves the list as it was; remove takes one out', async () => {
    const client = nodes[4] as Node;
    const before = await pvtJson<{ bootstrap: string[] }>(client, ['relays', 'list']);
    for (const [bad, says] of [
      ['not-an-address', 'not a multiaddr'],
      ['/ip4/127.0.0.1/tcp/1', '/p2p/'],
    ] as const) {
      const r = await runPvt(['relays', 'add', bad], { env: client.profile.home.env });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(says);
    }
    expect((await pvtJson<{ bootstrap: string[] }>(client, ['relays', 'list'])).bootstrap).toEqual(
      before.bootstrap,
    );
    const last = before.bootstrap[before.bootstrap.length - 1] as string;
    const removed = await pvtJson<{ removed: string[] }>(client, ['relays', 'remove', last]);
    expect(removed.removed).toEqual([last]);
    await pvtJson(client, ['relays', 'add', last]);
    expect((await pvtJson<{ bootstrap: string[] }>(client, ['relays', 'list'])).bootstrap).toEqual(
      before.bootstrap,
    );
  });

  test('circuits outlive the stranger guard: still there and usable after STRANGER_GRACE_MS', async () => {
    const client = nodes[4] as Node;
    const before = await pvtJson<{ circuits: { id: number; ageMs: number }[] }>(client, ['circuits']);
    const oldest = before.circuits.reduce((m, c) => Math.max(m, c.ageMs), 0);
    // Idle stranger connections are closed after 10 s (src/net/stranger-guard.ts); onion links are not.
    await new Promise((r) => setTimeout(r, Math.max(0, STRANGER_GRACE_MS + 1500 - oldest)));
    const after = await pvtJson<{ circuits: { id: number }[] }>(client, ['circuits']);
    const kept = after.circuits.filter((c) => before.circuits.some((b) => b.id === c.id));
    expect(kept.length).toBeGreaterThanOrEqual(1);
    const r = await pvtJson<{ ok: boolean; rebuilds: number }>(client, [
      'circuits',
      '--test',
      '--bytes',
      '50000',
    ]);
    expect(r).toMatchObject({ ok: true, rebuilds: 0 });
  });

  test('bytes go through a circuit to an echo exit and come back intact', async () => {
    const client = nodes[4] as Node;
    const r = await pvtJson<{ ok: boolean; bytes: number }>(
      client,
      ['circuits', '--test', '--bytes', '300000'],
      60_000,
    );
    expect(r.ok).toBe(true);
    expect(r.bytes).toBeGreaterThanOrEqual(300_000);
    const served = await Promise.all(
      nodes
        .slice(0, 4)
        .map((n) =>
          pvtJson<{ relay: { counters: { circuitsOpened: number; cellsOut: number } } }>(n, [
            'relay',
            'status',
          ]),
        ),
    );
    expect(served.filter((s) => s.relay.counters.circuitsOpened > 0).length).toBeGreaterThanOrEqual(3);
  });

  test('every onion write on every link, both directions, is whole cells of one size; every byte is read as whole cells', async () => {
    const parse = () =>
      readFileSync(tap, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' '));
    await until('every written byte to be read', async () => {
      const lines = parse();
      const written = lines.filter((l) => l[0] === 'w').reduce((s, l) => s + Number(l[2]), 0);
      const read = lines.filter((l) => l[0] === 'r').reduce((s, l) => s + Number(l[2]), 0);
      return written > 0 && written === read ? true : undefined;
    });
    const lines = parse();
    const writes = lines.filter((l) => l[0] === 'w');
    expect(writes.length).toBeGreaterThan(200);
    // A write carries whole cells only (several when they queue up): bytes = cells × CELL_BYTES.
    for (const w of writes) expect(Number(w[2])).toBe(Number(w[3]) * CELL_BYTES);
    const cells = writes.reduce((n, w) => n + Number(w[3]), 0);
    expect(cells).toBeGreaterThan(writes.length / 2);
    // Writes happen in both directions: by the client, and by every relay on inbound and outbound links.
    const writers = new Set(writes.map((l) => (l[1] as string).split(':')[0]));
    expect(writers.size).toBeGreaterThanOrEqual(4);
    const perLink = new Map<string, number>();
    for (const l of lines.filter((x) => x[0] === 'r'))
      perLink.set(l[1] as string, (perLink.get(l[1] as string) ?? 0) + Number(l[2]));
    for (const total of perLink.values()) expect(total % CELL_BYTES).toBe(0);
  });

  test("the relays' logs hold no address and no other node's PeerId", () => {
    for (const relay of nodes.slice(0, 4)) {
      const log = readFileSync(relay.log, 'utf8');
      expect(log).toContain('onion.started');
      expect(log).not.toMatch(/127\.0\.0\.1|\/ip4\/|\/ip6\//);
      for (const other of nodes) if (other !== relay) expect(log).not.toContain(other.peerId);
    }
  });
});

/**
 * Onion circuits in the natlab (../shared/natlab, NATLAB_PREFIX "pvton-"): three relay daemons on the
 * public host `pub` (different ports, `--relay`), a client daemon on `home2` behind a NAT without port
 * mapping (no inbound connectivity). The client learns the relays from `pvt relays add` with the
 * addresses their `pvt status --json` prints, builds a 3-hop circuit through them and echoes bytes
 * through it; the relays say they serve because their address is public. Skips with the reason when
 * the lab cannot run here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PVT_BIN, runPvt, type TempHome, tempHome } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';
import { natlab, natlabSkipReason } from '../nat/natlab.ts';

const ENV = { NATLAB_PREFIX: 'pvton-' };
const skip = natlabSkipReason(ENV);
if (skip) console.log(`test/onion/circuit.lab.test.ts skipped: ${skip}`);

interface LabNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly home: TempHome;
  child?: ChildProcess;
}
const nodes: LabNode[] = [];

async function pvt<T>(n: LabNode, args: readonly string[], timeoutMs = 30_000): Promise<T> {
  const r = await runPvt([...args, '--json'], { env: n.home.env, timeoutMs });
  if (r.code !== 0) throw new Error(`pvt ${args.join(' ')} (${n.name}) exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

async function start(name: string, host: string, port: number, relay: boolean): Promise<LabNode> {
  const n: LabNode = { name, host, port, home: tempHome() };
  nodes.push(n);
  const init = await runPvt(['init', '--name', name], { env: n.home.env });
  expect(init.code).toBe(0);
  const child = spawn(
    natlab.path,
    [
      'exec',
      host,
      process.execPath,
      PVT_BIN,
      'daemon',
      '--port',
      String(port),
      '--no-mdns',
      ...(relay ? ['--relay'] : []),
    ],
    { env: { ...process.env, ...ENV, ...n.home.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  n.child = child;
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: daemon did not start: ${stderr}`)), 30_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('pvt daemon: serving')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`${name}: daemon exited ${code}: ${stderr}`)));
  });
  return n;
}

describe.skipIf(skip !== null)('onion circuits in the NAT lab', () => {
  beforeAll(async () => {
    natlab.run(['up'], ENV);
    for (const [i, name] of ['Pub relay 1', 'Pub relay 2', 'Pub relay 3'].entries())
      await start(name, 'pub', 41_001 + i, true);
    await start('Home2 client', 'home2', 41_010, false);
  }, 150_000);
  afterAll(async () => {
    for (const n of nodes) {
      n.child?.kill('SIGTERM');
    }
    await new Promise((r) => setTimeout(r, 1500));
    natlab.run(['down'], ENV);
    for (const n of nodes) n.home.cleanup();
  }, 30_000);

  test('a client on home2 builds a circuit through three relays on pub and echoes bytes through it', async () => {
    const relays = nodes.slice(0, 3);
    const client = nodes[3] as LabNode;
    const addrs: string[] = [];
    for (const r of relays) {
      const s = await pvt<{ network: { addresses: string[] } }>(r, ['status']);
      const addr = s.network.addresses.find((a) => a.startsWith('/ip4/203.0.113.10/tcp/'));
      expect(addr).toBeDefined();
      addrs.push(addr as string);
      const rs = await pvt<{ relay: { serving: boolean } }>(r, ['relay', 'status']);
      expect(rs.relay.serving).toBe(true);
    }
    // home2 has no public address and no mapping: it does not relay, and needs no inbound connection.
    const cs = await pvt<{ network: { addresses: string[] } }>(client, ['status']);
    expect(cs.network.addresses.some((a) => a.includes('/ip4/10.77.2.10/'))).toBe(true);
    for (const a of addrs) {
      const added = await pvt<{ relay: unknown; error?: string }>(client, ['relays', 'add', a]);
      expect(added.relay, added.error).not.toBeNull();
    }
    const c = await until(
      'a circuit from home2',
      () => pvt<{ hops: { class: string }[] }>(client, ['circuits', '--build']),
      60_000,
      1000,
    );
    expect(c.hops).toHaveLength(3);
    for (const h of c.hops) expect(h.class).toBe('public IPv4');
    const r = await pvt<{ ok: boolean; bytes: number }>(
      client,
      ['circuits', '--test', '--bytes', '200000'],
      60_000,
    );
    expect(r.ok).toBe(true);
  });
});

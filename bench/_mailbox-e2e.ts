/**
 * The end-to-end half of bench/mailbox: offline delivery through onion circuits between real daemons on
 * loopback — three relays, one mailbox, Ann and Ben (`pvt daemon` processes, each in its own temp home;
 * the bench drives them through their daemon sockets, as the CLI does). Circuits are real: the mailbox
 * transport is the onion one (PVT_MAILBOX_TRANSPORT is cleared).
 *
 *   1. baseline, same run: Ben online, Ann sends N messages one at a time, each timed send → delivered
 *      (direct route), then N at once, timed until all are delivered;
 *   2. Ben stopped: Ann sends N messages one at a time, each timed send → stored (deposited in Ben's
 *      mailbox through a circuit, proof of work included);
 *   3. Ann stopped too, Ben started: time from spawning Ben's daemon to all N stored at Ben (fetched
 *      through circuits — Ann is away, so nothing comes directly), and from its "serving" line;
 *   4. Ann started: time until all N show delivered (the receipts Ben left in Ann's mailbox, or Ann's
 *      direct resend — whichever comes first).
 *
 * The daemons keep the real mailbox poll (5 minutes): every fetch measured here is one a daemon makes
 * by itself at start (retried after 1 s, 2 s, … while its circuits are not ready yet).
 * Knobs: PVT_BENCH_E2E_MESSAGES (default 20; 0 skips this half), PVT_MAILBOX_POLL_MS for the daemons,
 * PVT_BENCH_KEEP=1 keeps the daemons' homes (and prints where) for reading their logs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MessageView, PvtApi, PvtEvent } from '../src/app/api.ts';
import { MAILBOX_POLL_MS } from '../src/app/mailbox-route.ts';
import { connectDaemon } from '../src/daemon/client.ts';
import { PVT_BIN, runPvt, type TempHome, tempHome } from '../test/helpers/cli.ts';
import { until } from '../test/helpers/until.ts';

/** The daemons' mailbox poll: the real one unless PVT_MAILBOX_POLL_MS says otherwise. */
const POLL_ENV = process.env.PVT_MAILBOX_POLL_MS;

interface Daemon {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

interface BenchNode {
  readonly name: string;
  readonly home: TempHome;
  readonly profileDir: string;
  readonly relay: boolean;
  daemon: Daemon | undefined;
  api: PvtApi | undefined;
  addr: string;
}

export interface EndToEndFigures {
  readonly e2eMessages: number;
  readonly directDeliveredP50Ms: number;
  readonly directDeliveredP95Ms: number;
  readonly directBurstAllDeliveredMs: number;
  readonly depositStoredP50Ms: number;
  readonly depositStoredP95Ms: number;
  readonly depositVsDirectP50: number;
  readonly benDaemonStartMs: number;
  readonly benStartToAllStoredMs: number;
  readonly benServingToAllStoredMs: number;
  readonly offlineFetchVsDirectBurst: number;
  readonly annStartToAllDeliveredMs: number;
  readonly relayCircuitsOpened: number;
  readonly pollMs: number;
}

const pct = (xs: readonly number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;
const r1 = (x: number) => Math.round(x * 10) / 10;

function env(node: BenchNode): Record<string, string> {
  return {
    ...node.home.env,
    ...(POLL_ENV ? { PVT_MAILBOX_POLL_MS: POLL_ENV } : {}),
    PVT_MAILBOX_TRANSPORT: '',
  };
}

async function pvtJson<T>(node: BenchNode, args: readonly string[]): Promise<T> {
  const r = await runPvt([...args, '--json'], { env: env(node), timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`pvt ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Spawns `pvt daemon` and resolves once it serves. */
function startDaemon(node: BenchNode): Promise<Daemon> {
  const args = [PVT_BIN, 'daemon', '--loopback', '--no-mdns', ...(node.relay ? ['--relay'] : [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NO_COLOR: '1', ...env(node) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${node.name}: daemon did not serve within 60 s: ${stderr}`));
    }, 60_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('pvt daemon: serving')) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${node.name}: daemon exited before serving: ${stderr}`));
    });
  });
}

async function up(node: BenchNode): Promise<void> {
  node.daemon = await startDaemon(node);
  node.api = await connectDaemon({ profileDir: node.profileDir });
  if (!node.api) throw new Error(`${node.name}: no daemon answers`);
}

async function down(node: BenchNode): Promise<void> {
  await node.api?.close();
  node.api = undefined;
  const d = node.daemon;
  node.daemon = undefined;
  if (!d || d.child.exitCode !== null || d.child.signalCode !== null) return;
  d.child.kill('SIGTERM');
  const killer = setTimeout(() => d.child.kill('SIGKILL'), 10_000);
  await d.exited;
  clearTimeout(killer);
}

async function createNode(name: string, relay: boolean): Promise<BenchNode> {
  const home = tempHome();
  const node: BenchNode = {
    name,
    home,
    profileDir: join(home.dir, 'profiles', 'default'),
    relay,
    daemon: undefined,
    api: undefined,
    addr: '',
  };
  const r = await runPvt(['init', '--name', name], { env: home.env, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${name}: pvt init failed: ${r.stderr}`);
  await up(node);
  const status = await (node.api as PvtApi).network();
  const addr = status.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/'));
  if (!addr || !status.peerId) throw new Error(`${name}: no loopback address`);
  node.addr = addr.includes('/p2p/') ? addr : `${addr}/p2p/${status.peerId}`;
  return node;
}

const api = (node: BenchNode): PvtApi => {
  if (!node.api) throw new Error(`${node.name} is not running`);
  return node.api;
};

/** Resolves when `event` (a message-state of `id` reaching `state`) is seen, with the time it took. */
function stateWaiter(node: BenchNode) {
  const waiting = new Map<string, { state: string; resolve: () => void }>();
  const early = new Map<string, Set<string>>();
  const off = api(node).subscribe((e: PvtEvent) => {
    if (e.type !== 'message-state') return;
    const w = waiting.get(e.id);
    if (w && w.state === e.state) {
      waiting.delete(e.id);
      w.resolve();
    } else {
      const s = early.get(e.id) ?? new Set<string>();
      s.add(e.state);
      early.set(e.id, s);
    }
  });
  return {
    wait(id: string, state: string, timeoutMs = 60_000): Promise<void> {
      if (early.get(id)?.has(state)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${id} never ${state}`)), timeoutMs);
        waiting.set(id, {
          state,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    off,
  };
}

async function outStates(node: BenchNode, contactId: string): Promise<MessageView[]> {
  const all = await api(node).contactMessages(contactId, { limit: 10_000 });
  return all.filter((m) => m.direction === 'out');
}

export async function runEndToEnd(n: number): Promise<EndToEndFigures> {
  const nodes: BenchNode[] = [];
  try {
    for (const name of ['Relay One', 'Relay Two', 'Relay Three']) nodes.push(await createNode(name, true));
    const relays = [...nodes];
    const mailbox = await createNode('Mailbox Keeper', false);
    const ann = await createNode('Ann Example', false);
    const ben = await createNode('Ben Example', false);
    nodes.push(mailbox, ann, ben);
    await api(mailbox).setMailboxServe(true);
    for (const c of [ann, ben]) {
      for (const r of relays) await pvtJson(c, ['relays', 'add', r.addr]);
      await api(c).addMailbox(mailbox.addr);
    }
    const invite = await api(ann).createInvite();
    const joined = await api(ben).join(invite.code, { alias: 'Ann' });
    const annId = joined.contact.id;
    const benId = await until('Ann to have Ben', async () => (await api(ann).contacts())[0]?.id);
    await until(
      "each to know the other's mailbox",
      async () => {
        const a = await api(ann).mailboxes();
        const b = await api(ben).mailboxes();
        const knows = (v: typeof a) => (v.contacts ?? []).some((c) => c.mailboxes > 0);
        return knows(a) && knows(b) ? true : undefined;
      },
      60_000,
    );

    // 1. Baseline: Ben online, direct route.
    let states = stateWaiter(ann);
    const direct: number[] = [];
    for (let i = 0; i < n + 2; i++) {
      const t = performance.now();
      const m = await api(ann).send(benId, `direct ${i}`);
      await states.wait(m.id, 'delivered');
      if (i >= 2) direct.push(performance.now() - t); // the first two warm the stream up
    }
    let t = performance.now();
    const burst = await Promise.all(Array.from({ length: n }, (_, i) => api(ann).send(benId, `burst ${i}`)));
    await Promise.all(burst.map((m) => states.wait(m.id, 'delivered')));
    const directBurstMs = performance.now() - t;
    states.off();

    // 2. Ben away: deposits into his mailbox through circuits.
    await down(ben);
    states = stateWaiter(ann);
    const deposits: number[] = [];
    for (let i = 0; i < n; i++) {
      t = performance.now();
      const m = await api(ann).send(benId, `offline ${i}`);
      await states.wait(m.id, 'stored', 120_000);
      deposits.push(performance.now() - t);
    }
    states.off();

    // 3. Ann away too; Ben comes back and fetches everything through circuits.
    await down(ann);
    const spawnAt = performance.now();
    ben.daemon = await startDaemon(ben);
    const servingAt = performance.now();
    ben.api = await connectDaemon({ profileDir: ben.profileDir });
    const wanted = Array.from({ length: n }, (_, i) => `offline ${i}`);
    await until(
      `all ${n} at Ben`,
      async () => {
        const got = (await api(ben).contactMessages(annId, { limit: 10_000 }))
          .filter((m) => m.direction === 'in' && m.body.startsWith('offline '))
          .map((m) => m.body);
        if (got.length > n) throw new Error(`duplicated: ${got.length} of ${n}`);
        return got.length === n ? got : undefined;
      },
      120_000,
      25,
    ).then((got) => {
      if (got.join('\n') !== wanted.join('\n')) throw new Error('out of order');
    });
    const allStoredAt = performance.now();

    // 4. Ann back: every message delivered.
    t = performance.now();
    await up(ann);
    await until(
      `all ${n} delivered at Ann`,
      async () => {
        const out = (await outStates(ann, benId)).filter((m) => m.body.startsWith('offline '));
        return out.length === n && out.every((m) => m.state === 'delivered') ? true : undefined;
      },
      120_000,
      25,
    );
    const annDeliveredMs = performance.now() - t;

    let circuits = 0;
    for (const r of relays) {
      const s = await pvtJson<{ relay: { counters: { circuitsOpened: number } } }>(r, ['relay', 'status']);
      circuits += s.relay.counters.circuitsOpened;
    }
    const figures: EndToEndFigures = {
      e2eMessages: n,
      directDeliveredP50Ms: r1(pct(direct, 0.5)),
      directDeliveredP95Ms: r1(pct(direct, 0.95)),
      directBurstAllDeliveredMs: r1(directBurstMs),
      depositStoredP50Ms: r1(pct(deposits, 0.5)),
      depositStoredP95Ms: r1(pct(deposits, 0.95)),
      depositVsDirectP50: Number((pct(deposits, 0.5) / pct(direct, 0.5)).toFixed(2)),
      benDaemonStartMs: r1(servingAt - spawnAt),
      benStartToAllStoredMs: r1(allStoredAt - spawnAt),
      benServingToAllStoredMs: r1(allStoredAt - servingAt),
      offlineFetchVsDirectBurst: Number(((allStoredAt - servingAt) / directBurstMs).toFixed(2)),
      annStartToAllDeliveredMs: r1(annDeliveredMs),
      relayCircuitsOpened: circuits,
      pollMs: Number(POLL_ENV ?? MAILBOX_POLL_MS),
    };
    return figures;
  } finally {
    await Promise.all(nodes.map((node) => down(node).catch(() => undefined)));
    if (process.env.PVT_BENCH_KEEP) console.log(nodes.map((x) => `${x.name}: ${x.profileDir}`).join('\n'));
    else for (const node of nodes) node.home.cleanup();
  }
}

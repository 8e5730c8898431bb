/**
 * Helpers for the onion process tests: a set of real `pvt daemon` processes on loopback (some with
 * --relay), each in its own temp home, their dialable addresses as `pvt status --json` prints them, and
 * `pvt` commands against one of them with their JSON answers parsed.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { type DaemonProcess, type Profile, startDaemon } from '../daemon/helpers.ts';
import { runPvt, tempHome } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';

export interface Node {
  readonly name: string;
  readonly profile: Profile;
  daemon: DaemonProcess;
  readonly relay: boolean;
  /** Its /ip4/…/tcp/…/p2p/… address. */
  addr: string;
  peerId: string;
  readonly log: string;
}

export async function pvtJson<T = Record<string, unknown>>(
  node: Node,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<T> {
  const r = await runPvt([...args, '--json'], { env: node.profile.home.env, timeoutMs });
  if (r.code !== 0) throw new Error(`pvt ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * A single-use invite made through the node's daemon: `pvt invite --json` prints the code and returns
 * (the daemon waits for the join). `env` is added to the node's own (test knobs).
 */
export async function inviteCode(
  node: Node,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<string> {
  const r = await runPvt(['invite', '--json', ...args], { env: { ...node.profile.home.env, ...env } });
  if (r.code !== 0) throw new Error(`pvt invite exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { code: string }).code;
}

/** A profile with an identity; `pvt init` may take long on a loaded machine (Argon2 tuning). */
async function createProfile(name: string): Promise<Profile> {
  const home = tempHome();
  const r = await runPvt(['init', '--name', name], { env: home.env, timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  const dir = join(home.dir, 'profiles', 'default');
  return { home, dir, socket: join(dir, 'pvt.sock'), cookie: join(dir, 'daemon.cookie') };
}

/** Starts nodes two at a time (a 2-core machine shared with other test files). */
export async function startNodes(
  specs: readonly { name: string; relay: boolean }[],
  env: Record<string, string> = {},
): Promise<Node[]> {
  const out: Node[] = [];
  for (let i = 0; i < specs.length; i += 2) {
    out.push(...(await Promise.all(specs.slice(i, i + 2).map((s) => startNode(s.name, s.relay, env)))));
  }
  return out;
}

export async function startNode(
  name: string,
  relay: boolean,
  env: Record<string, string> = {},
): Promise<Node> {
  const profile = await createProfile(name);
  const daemon = await startDaemon({ ...profile.home.env, ...env }, relay ? ['--relay'] : [], 60_000);
  const status = await pvtJson<{ network: { addresses: string[]; peerId: string } }>({ profile } as Node, [
    'status',
  ]);
  const addr = status.network.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/'));
  expect(addr).toBeDefined();
  return {
    name,
    profile,
    daemon,
    relay,
    addr: addr as string,
    peerId: status.network.peerId,
    log: join(profile.dir, 'logs', 'pvt.log'),
  };
}

export async function stopNodes(nodes: readonly Node[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if (n.daemon.child.exitCode === null && n.daemon.child.signalCode === null) {
        n.daemon.child.kill('SIGTERM');
        await Promise.race([n.daemon.exited, new Promise((r) => setTimeout(r, 5000))]);
        n.daemon.child.kill('SIGKILL');
      }
      n.profile.home.cleanup();
    }),
  );
}

/** Adds every relay's address to `client`'s bootstrap list and waits until it knows them all. */
export async function bootstrapAll(client: Node, relays: readonly Node[]): Promise<void> {
  for (const r of relays) {
    const a = await pvtJson<{ relay: unknown }>(client, ['relays', 'add', r.addr]);
    expect(a.relay).not.toBeNull();
  }
  await until('the client to know every relay', async () => {
    const l = await pvtJson<{ relays: { peerId: string }[] }>(client, ['relays', 'list']);
    return relays.every((r) => l.relays.some((x) => x.peerId === r.peerId)) ? true : undefined;
  });
}

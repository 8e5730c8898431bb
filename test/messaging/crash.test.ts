/**
 * Cross-process reliability: two child processes (crash-child.ts) chat over loopback; the sender is
 * SIGKILLed in the middle of a burst of 500 messages and restarted, then the receiver is SIGKILLed while
 * messages stream in and restarted. In the end every message was received exactly once, in order, and
 * every one shows delivered on the sender.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLauncher } from '../../src/app/launcher.ts';
import { cleanupDirs, createPeer, idOf, NET, PASSPHRASE, type Peer, pair } from './helpers.ts';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const COUNT = 500;
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  cleanupDirs();
});

interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the first value of `name` (e.g. "queued") reaching `n`. */
  until(name: string, n: number, timeoutMs?: number): Promise<void>;
  last(name: string): number;
  exited: Promise<void>;
}

function run(args: string[]): Child {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  const values = new Map<string, number>();
  const waiters: { name: string; n: number; resolve: () => void }[] = [];
  let buffer = '';
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const [name = '', value] = buffer.slice(0, nl).split(' ');
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
      values.set(name, value === undefined ? 1 : Number(value));
      for (const w of [...waiters]) {
        if (w.name === name && (values.get(name) ?? 0) >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    }
  });
  const exited = new Promise<void>((resolve) =>
    proc.on('exit', () => {
      children.delete(proc);
      resolve();
    }),
  );
  return {
    proc,
    exited,
    last: (name) => values.get(name) ?? 0,
    until(name, n, timeoutMs = 60_000) {
      if ((values.get(name) ?? 0) >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`timed out waiting for ${name} ${n} (at ${values.get(name)}); stderr: ${stderr}`),
            ),
          timeoutMs,
        );
        waiters.push({
          name,
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => {
          if ((values.get(name) ?? 0) < n)
            reject(new Error(`child exited before ${name} ${n}; stderr: ${stderr}`));
        });
      });
    },
  };
}

async function kill9(c: Child): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

async function stop(c: Child): Promise<void> {
  c.proc.kill('SIGTERM');
  await c.exited;
}

describe('kill -9 in the middle of a burst', () => {
  it(`delivers all ${COUNT} messages exactly once, in order`, async () => {
    const alice: Peer = await createPeer('Alice');
    const bob: Peer = await createPeer('Bob');
    await pair(alice, bob);
    await alice.close();
    await bob.close();

    let receiver = run(['receiver', bob.dataDir, 'Alice']);
    await receiver.until('ready', 1);
    let sender = run(['sender', alice.dataDir, 'Bob', String(COUNT)]);
    await sender.until('queued', 150);
    await kill9(sender);

    sender = run(['sender', alice.dataDir, 'Bob', String(COUNT)]);
    await receiver.until('received', 300);
    await kill9(receiver);
    receiver = run(['receiver', bob.dataDir, 'Alice']);
    await sender.until('queued', COUNT);
    await receiver.until('received', COUNT, 90_000);
    // Receipts may still be in flight: give the sender time to see them all, then stop both cleanly.
    await sender.until('delivered', 1, 30_000).catch(() => undefined);
    await stop(receiver);
    const restartedReceiver = run(['receiver', bob.dataDir, 'Alice']);
    await restartedReceiver.until('ready', 1);
    await new Promise((r) => setTimeout(r, 1_000));
    await stop(sender);
    await stop(restartedReceiver);

    const open = (dataDir: string) =>
      createLauncher({ dataDir, profile: 'default', logLevel: 'info' }).open({
        passphrase: PASSPHRASE,
        network: NET,
      });
    const a = await open(alice.dataDir);
    const b = await open(bob.dataDir);
    try {
      const expected = Array.from({ length: COUNT }, (_, i) => `m-${String(i + 1).padStart(4, '0')}`);
      const inbound = (await b.contactMessages(await idOf(b, 'Alice'), { limit: 10_000 })).filter(
        (m) => m.direction === 'in',
      );
      expect(inbound.map((m) => m.body)).toEqual(expected);
      const outbound = (await a.contactMessages(await idOf(a, 'Bob'), { limit: 10_000 })).filter(
        (m) => m.direction === 'out',
      );
      expect(outbound.map((m) => m.body)).toEqual(expected);
      // Anything not yet acknowledged is acknowledged now that both run again.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const log = await a.contactMessages(await idOf(a, 'Bob'), { limit: 10_000 });
        if (log.every((m) => m.state === 'delivered')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const states = (await a.contactMessages(await idOf(a, 'Bob'), { limit: 10_000 })).map((m) => m.state);
      expect(states.every((s) => s === 'delivered')).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);
});

/**
 * Issue 10 item 3 — a join killed at the wrong moment must not leave a one-sided contact. Attack
 * reproduced: the joiner (or the inviter) is SIGKILLed at each step of the join — after each message it
 * sends or receives, and right after it stores the contact (kill points are the join's own step events,
 * never a sleep). Afterwards, with both profiles reopened, either both sides have the contact and
 * messages flow both ways, or a fresh invite works (a new join from the same identity replaces the
 * inviter's unconfirmed contact) — every time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { PvtEvent } from '../../src/app/api.ts';
import { cleanupDirs, createPeer, type Peer, waitFor } from '../messaging/helpers.ts';

const CHILD = join(import.meta.dirname, 'join-child.ts');
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  cleanupDirs();
});

interface Child {
  readonly out: () => string;
  readonly exited: Promise<number | null>;
  readonly proc: ChildProcess;
}

function run(args: string[]): Child {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  proc.stderr?.resume();
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      children.delete(proc);
      resolve(code);
    }),
  );
  return { out: () => out, exited, proc };
}

async function stop(c: Child): Promise<void> {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
  await c.exited;
}

async function delivered(from: Peer, toId: string, text: string): Promise<void> {
  const m = await from.api.send(toId, text);
  await waitFor(
    `"${text}" delivered`,
    () =>
      m.state === 'delivered' ||
      from.events.some(
        (e: PvtEvent) => e.type === 'message-state' && e.id === m.id && e.state === 'delivered',
      ),
    20_000,
  );
}

const STEPS = [
  'join:sent-request',
  'join:got-response',
  'join:sent-reveal',
  'join:got-confirm',
  'join:stored',
  'invite:sent-response',
  'invite:got-reveal',
  'invite:stored',
  'invite:sent-confirm',
] as const;

describe('a join killed at any step converges', () => {
  test.each(STEPS)(
    'killed at %s',
    async (step) => {
      const inviter = await createPeer('Ines', { network: false });
      const joiner = await createPeer('Jo', { network: false });
      await inviter.close();
      await joiner.close();
      const side = step.split(':')[0];
      const a = run(['inviter', inviter.dataDir, side === 'invite' ? step : 'none']);
      const code = await waitFor('the invite code', () => /^code (\S+)$/m.exec(a.out())?.[1], 20_000);
      const j = run(['joiner', joiner.dataDir, side === 'join' ? step : 'none', code]);
      const killed = side === 'join' ? j : a;
      const survivor = side === 'join' ? a : j;
      expect(await killed.exited).toBeNull(); // killed by SIGKILL at the step, not exited
      // The survivor finishes or gives up (a dead peer resets the stream); the joiner prints either way.
      if (survivor === j) await waitFor('the joiner to finish', () => /joined|failed/.test(j.out()), 30_000);
      else await new Promise((r) => setTimeout(r, 300));
      await stop(survivor);

      await inviter.reopen();
      await joiner.reopen();
      try {
        const joinerHas = (await joiner.api.contacts()).length === 1;
        if (!joinerHas) {
          const invite = await inviter.api.createInvite({ expiresInMs: 60_000 });
          await joiner.api.join(invite.code); // refused before the fix: "you are already its contact"
        }
        const onJoiner = await waitFor('the joiner’s contact', async () => (await joiner.api.contacts())[0]);
        const onInviter = await waitFor(
          'the inviter’s contact',
          async () => (await inviter.api.contacts())[0],
        );
        expect((await inviter.api.contacts()).length).toBe(1);
        await delivered(joiner, onJoiner.id, `from jo after ${step}`);
        await delivered(inviter, onInviter.id, `from ines after ${step}`);
      } finally {
        await inviter.close();
        await joiner.close();
      }
    },
    60_000,
  );
});

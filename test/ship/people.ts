/**
 * Two (or more) people for the shipping tests, through the CLI as users would: `pvt init`, then an
 * invite and a join on loopback, both sides confirming the SAS. The inviter may have a daemon running
 * (the daemon then waits for the join) or not (`pvt invite` waits in-process).
 */
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { TEST_NETWORK_FLAGS } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt, type TempHome } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';

export const NET = [...TEST_NETWORK_FLAGS];

export async function pvtJson<T>(home: TempHome, args: string[]): Promise<T> {
  const r = await runPvt([...args, '--json'], { env: home.env });
  if (r.code !== 0) throw new Error(`pvt ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export async function init(home: TempHome, name: string): Promise<void> {
  const r = await runPvt(['init', '--name', name], { env: home.env });
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(0);
}

/**
 * `inviter` invites, `joiner` joins (naming the inviter `inviterAlias`, the inviter naming the joiner
 * `joinerAlias`), both confirm. Neither runs a daemon, or the inviter's daemon waits for the join.
 */
export async function pair(
  inviter: TempHome,
  joiner: TempHome,
  names: { inviterAlias: string; joinerAlias: string },
): Promise<void> {
  const child = spawn(process.execPath, [PVT_BIN, 'invite', '--json', '--name', names.joinerAlias, ...NET], {
    env: { ...process.env, ...inviter.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const invite = await until(
    'the invite code',
    async () => {
      const first = out.split('\n')[0];
      return first ? (JSON.parse(first) as { code: string }) : undefined;
    },
    30_000,
  );
  await pvtJson(joiner, ['join', invite.code, '--name', names.inviterAlias, ...NET]);
  expect(await exited, err).toBe(0);
  await until("the joiner in the inviter's contacts", async () => {
    const contacts = await pvtJson<{ name: string }[]>(inviter, ['contacts']);
    return contacts.some((c) => c.name === names.joinerAlias) ? true : undefined;
  });
  await pvtJson(inviter, ['verify', names.joinerAlias, '--confirm']);
  await pvtJson(joiner, ['verify', names.inviterAlias, '--confirm']);
}

/**
 * Two people as separate processes over real sockets (loopback), through the CLI as a person would:
 * Alice runs `pvt invite`, Bob runs `pvt join CODE`, both see the same SAS, both confirm, then they chat
 * through their daemons and `pvt log NAME --json` on each side shows the messages delivered. Then a
 * reused, a tampered and an expired code each fail with their message and change nothing.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { type DaemonProcess, startDaemon, TEST_NETWORK_FLAGS } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt, type TempHome, tempHome } from '../helpers/cli.ts';
import { until } from '../helpers/until.ts';

const NET = [...TEST_NETWORK_FLAGS];
const alice = tempHome('alice passphrase 1');
const bob = tempHome('bob passphrase 22');
const carol = tempHome('carol passphrase 333');
const daemons: DaemonProcess[] = [];
afterAll(async () => {
  for (const d of daemons) {
    d.child.kill('SIGTERM');
    await d.exited;
  }
  for (const h of [alice, bob, carol]) h.cleanup();
});

interface Message {
  id: string;
  body: string;
  direction: 'in' | 'out';
  state: string;
}

async function pvtJson<T>(home: TempHome, args: string[]): Promise<T> {
  const r = await runPvt([...args, '--json'], { env: home.env });
  if (r.code !== 0) throw new Error(`pvt ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('two profiles, separate processes', () => {
  let code = '';

  test('invite → join → same SAS on both sides → confirm both', async () => {
    for (const [home, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
      [carol, 'Carol'],
    ] as const) {
      const r = await runPvt(['init', '--name', name], { env: home.env });
      expect(r.code).toBe(0);
    }
    const inviter = spawn(process.execPath, [PVT_BIN, 'invite', '--json', ...NET], {
      env: { ...process.env, ...alice.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    inviter.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    inviter.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => inviter.on('close', (c) => resolve(c)));
    const invite = await until(
      'the invite code',
      async () => {
        const first = out.split('\n')[0];
        return first ? (JSON.parse(first) as { code: string; expiresAt: number }) : undefined;
      },
      30_000,
    );
    code = invite.code;
    expect(code).toMatch(/^pvt1/);

    const joined = await pvtJson<{ contact: { name: string }; sas: string }>(bob, ['join', code, ...NET]);
    expect(joined.contact.name).toBe('Alice');
    expect(joined.sas).toMatch(/^\d{3} \d{3}$/);

    expect(await exited).toBe(0);
    const aliceSide = JSON.parse(out.split('\n')[1] as string) as { joined: { name: string }; sas: string };
    expect(err).not.toContain('internal error');
    expect(aliceSide.joined.name).toBe('Bob');
    expect(aliceSide.sas).toBe(joined.sas);

    // The SAS stays available (sealed) until verification, for an inviter who was not watching.
    const pending = await pvtJson<{ sas: string | null; verification: string }>(alice, ['verify', 'Bob']);
    expect(pending).toMatchObject({ verification: 'unverified', sas: joined.sas });

    const a = await pvtJson<{ verification: string }>(alice, ['verify', 'Bob', '--confirm']);
    const b = await pvtJson<{ verification: string }>(bob, ['verify', 'Alice', '--confirm']);
    expect(a.verification).toBe('verified');
    expect(b.verification).toBe('verified');
    const sa = await pvtJson<{ safetyNumber: string }>(alice, ['verify', 'Bob']);
    const sb = await pvtJson<{ safetyNumber: string }>(bob, ['verify', 'Alice']);
    expect(sa.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(sa.safetyNumber).toBe(sb.safetyNumber);
    expect((sa as { sas?: string | null }).sas).toBeNull();
  }, 90_000);

  test('messages both ways through the daemons, delivered on both sides', async () => {
    daemons.push(await startDaemon(alice.env), await startDaemon(bob.env));
    expect((await runPvt(['send', 'Bob', 'hello Bob, from Alice'], { env: alice.env })).code).toBe(0);
    expect((await runPvt(['send', 'Alice', 'hi Alice 🙂 Bob here'], { env: bob.env })).code).toBe(0);
    const delivered = (home: TempHome, peer: string) =>
      until(
        `${peer}'s conversation delivered`,
        async () => {
          const log = await pvtJson<Message[]>(home, ['log', peer]);
          const mine = log.filter((m) => m.direction === 'out');
          const theirs = log.filter((m) => m.direction === 'in');
          return mine.length === 1 && mine[0]?.state === 'delivered' && theirs.length === 1 ? log : undefined;
        },
        30_000,
      );
    const aliceLog = await delivered(alice, 'Bob');
    const bobLog = await delivered(bob, 'Alice');
    expect(aliceLog.find((m) => m.direction === 'in')?.body).toBe('hi Alice 🙂 Bob here');
    expect(bobLog.find((m) => m.direction === 'in')?.body).toBe('hello Bob, from Alice');

    // A name that is no contact's fails once, clearly, naming the contacts it could be; nothing is queued.
    const typo = await runPvt(['send', 'Bo', 'to whom?'], { env: alice.env });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('no contact named "Bo" (contacts: "Bob")');
    expect((await pvtJson<Message[]>(alice, ['log', 'Bob'])).map((m) => m.body)).not.toContain('to whom?');
  }, 90_000);

  test('a used, a tampered and an expired code each fail clearly and change nothing', async () => {
    const before = await pvtJson<unknown[]>(alice, ['contacts']);
    const reuse = await runPvt(['join', code, ...NET], { env: carol.env });
    expect(reuse.code).toBe(1);
    expect(reuse.stderr).toMatch(/used|no longer valid/i);

    const i = code.length - 5;
    const flipped = code.slice(0, i) + (code[i] === 'q' ? 'p' : 'q') + code.slice(i + 1);
    const tampered = await runPvt(['join', flipped, ...NET], { env: carol.env });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/checksum|typo|mistyped/i);

    const short = await pvtJson<{ code: string }>(alice, ['invite', '--expires', '1s']);
    await new Promise((r) => setTimeout(r, 2_100));
    const expired = await runPvt(['join', short.code, ...NET], { env: carol.env });
    expect(expired.code).toBe(1);
    expect(expired.stderr).toMatch(/expired/i);

    expect(await pvtJson<unknown[]>(carol, ['contacts'])).toEqual([]);
    expect(await pvtJson<unknown[]>(alice, ['contacts'])).toEqual(before);
  }, 90_000);
});

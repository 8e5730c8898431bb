/**
 * Issue 10 items 4 and 8 (stdin parts) — secrets stay out of argv, and stdin is taken exactly.
 * Attacks reproduced: another local user reads /proc/PID/cmdline while `pvt join CODE` or
 * `pvt send NAME TEXT` runs. Now `pvt join` with no CODE reads the code from stdin (or asks without echo
 * in a terminal: tmux shows no code on screen), and `pvt send NAME` reads the text from stdin; neither
 * process's cmdline holds the secret. Invalid UTF-8 on stdin is refused (exit 2, nothing queued); text is
 * kept byte-exact except one final line break. A passphrase file readable by others gets a warning.
 */
import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { createPerson, type Person, pvtJson, stopPerson } from './helpers.ts';

let alice: Person;
let bob: Person;
let carol: Person;
const sessions: TmuxSession[] = [];

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([
    createPerson('Alice'),
    createPerson('Bob'),
    createPerson('Carol'),
  ]);
}, 60_000);
afterAll(async () => {
  for (const s of sessions) s.kill();
  await Promise.all([alice, bob, carol].filter(Boolean).map(stopPerson));
});

describe('secrets through stdin, not argv', () => {
  test('pvt join with the code on stdin joins; the code is not in its argv', async () => {
    const invite = await pvtJson<{ code: string }>(alice, ['invite', '--no-qr']);
    const r = await runPvt(['join', '--json'], { env: bob.home.env, input: `${invite.code}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { contact: { name: string } }).contact.name).toBe('Alice');
  });

  test('pvt send NAME with the text on stdin: byte-exact except one final newline', async () => {
    const text = '  two\n\nlines with trailing spaces  \n';
    const r = await runPvt(['send', 'Alice', '--json'], { env: bob.home.env, input: `${text}\n` });
    expect(r.code, r.stderr).toBe(0);
    const log = await pvtJson<{ body: string }[]>(bob, ['log', 'Alice']);
    expect(log.at(-1)?.body).toBe(text);
  });

  test('invalid UTF-8 on stdin is refused with exit 2 and nothing is queued', async () => {
    const before = (await pvtJson<unknown[]>(bob, ['log', 'Alice'])).length;
    const raw = await runRaw(['send', 'Alice'], Buffer.from([0x61, 0xff, 0xfe, 0x62]));
    expect(raw.code).toBe(2);
    expect(raw.stderr).toContain('not valid UTF-8');
    expect((await pvtJson<unknown[]>(bob, ['log', 'Alice'])).length).toBe(before);
  });

  test.skipIf(!tmuxAvailable())('pvt join in a terminal asks for the code without echo', async () => {
    const invite = await pvtJson<{ code: string }>(alice, ['invite', '--no-qr']);
    const s = new TmuxSession(`${process.execPath} ${PVT_BIN} join`, {
      width: 200,
      height: 30,
      env: { PVT_HOME: carol.home.dir, NO_COLOR: '1' },
    });
    sessions.push(s);
    await s.waitFor('Invite code (not shown):');
    s.typeLine(invite.code);
    const screen = await s.waitFor('[exited', 30_000);
    expect(screen).toContain('joined Alice');
    expect(screen).not.toContain(invite.code.slice(4, 24));
  });

  test('a passphrase file readable by others gets a warning', async () => {
    const dave = await createPerson('Dave', false); // no daemon: whoami unlocks the profile itself
    chmodSync(dave.home.passFile, 0o644);
    const r = await runPvt(['whoami'], { env: dave.home.env });
    chmodSync(dave.home.passFile, 0o600);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('readable by other users');
    const quiet = await runPvt(['whoami'], { env: dave.home.env });
    await stopPerson(dave);
    expect(quiet.stderr).not.toContain('readable by other users');
  });
});

async function runRaw(args: string[], input: Buffer): Promise<{ code: number | null; stderr: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PVT_BIN, ...args], {
      env: { ...process.env, ...bob.home.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdout.resume();
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

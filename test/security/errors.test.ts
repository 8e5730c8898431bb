/**
 * Issue 10 item 5 — errors that said the wrong thing. Reproduced: `--expires 31d` was an "internal
 * error"; `--limit` with no value was ignored; an oversize message exited 1 from argv but 2 from stdin;
 * a deleted key.json said "no identity" and `pvt init` then set the old database aside without a word.
 * Now: usage errors with exit 2 and what was wrong, like errors with like exit codes, and the missing
 * key file named with the database kept.
 */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPvt, tempHome } from '../helpers/cli.ts';

const home = tempHome();
const dir = join(home.dir, 'profiles', 'default');
beforeAll(async () => {
  expect((await runPvt(['init', '--name', 'Erin'], { env: home.env })).code).toBe(0);
}, 30_000);
afterAll(() => home.cleanup());

describe('usage errors say what is wrong and exit 2', () => {
  test('--expires beyond 30 days', async () => {
    const r = await runPvt(['invite', '--expires', '31d', '--no-qr'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--expires expects 1s .. 30d, got 31d');
    expect(r.stderr).not.toContain('internal error');
  });

  test('a flag that needs a value given without one', async () => {
    for (const args of [
      ['log', '--self', '--limit'],
      ['log', '--self', '--limit', '--json'],
      ['invite', '--expires'],
    ]) {
      const r = await runPvt(args, { env: home.env });
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(/--(limit|expires) expects a value/);
    }
  });

  test('an oversize message exits 2 from argv and from stdin alike', async () => {
    const big = 'a'.repeat(9000);
    const argv = await runPvt(['note', big], { env: home.env });
    const stdin = await runPvt(['note', '-'], { env: home.env, input: big });
    expect([argv.code, stdin.code]).toEqual([2, 2]);
    for (const r of [argv, stdin]) expect(r.stderr).toContain('message too long');
  });
});

test('a deleted key.json is named, the database is kept, and init says it sets it aside', async () => {
  renameSync(join(dir, 'key.json'), join(home.dir, 'key.json.bak'));
  const r = await runPvt(['whoami'], { env: home.env });
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('key.json is missing');
  expect(r.stderr).toContain('kept');
  expect(existsSync(join(dir, 'pvt.db'))).toBe(true);
  const init = await runPvt(['init', '--name', 'Erin again'], { env: home.env });
  expect(init.code).toBe(0);
  expect(init.stderr).toContain('has no key.json; it is kept, renamed pvt.db.orphan-');
  expect(readdirSync(dir).some((f) => f.startsWith('pvt.db.orphan-'))).toBe(true);
});

/**
 * Crash safety: a child appends 500 notes while the test SIGKILLs it at a random point. After a restart
 * every note the child reported as stored is there exactly once, in order, with no gap.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT, runPvt, tempHome } from '../helpers/cli.ts';

const PASSPHRASE = 'crash test passphrase';
const home = tempHome(PASSPHRASE);
afterAll(() => home.cleanup());

test('SIGKILL while appending 500 notes loses nothing that was reported stored', async () => {
  const init = await runPvt(['init', '--name', 'Crash'], { env: home.env });
  expect(init.code).toBe(0);
  const killAfter = 20 + Math.floor(Math.random() * 400);
  const child = spawn(
    process.execPath,
    [join(ROOT, 'test', 'helpers', 'note-writer.ts'), join(home.dir), 'default', PASSPHRASE, '500'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let reported = -1;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  let buffer = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, signal) => resolve(signal)),
  );
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const m = /^stored (\d+)$/.exec(line);
      if (m) {
        reported = Number(m[1]);
        if (reported === killAfter) child.kill('SIGKILL');
      }
      nl = buffer.indexOf('\n');
    }
  });
  const signal = await exited;
  expect(stderr).toBe('');
  expect(signal).toBe('SIGKILL');
  expect(reported).toBeGreaterThanOrEqual(killAfter);

  const log = await runPvt(['log', '--self', '--json', '--limit', '10000'], { env: home.env });
  expect(log.stderr).toBe('');
  const bodies = (JSON.parse(log.stdout) as { body: string }[]).map((m) => m.body);
  // Every reported note is present, each exactly once, in order. Notes stored after the last line the
  // test read may also be there (they were durable before the kill landed), never a gap or a duplicate.
  expect(bodies.length).toBeGreaterThanOrEqual(reported + 1);
  expect(bodies.length).toBeLessThanOrEqual(500);
  expect(bodies).toEqual(bodies.map((_, i) => `crash-note-${i}`));
}, 90_000);

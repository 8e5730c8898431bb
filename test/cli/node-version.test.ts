/**
 * bin/pvt.js on an old Node: exits 1 with a clear message. Uses the machine's own node when it is older
 * than 22.12 (CI machines ship Node 20); otherwise the test is skipped with the reason printed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import { runPvt } from '../helpers/cli.ts';

function oldSystemNode(): { path: string; version: string } | undefined {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) return { path, version };
  }
  return undefined;
}

const old = oldSystemNode();
if (!old) console.log('skip: no Node older than 22.12 on this machine to test the version check with');

test.skipIf(!old)('an old Node gets a clear message and exit 1', async () => {
  const r = await runPvt(['--version'], { node: old?.path as string });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`Node.js ${old?.version} is too old`);
  expect(r.stderr).toContain('22.12');
});

/**
 * The manual page: groff renders it without a warning (an unknown escape such as `\(el`, a raw
 * non-ASCII character), and it names every command `pvt --help` lists. Skips with the reason when groff
 * is not installed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runPvt } from '../helpers/cli.ts';

const MAN = join(ROOT, 'man', 'pvt.1');
const groff = spawnSync('groff', ['--version'], { encoding: 'utf8' });
const skip = groff.status === 0 ? null : 'groff not installed (Debian package groff-base)';
if (skip) console.log(`test/cli/manual.test.ts: groff check skipped: ${skip}`);

describe('man/pvt.1', () => {
  test.skipIf(skip !== null)('groff -ww renders it without warnings', () => {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', MAN], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  test('names every command that pvt --help lists', async () => {
    const help = (await runPvt(['--help'])).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1] as string);
    expect(commands.length).toBeGreaterThan(10);
    const man = readFileSync(MAN, 'utf8');
    for (const c of commands) expect(man, c).toMatch(new RegExp(`^\\.B (pvt )?${c}\\b`, 'm'));
  });
});

/**
 * CLI parsing through the real binary: version, help, unknown commands and flags, missing arguments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runPvt, tempHome } from '../helpers/cli.ts';

const home = tempHome();
afterAll(() => home.cleanup());
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('pvt usage', () => {
  test('--version prints the package version', async () => {
    const r = await runPvt(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('--help lists every command and the global flags', async () => {
    const r = await runPvt(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['chat', 'init', 'whoami', 'note', 'log'])
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    for (const flag of ['--home', '--profile', '--passphrase-file', '--json', '--no-color', '--log-level']) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('<command> --help shows that command', async () => {
    const r = await runPvt(['log', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pvt log --self');
    expect(r.stdout).toContain('--limit N');
  });

  test('an unknown command exits 2 with a hint', async () => {
    const r = await runPvt(['frobnicate'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toContain('pvt --help');
  });

  test('an unknown flag exits 2 and names the flag', async () => {
    const r = await runPvt(['whoami', '--frob'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frob');
  });

  test('a bad --log-level value exits 2', async () => {
    const r = await runPvt(['whoami', '--log-level', 'loud'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('loud');
  });

  test('note without text exits 2', async () => {
    const r = await runPvt(['note'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing TEXT');
  });

  test('init without --name exits 2', async () => {
    const r = await runPvt(['init'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--name');
  });

  test('commands on a profile without an identity exit 3 and say what to do', async () => {
    const r = await runPvt(['whoami'], { env: home.env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('pvt init');
  });

  test('chat without a terminal refuses with exit 2 instead of hanging', async () => {
    const r = await runPvt(['chat'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs a terminal');
  });
});

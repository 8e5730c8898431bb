/**
 * Shell completion generated from the command table, exercised in a real interactive bash (`bash -ic`)
 * the way readline calls it (COMP_WORDS/COMP_CWORD, then the function `complete -p pvt` names):
 * `pvt inv<TAB>` gives `invite`; `pvt send <TAB>` gives the running daemon's contact names (a name
 * with a space quoted, a name with `$(…)` never executed); without a daemon it gives nothing and never
 * asks for a passphrase. Every command of `pvt --help` is offered. zsh and fish scripts parse, and fish
 * completes for real (`complete -C`), when those shells are installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DaemonProcess, startDaemon } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt, tempHome } from '../helpers/cli.ts';
import { pathWith } from './pack.ts';
import { init, pair } from './people.ts';

const alice = tempHome('alice passphrase 1');
const bob = tempHome('bob passphrase 22');
const carol = tempHome('carol passphrase 333');
const lonely = tempHome('lonely passphrase 4444');
let daemon: DaemonProcess | undefined;
// A `pvt` on PATH for the scripts (they call `command pvt completion --contacts`).
const binDir = mkdtempSync(join(tmpdir(), 'pvt-completion-bin-'));
const scripts = mkdtempSync(join(tmpdir(), 'pvt-completion-scripts-'));
const EVIL = 'Eve $(touch pwned)';

beforeAll(async () => {
  writeFileSync(join(binDir, 'pvt'), `#!/bin/sh\nexec '${process.execPath}' '${PVT_BIN}' "$@"\n`, {
    mode: 0o755,
  });
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runPvt(['completion', shell]);
    expect(r.code).toBe(0);
    writeFileSync(join(scripts, `pvt.${shell}`), r.stdout);
  }
  await init(alice, 'Alice');
  await init(bob, 'Bob');
  await init(carol, 'Carol');
  await init(lonely, 'Lonely');
  await pair(alice, bob, { inviterAlias: 'Alice', joinerAlias: 'Bob Builder' });
  await pair(alice, carol, { inviterAlias: 'Alice', joinerAlias: EVIL });
  daemon = await startDaemon(alice.env);
}, 120_000);

afterAll(async () => {
  if (daemon) {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  }
  for (const h of [alice, bob, carol, lonely]) h.cleanup();
  rmSync(binDir, { recursive: true, force: true });
  rmSync(scripts, { recursive: true, force: true });
});

/** What bash offers for `line` (the cursor at its end), computed by the registered completion function. */
function bashComplete(line: string, env: Record<string, string>, cwd = tmpdir()): string[] {
  const program = `source ${join(scripts, 'pvt.bash')}
read -ra COMP_WORDS <<< ${JSON.stringify(line)}
${line.endsWith(' ') ? 'COMP_WORDS+=("")' : ':'}
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}
fn=$(complete -p pvt | sed -n 's/.*-F \\([^ ]*\\) pvt$/\\1/p')
"$fn"; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-ic', program], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, ...env, PATH: pathWith(binDir), HOME: cwd },
    input: '',
    timeout: 20_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('bash', () => {
  test('pvt inv<TAB> completes to invite; pvt <TAB> offers every command of pvt --help', async () => {
    expect(bashComplete('pvt inv', alice.env)).toEqual(['invite']);
    const all = bashComplete('pvt ', alice.env);
    const help = (await runPvt(['--help'])).stdout;
    const section = help.slice(help.indexOf('Commands'), help.indexOf('Global flags'));
    const listed = [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
    expect(all.sort()).toEqual([...listed].sort());
    expect(all).toContain('completion');
  });

  test("pvt send <TAB> offers the daemon's contacts, quoted; a $(…) in a name is not run", () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pvt-completion-cwd-'));
    try {
      const offered = bashComplete('pvt send ', alice.env, cwd);
      expect(offered.sort()).toEqual(['Bob\\ Builder', 'Eve\\ \\$\\(touch\\ pwned\\)']);
      expect(bashComplete('pvt send Bo', alice.env, cwd)).toEqual(['Bob\\ Builder']);
      expect(bashComplete('pvt send Bob hel', alice.env, cwd)).toEqual([]);
      expect(bashComplete('pvt log ', alice.env, cwd)).toHaveLength(2);
      expect(existsSync(join(cwd, 'pwned'))).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('without a daemon, pvt send <TAB> offers nothing and asks for nothing', () => {
    // lonely has a passphrase-protected profile and no daemon; no passphrase file in the environment.
    const started = Date.now();
    expect(bashComplete('pvt send ', { PVT_HOME: lonely.dir })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('flags complete per command, and a flag value by its kind', () => {
    expect(bashComplete('pvt remove --y', alice.env)).toEqual(['--yes']);
    expect(bashComplete('pvt --log-level w', alice.env)).toEqual(['warn']);
    expect(bashComplete('pvt completion ', alice.env).sort()).toEqual(['bash', 'fish', 'zsh']);
    // --home's value is not taken for the command.
    expect(bashComplete(`pvt --home ${alice.dir} inv`, {})).toEqual(['invite']);
  });
});

const hasZsh = spawnSync('zsh', ['--version']).status === 0;
const hasFish = spawnSync('fish', ['--version']).status === 0;
if (!hasZsh || !hasFish) console.log('skip: zsh or fish not installed (.ci/run installs them)');

test.skipIf(!hasZsh)('the zsh script parses', () => {
  const r = spawnSync('zsh', ['-n', join(scripts, 'pvt.zsh')], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test.skipIf(!hasFish)("fish completes pvt inv<TAB> and the daemon's contacts", () => {
  const home = mkdtempSync(join(tmpdir(), 'pvt-fish-home-'));
  try {
    const complete = (line: string) => {
      const r = spawnSync(
        'fish',
        ['--no-config', '-c', `source ${join(scripts, 'pvt.fish')}; complete -C ${JSON.stringify(line)}`],
        { encoding: 'utf8', env: { ...process.env, ...alice.env, PATH: pathWith(binDir), HOME: home } },
      );
      expect(r.stderr).toBe('');
      return r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t')[0]);
    };
    expect(complete('pvt inv')).toEqual(['invite']);
    expect(complete('pvt send ').sort()).toEqual(['Bob Builder', EVIL]);
    expect(existsSync(join(home, 'pwned'))).toBe(false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

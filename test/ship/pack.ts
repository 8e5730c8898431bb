/**
 * Helpers for the packaging tests: `npm pack` of this tree (the bundle preflight built; no scripts run,
 * so a test never rebuilds dist/ under another test's feet) and a global install of the tarball into a
 * temporary prefix, offline from npm's cache where it can.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

/** The directory of the Node running the tests (Node 24), to put first on PATH for `#!/usr/bin/env node`. */
export const NODE_DIR = dirname(process.execPath);

/** PATH with the project's Node first, then `extra` directories, then the system's. */
export function pathWith(...extra: string[]): string {
  return [NODE_DIR, ...extra, process.env.PATH ?? ''].join(delimiter);
}

/** Packs the tree into a fresh directory; returns the tarball's path. */
export function packTarball(): string {
  if (!existsSync(join(ROOT, 'dist', 'pvt.mjs')))
    throw new Error('dist/pvt.mjs is missing: run npm run build');
  const dir = mkdtempSync(join(tmpdir(), 'pvt-pack-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: pathWith() },
  });
  const [info] = JSON.parse(out) as { filename: string }[];
  return join(dir, (info as { filename: string }).filename);
}

/** The file list of a tarball. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
}

/**
 * The npm command a global install runs; Homebrew's `std_npm_args` expands to the same flags
 * (`--prefix`, `--global`, `--build-from-source`, `--cache`, `--ignore-scripts`... see Formula/pvt.rb).
 */
export function npmGlobalInstall(tarball: string, prefix: string, extra: readonly string[] = []): void {
  const r = spawnSync(
    'npm',
    [
      'install',
      '--global',
      `--prefix=${prefix}`,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...extra,
      tarball,
    ],
    { encoding: 'utf8', env: { ...process.env, PATH: pathWith() } },
  );
  if (r.status !== 0) throw new Error(`npm install -g failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/**
 * The single executable for tests: built once per run by `npm run build:binary -- --reuse` (from the
 * bundle preflight built) unless dist-bin/ already holds one newer than its inputs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

export const BINARY = join(ROOT, 'dist-bin', `pvt-${process.platform}-${process.arch}`);

export function ensureBinary(): string {
  const inputs = [
    join(ROOT, 'dist', 'pvt.mjs'),
    join(ROOT, 'scripts', 'sea-main.cjs'),
    join(ROOT, 'scripts', 'build-binary.mjs'),
  ];
  const fresh =
    existsSync(BINARY) &&
    inputs.every((f) => existsSync(f) && statSync(f).mtimeMs <= statSync(BINARY).mtimeMs);
  if (!fresh) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-binary.mjs'), '--reuse'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  return BINARY;
}

#!/usr/bin/env node
// Rewrites Formula/pvt.rb's `url` (to this package.json's version) and `sha256` (of the tarball `npm pack`
// makes now — the one `npm publish` would upload). Prints the tarball's name and its sha256.
//   --formula FILE     another formula file (tests use a copy)
//   --ignore-scripts   pack the dist/ already built instead of rebuilding it (prepack)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const at = argv.indexOf('--formula');
const formula = at >= 0 ? argv[at + 1] : join(root, 'Formula', 'pvt.rb');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const dir = mkdtempSync(join(tmpdir(), 'pvt-formula-'));
try {
  const args = ['pack', '--json', '--pack-destination', dir];
  if (argv.includes('--ignore-scripts')) args.push('--ignore-scripts');
  const [info] = JSON.parse(execFileSync('npm', args, { cwd: root, encoding: 'utf8' }));
  const sha256 = createHash('sha256')
    .update(readFileSync(join(dir, info.filename)))
    .digest('hex');
  const url = `https://registry.npmjs.org/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`;
  const before = readFileSync(formula, 'utf8');
  const after = before
    .replace(/^(\s*url\s+)"[^"]*"/m, `$1"${url}"`)
    .replace(/^(\s*sha256\s+)"[0-9a-f]*"/m, `$1"${sha256}"`);
  writeFileSync(formula, after);
  console.log(`${info.filename} ${sha256}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

#!/usr/bin/env node
// `npm run bench [-- name…]`: runs every bench/**/*.ts (or those whose path contains a given name) with
// the project's Node 24. Benchmarks print ratios against baselines measured in the same run; they never
// assert timings.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'bench');
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.ts') && !name.startsWith('_')) files.push(p);
  }
};
walk(benchDir);
const filters = process.argv.slice(2);
const chosen = filters.length
  ? files.filter((f) => filters.some((n) => relative(benchDir, f).includes(n)))
  : files;
let failed = 0;
for (const f of chosen) {
  console.log(`\n== bench/${relative(benchDir, f)}`);
  const r = spawnSync(process.execPath, [f], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

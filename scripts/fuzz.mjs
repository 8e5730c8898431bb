#!/usr/bin/env node
// `npm run fuzz`: the decoder fuzz suites (test/**/*.fuzz.test.ts) with PVT_FUZZ_RUNS inputs per decoder
// (default 100,000; `npm test` runs the same suites with a few thousand).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const runs = process.env.PVT_FUZZ_RUNS ?? '100000';
const r = spawnSync(
  join(root, 'node_modules', '.bin', 'vitest'),
  ['run', '--testTimeout=0', 'fuzz', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PVT_FUZZ_RUNS: runs },
  },
);
process.exit(r.status ?? 1);

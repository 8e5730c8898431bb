#!/usr/bin/env node
// Preflight for `npm test`: formatting and lint (Biome, warnings fail), the layer rules of DESIGN §2
// (scripts/import-rules.mjs), strict typecheck of src + tests, and a fresh build of the bundle
// dist/pvt.mjs so process tests run the code in this tree.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const steps = [
  ['lint + format', bin('biome'), ['check', '--error-on-warnings', '.']],
  ['import rules', process.execPath, [join(root, 'scripts', 'import-rules.mjs')]],
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['build', process.execPath, [join(root, 'scripts', 'build.mjs')]],
];
for (const [name, cmd, args] of steps) {
  process.stdout.write(`preflight: ${name}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stdout.write(`preflight: ${name} failed\n`);
    process.exit(1);
  }
}

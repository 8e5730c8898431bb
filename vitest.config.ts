import { defineConfig } from 'vitest/config';

// The tests must run on Node ≥ 22.12 (npm test uses the project's Node 24): on an older Node the
// node:crypto fast paths are missing and the suite would silently test only the noble fallbacks.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  throw new Error(
    `pvt tests need Node ≥ 22.12, this is ${process.version}: run "npm test" (it uses the project's Node 24)`,
  );
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Process, tmux and lab tests start real programs; keep parallelism modest on 2-core machines.
    maxWorkers: 2,
    // Every run behaves like the CI machine's (libraries such as Ink read CI at import time), so a
    // difference between a developer's shell and CI shows up here first.
    // PVT_PORT_MAPPING=0: no test process asks this machine's real router for a mapping; the natlab
    // tests set it back to 1 inside their network namespaces.
    env: { CI: 'true', PVT_PORT_MAPPING: '0' },
  },
});

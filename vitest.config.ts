import { defineConfig } from 'vitest/config';

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

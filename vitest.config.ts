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
    env: { CI: 'true' },
  },
});

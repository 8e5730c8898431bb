/**
 * bench/startup: how long pvt takes to start, against a bare `node -e 0` spawned the same way in the
 * same run (runs interleaved, medians compared):
 *   - `pvt --version`, spawn to exit (goal: ≤ node -e 0 + 60 ms);
 *   - `pvt chat` on a fresh profile in a pseudo-terminal (`script`), spawn to the first onboarding frame
 *     (goal: ≤ node -e 0 + 300 ms);
 *   - the same first frame with the compile cache off (what the very first start after an install costs).
 * Also CPU time (Linux, from /proc): node -e 0's own, and pvt's processes' at the first frame — the
 * figure to read when the machine is loaded and wall times stretch.
 * Runs bin/pvt.js → dist/pvt.mjs (the bundle the npm package ships; `npm run build` first) with a
 * private XDG_CACHE_HOME, warmed by one untimed run. Ends with one JSON line.
 * Run: npm run bench -- startup   (PVT_BENCH_RUNS=N, default 9)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, nodeSelfCpuScript, round1, round2, timeCommand } from './_spawn-timing.ts';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.PVT_BENCH_RUNS ?? 9);
const GOAL_VERSION_OVER_MS = 60;
const GOAL_FRAME_OVER_MS = 300;

if (!existsSync(join(root, 'dist', 'pvt.mjs'))) {
  console.error('bench/startup: dist/pvt.mjs is missing; run "npm run build" first');
  process.exit(1);
}

const node = process.execPath;
const pvt = join(root, 'bin', 'pvt.js');
const cache = mkdtempSync(join(tmpdir(), 'pvt-bench-cache-'));
const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_CACHE_HOME: cache,
  TERM: 'xterm-256color',
  COLUMNS: '100',
  LINES: '30',
};
delete baseEnv.NODE_COMPILE_CACHE;
delete baseEnv.NODE_DISABLE_COMPILE_CACHE;
const firstFrame = (out: string) => /display name/i.test(out);

async function chatFrame(env: NodeJS.ProcessEnv): Promise<{ ms: number; cpuMs: number | undefined }> {
  const home = mkdtempSync(join(tmpdir(), 'pvt-bench-home-'));
  try {
    const r = await timeCommand([node, pvt, 'chat'], {
      env: { ...env, PVT_HOME: home },
      pty: true,
      done: firstFrame,
    });
    return { ms: r.ms, cpuMs: r.cpuMs };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// Warm-up: fills the compile cache the way a user's first run does.
await timeCommand([node, pvt, '--version'], { env: baseEnv });
await chatFrame(baseEnv);

const s = {
  node: [] as number[],
  nodePty: [] as number[],
  version: [] as number[],
  frame: [] as number[],
  cold: [] as number[],
  nodeCpu: [] as number[],
  frameCpu: [] as number[],
};
for (let i = 0; i < RUNS; i++) {
  s.node.push((await timeCommand([node, '-e', '0'], { env: baseEnv })).ms);
  s.version.push((await timeCommand([node, pvt, '--version'], { env: baseEnv })).ms);
  s.nodePty.push((await timeCommand([node, '-e', '0'], { env: baseEnv, pty: true })).ms);
  const frame = await chatFrame(baseEnv);
  s.frame.push(frame.ms);
  if (frame.cpuMs !== undefined) s.frameCpu.push(frame.cpuMs);
  s.cold.push((await chatFrame({ ...baseEnv, NODE_DISABLE_COMPILE_CACHE: '1' })).ms);
  if (process.platform === 'linux') {
    const self = await timeCommand([node, '-e', nodeSelfCpuScript()], { env: baseEnv });
    s.nodeCpu.push(Number(self.output));
  }
}
rmSync(cache, { recursive: true, force: true });

const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, median(v)])) as Record<
  keyof typeof s,
  number
>;
const figures = {
  runs: RUNS,
  nodeMs: round1(m.node),
  versionMs: round1(m.version),
  versionOverNodeMs: round1(m.version - m.node),
  versionRatio: round2(m.version / m.node),
  nodePtyMs: round1(m.nodePty),
  firstFrameMs: round1(m.frame),
  firstFrameOverNodeMs: round1(m.frame - m.nodePty),
  firstFrameRatio: round2(m.frame / m.nodePty),
  firstFrameNoCompileCacheMs: round1(m.cold),
  // CPU time (Linux): what the processes themselves used, nearly unaffected by a loaded machine.
  nodeCpuMs: s.nodeCpu.length > 0 ? round1(m.nodeCpu) : null,
  firstFrameCpuMs: s.frameCpu.length > 0 ? round1(m.frameCpu) : null,
  firstFrameCpuOverNodeMs:
    s.frameCpu.length > 0 && s.nodeCpu.length > 0 ? round1(m.frameCpu - m.nodeCpu) : null,
  goalVersionOverNodeMs: GOAL_VERSION_OVER_MS,
  goalFirstFrameOverNodeMs: GOAL_FRAME_OVER_MS,
  versionGoalMet: m.version - m.node <= GOAL_VERSION_OVER_MS,
  firstFrameGoalMet: m.frame - m.nodePty <= GOAL_FRAME_OVER_MS,
};
console.log(
  `node -e 0                      median ${figures.nodeMs} ms (in a pty: ${figures.nodePtyMs} ms), ${RUNS} runs`,
);
console.log(
  `pvt --version                  median ${figures.versionMs} ms = node + ${figures.versionOverNodeMs} ms (${figures.versionRatio}×; goal + ${GOAL_VERSION_OVER_MS} ms)`,
);
console.log(
  `pvt chat, first frame          median ${figures.firstFrameMs} ms = node + ${figures.firstFrameOverNodeMs} ms (${figures.firstFrameRatio}×; goal + ${GOAL_FRAME_OVER_MS} ms)`,
);
console.log(`first frame, no compile cache  median ${figures.firstFrameNoCompileCacheMs} ms`);
if (figures.firstFrameCpuMs !== null)
  console.log(
    `CPU time: node -e 0 ${figures.nodeCpuMs} ms · pvt chat to its first frame ${figures.firstFrameCpuMs} ms (node + ${figures.firstFrameCpuOverNodeMs} ms)`,
  );
console.log(JSON.stringify({ bench: 'startup', ...figures }));

/**
 * bench/binary: the single executable's size (raw and xz -6 compressed, what a download would weigh)
 * and its start-up against `node -e 0` and against the npm package's launcher (`node bin/pvt.js`), in
 * the same run, interleaved, medians: `--version` (spawn to exit) and `pvt chat` to its first
 * onboarding frame in a pseudo-terminal (wall time, and CPU time at the frame on Linux). Builds
 * dist-bin/ first when missing. Ends with one JSON line.
 * Run: npm run bench -- binary   (PVT_BENCH_RUNS=N, default 9)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinary } from '../test/ship/binary.ts';
import { median, round1, round2, timeCommand } from './_spawn-timing.ts';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.PVT_BENCH_RUNS ?? 9);
const binary = ensureBinary();
const bytes = statSync(binary).size;
const xz = spawnSync('sh', ['-c', `xz -6 -T0 -c '${binary}' | wc -c`], { encoding: 'utf8' });
const xzBytes = xz.status === 0 ? Number(xz.stdout.trim()) : null;

const node = process.execPath;
const cache = mkdtempSync(join(tmpdir(), 'pvt-bench-cache-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_CACHE_HOME: cache,
  TERM: 'xterm-256color',
  COLUMNS: '100',
  LINES: '30',
};
delete env.NODE_COMPILE_CACHE;
const firstFrame = (out: string) => /display name/i.test(out);
const cpu = { bin: [] as number[], npm: [] as number[] };
async function frame(argv: string[], into?: number[]): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'pvt-bench-home-'));
  try {
    const r = await timeCommand(argv, { env: { ...env, PVT_HOME: home }, pty: true, done: firstFrame });
    if (into && r.cpuMs !== undefined) into.push(r.cpuMs);
    return r.ms;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
const npmPvt = [node, join(root, 'bin', 'pvt.js')];
// Warm-up (fills the compile caches).
await timeCommand([binary, '--version'], { env });
await frame([binary, 'chat']);
await frame([...npmPvt, 'chat']);

const s = {
  node: [] as number[],
  binVersion: [] as number[],
  npmVersion: [] as number[],
  nodePty: [] as number[],
  binFrame: [] as number[],
  npmFrame: [] as number[],
};
for (let i = 0; i < RUNS; i++) {
  s.node.push((await timeCommand([node, '-e', '0'], { env })).ms);
  s.binVersion.push((await timeCommand([binary, '--version'], { env })).ms);
  s.npmVersion.push((await timeCommand([...npmPvt, '--version'], { env })).ms);
  s.nodePty.push((await timeCommand([node, '-e', '0'], { env, pty: true })).ms);
  s.binFrame.push(await frame([binary, 'chat'], cpu.bin));
  s.npmFrame.push(await frame([...npmPvt, 'chat'], cpu.npm));
}
rmSync(cache, { recursive: true, force: true });
const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, median(v)])) as Record<
  keyof typeof s,
  number
>;
const figures = {
  runs: RUNS,
  binary: binary.slice(root.length),
  bytes,
  megabytes: round1(bytes / 1e6),
  xzMegabytes: xzBytes === null ? null : round1(xzBytes / 1e6),
  nodeMs: round1(m.node),
  binaryVersionMs: round1(m.binVersion),
  npmVersionMs: round1(m.npmVersion),
  binaryVersionRatio: round2(m.binVersion / m.node),
  npmVersionRatio: round2(m.npmVersion / m.node),
  nodePtyMs: round1(m.nodePty),
  binaryFirstFrameMs: round1(m.binFrame),
  npmFirstFrameMs: round1(m.npmFrame),
  binaryFirstFrameRatio: round2(m.binFrame / m.nodePty),
  npmFirstFrameRatio: round2(m.npmFrame / m.nodePty),
  // CPU time at the first frame (Linux, /proc): the load-proof comparison of the two.
  binaryFirstFrameCpuMs: cpu.bin.length > 0 ? round1(median(cpu.bin)) : null,
  npmFirstFrameCpuMs: cpu.npm.length > 0 ? round1(median(cpu.npm)) : null,
};
console.log(`${figures.binary}: ${figures.megabytes} MB (xz: ${figures.xzMegabytes ?? '?'} MB)`);
console.log(
  `--version      node -e 0 ${figures.nodeMs} ms · executable ${figures.binaryVersionMs} ms (${figures.binaryVersionRatio}×) · npm launcher ${figures.npmVersionMs} ms (${figures.npmVersionRatio}×)`,
);
console.log(
  `first frame    node -e 0 in a pty ${figures.nodePtyMs} ms · executable ${figures.binaryFirstFrameMs} ms (${figures.binaryFirstFrameRatio}×) · npm launcher ${figures.npmFirstFrameMs} ms (${figures.npmFirstFrameRatio}×)`,
);
console.log(JSON.stringify({ bench: 'binary', ...figures }));

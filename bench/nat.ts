/**
 * bench/nat: time to verdict of `pvt nat --json` per method in the natlab (../shared/natlab): each
 * method forced in turn from home1, the default order from home1, and home2 (no mapping service) —
 * median of a few runs, the method's own time and the whole command (process start included).
 * Printed, never asserted; skipped with the reason when the lab cannot run here.
 * Run: npm run bench -- nat
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const NATLAB = join(ROOT, '..', 'shared', 'natlab', 'natlab.sh');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const RUNS = Number(process.env.PVT_BENCH_RUNS ?? 5);
const env = { ...process.env, NATLAB_PREFIX: 'pvtnatbench-', PVT_PORT_MAPPING: '1' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const pre = spawnSync(NATLAB, ['preflight'], { encoding: 'utf8', env });
if (pre.error || pre.status !== 0) {
  console.log(`skipped: ${pre.error?.message ?? pre.stderr.trim()}`);
  process.exit(0);
}
execFileSync(NATLAB, ['up'], { env, stdio: 'ignore' });
try {
  const cases: [string, string, string[]][] = [
    ['pcp (home1)', 'home1', ['--nat-method', 'pcp']],
    ['natpmp (home1)', 'home1', ['--nat-method', 'natpmp']],
    ['upnp (home1)', 'home1', ['--nat-method', 'upnp']],
    ['default order (home1)', 'home1', []],
    ['unreachable (home2)', 'home2', []],
  ];
  console.log(`median of ${RUNS} runs: diagnosis ms (inside pvt) / whole command ms`);
  for (const [label, node, extra] of cases) {
    const inner: number[] = [];
    const whole: number[] = [];
    let verdict = '';
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const out = execFileSync(
        NATLAB,
        ['exec', node, process.execPath, MAIN, 'nat', '--json', '--port', '40200', ...extra],
        {
          env,
          encoding: 'utf8',
        },
      );
      whole.push(performance.now() - t);
      const r = JSON.parse(out) as { ms: number; verdict: string };
      inner.push(r.ms);
      verdict = r.verdict;
    }
    console.log(
      `${label.padEnd(24)} ${verdict.padEnd(12)} ${median(inner).toFixed(0).padStart(6)} / ${median(whole).toFixed(0).padStart(6)}`,
    );
  }
} finally {
  execFileSync(NATLAB, ['down'], { env, stdio: 'ignore' });
}

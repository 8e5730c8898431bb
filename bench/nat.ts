/**
 * bench/nat: time to verdict of `pvt nat --json` per method in the natlab (../shared/natlab): each
 * method forced in turn from home1, the default order from home1, STUN classification, and home2 (no
 * mapping service) — median of a few runs, the method's own time and the whole command (process start
 * included). Then a daemon on home1: time until it serves with port mapping on, as a ratio to the same
 * with --no-port-mapping (start-up must not wait on NAT), and time from serving to the verdict.
 * Printed, never asserted; skipped with the reason when the lab cannot run here.
 * Run: npm run bench -- nat
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    ['with STUN ×2 (home1)', 'home1', ['--stun', '203.0.113.2:3478', '--stun', '203.0.113.3:3479']],
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
  await daemonStartup();
} finally {
  execFileSync(NATLAB, ['down'], { env, stdio: 'ignore' });
}

/** One `pvt daemon` on home1: ms until it serves, and ms from then until `pvt status` has a verdict. */
async function daemonOnce(home: Record<string, string>, flags: string[]): Promise<[number, number]> {
  const t = performance.now();
  const child = spawn(
    NATLAB,
    ['exec', 'home1', process.execPath, MAIN, 'daemon', '--port', '40210', ...flags],
    {
      env: { ...env, ...home },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('serving')) resolve();
    });
    child.on('exit', () => reject(new Error(`daemon exited: ${stderr}`)));
  });
  const serving = performance.now() - t;
  let verdictMs = Number.NaN;
  for (;;) {
    const out = execFileSync(process.execPath, [MAIN, 'status', '--json'], {
      env: { ...env, ...home },
      encoding: 'utf8',
    });
    const state = (JSON.parse(out) as { network: { nat: { state: string } } }).network.nat.state;
    if (state !== 'checking') {
      verdictMs = performance.now() - t - serving;
      break;
    }
  }
  child.kill('SIGTERM');
  await exited;
  return [serving, verdictMs];
}

async function daemonStartup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pvt-bench-nat-'));
  try {
    writeFileSync(join(dir, 'pass'), 'correct horse battery staple\n', { mode: 0o600 });
    const home = { PVT_HOME: join(dir, 'home'), PVT_PASSPHRASE_FILE: join(dir, 'pass') };
    execFileSync(process.execPath, [MAIN, 'init', '--name', 'Bench'], {
      env: { ...env, ...home },
      stdio: 'ignore',
    });
    const on: number[] = [];
    const off: number[] = [];
    const verdict: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [s1, v] = await daemonOnce(home, ['--no-mdns']);
      on.push(s1);
      verdict.push(v);
      off.push((await daemonOnce(home, ['--no-mdns', '--no-port-mapping']))[0]);
    }
    console.log(
      `daemon on home1: serving after ${median(on).toFixed(0)} ms with port mapping, ${median(off).toFixed(0)} ms without ` +
        `(ratio ${(median(on) / median(off)).toFixed(2)}); verdict ${median(verdict).toFixed(0)} ms after serving (incl. one pvt status)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * bench/startup: time from spawning `pvt chat` (fresh profile, in a pseudo-terminal via `script`) to its
 * first rendered onboarding frame, against `node -e 0` spawned the same way in the same run. Prints the
 * medians and the ratio. Run: npm run bench -- startup
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.PVT_BENCH_RUNS ?? 7);

/** Milliseconds until `done(output)` is true, or until the process exits when `done` is null. */
function timeUntil(
  command: string,
  done: ((out: string) => boolean) | null,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      child.kill('SIGKILL');
      resolve(ms);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (done?.(out)) finish();
    });
    child.on('close', () => {
      if (!finished) {
        if (done === null || done(out)) finish();
        else reject(new Error(`no frame; output was: ${out.slice(0, 400)}`));
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const node = process.execPath;
const baseline: number[] = [];
const pvt: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(await timeUntil(`${node} -e 0`, null, process.env));
  const home = mkdtempSync(join(tmpdir(), 'pvt-bench-'));
  const env = { ...process.env, PVT_HOME: home, TERM: 'xterm-256color', COLUMNS: '100', LINES: '30' };
  pvt.push(
    await timeUntil(`${node} ${join(root, 'bin', 'pvt.js')} chat`, (out) => /display name/i.test(out), env),
  );
  rmSync(home, { recursive: true, force: true });
}
const b = median(baseline);
const p = median(pvt);
console.log(`node -e 0 (spawn to exit)          median ${b.toFixed(1)} ms over ${RUNS} runs`);
console.log(`pvt chat (spawn to first frame)    median ${p.toFixed(1)} ms over ${RUNS} runs`);
console.log(`ratio pvt first frame / node -e 0: ${(p / b).toFixed(2)}×`);

/**
 * bench/tui: `pvt chat` start-to-frame (spawned in a pseudo-terminal via `script`, until the newest note
 * is drawn) and a page turn (PgUp written to the terminal, until the page is redrawn), for a profile with
 * 5,000 notes against one with 200 in the same run. Goal: ratios ≤ 1.5 (opening and paging never read a
 * whole conversation). Prints medians and ratios, then one JSON line. Run: npm run bench -- tui
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.PVT_BENCH_RUNS ?? 5);
// Fewer page turns than the 200-note conversation holds (20 rows a page): each one redraws.
const TURNS = 8;
const PASS = 'bench tui passphrase';

function profile(count: number): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), `pvt-bench-tui-${count}-`));
  const pass = `${dir}.pass`;
  writeFileSync(pass, `${PASS}\n`, { mode: 0o600 });
  const env = { ...process.env, PVT_HOME: dir, PVT_PASSPHRASE_FILE: pass, TERM: 'xterm-256color' };
  execFileSync(process.execPath, [join(root, 'bin/pvt.js'), 'init', '--name', 'Bench'], {
    env,
    stdio: 'ignore',
  });
  const seeder = join(root, 'test/helpers/seed-notes.ts');
  execFileSync(process.execPath, [seeder, dir, 'default', PASS, String(count)], { env, stdio: 'ignore' });
  return { dir, env };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

async function run(count: number, env: NodeJS.ProcessEnv): Promise<{ start: number; turn: number }> {
  const command = `stty cols 100 rows 30; exec ${process.execPath} ${join(root, 'bin/pvt.js')} chat --loopback --no-mdns`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  let waiter: { test: RegExp; resolve: () => void } | null = null;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (waiter?.test.test(out)) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  });
  const until = (test: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      if (test.test(out)) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`bench/tui: no ${test} in:\n${out.slice(-500)}`)),
        30_000,
      );
      waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  const t0 = process.hrtime.bigint();
  await until(new RegExp(`seed note ${count}\\D`, 'u'));
  const start = ms(t0);
  // Let start-up finish (the terminal queries, the settings read) before timing keys.
  await new Promise((r) => setTimeout(r, 3000));
  const turns: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    await new Promise((r) => setTimeout(r, 80));
    out = '';
    const t = process.hrtime.bigint();
    child.stdin.write('\u001b[5~');
    await until(/seed note \d+/u);
    turns.push(ms(t));
  }
  child.stdin.write('\u0003');
  await new Promise((r) => child.on('close', r));
  return { start, turn: median(turns) };
}

const small = profile(200);
const large = profile(5000);
try {
  const starts: Record<'s' | 'l', number[]> = { s: [], l: [] };
  const turns: Record<'s' | 'l', number[]> = { s: [], l: [] };
  for (let i = 0; i < RUNS; i++) {
    const a = await run(200, small.env);
    starts.s.push(a.start);
    turns.s.push(a.turn);
    const b = await run(5000, large.env);
    starts.l.push(b.start);
    turns.l.push(b.turn);
  }
  const figures = {
    bench: 'tui',
    runs: RUNS,
    start200Ms: Math.round(median(starts.s)),
    start5000Ms: Math.round(median(starts.l)),
    startRatio: Number((median(starts.l) / median(starts.s)).toFixed(2)),
    pageTurn200Ms: Number(median(turns.s).toFixed(1)),
    pageTurn5000Ms: Number(median(turns.l).toFixed(1)),
    pageTurnRatio: Number((median(turns.l) / median(turns.s)).toFixed(2)),
    goalRatio: 1.5,
  };
  console.log(`start-to-frame: 200 notes ${figures.start200Ms} ms, 5,000 notes ${figures.start5000Ms} ms`);
  console.log(`page turn: 200 notes ${figures.pageTurn200Ms} ms, 5,000 notes ${figures.pageTurn5000Ms} ms`);
  console.log(JSON.stringify(figures));
} finally {
  for (const p of [small, large]) {
    rmSync(p.dir, { recursive: true, force: true });
    rmSync(`${p.dir}.pass`, { force: true });
  }
}

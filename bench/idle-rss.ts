/**
 * bench/idle-rss: resident memory of an idle `pvt daemon` (network on loopback, no contacts), read from
 * /proc after it has served for a few seconds, beside `node -e` idling the same time (the runtime's own
 * floor), same run. Goal: ≤ 80 MB. Linux only (reads /proc/PID/status). Ends with one JSON line.
 * Run: npm run bench -- idle-rss
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { PVT_BIN, tempHome } from '../test/helpers/cli.ts';

const IDLE_MS = Number(process.env.PVT_BENCH_IDLE_MS ?? 5_000);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function idleRss(args: string[], env: Record<string, string>, ready: (err: string) => boolean) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${stderr}`)), 30_000);
    if (ready('')) {
      clearTimeout(timer);
      resolve();
    }
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (ready(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stdout.resume();
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  await delay(IDLE_MS);
  const mb = rssMb(child.pid as number);
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return mb;
}

const home = tempHome();
try {
  const init = spawnSync(process.execPath, [PVT_BIN, 'init', '--name', 'Bench'], {
    env: { ...process.env, ...home.env },
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`pvt init failed: ${init.stderr}`);
  const nodeMb = await idleRss(['-e', 'setInterval(() => {}, 1000)'], {}, () => true);
  const daemonMb = await idleRss([PVT_BIN, 'daemon', '--loopback', '--no-mdns'], home.env, (e) =>
    e.includes('pvt daemon: serving'),
  );
  console.log(`node idling (the runtime alone):  ${nodeMb.toFixed(1)} MB`);
  console.log(`pvt daemon idle ${IDLE_MS / 1000} s:             ${daemonMb.toFixed(1)} MB (goal ≤ 80 MB)`);
  console.log(
    JSON.stringify({
      bench: 'idle-rss',
      idle_ms: IDLE_MS,
      node_rss_mb: Number(nodeMb.toFixed(1)),
      daemon_rss_mb: Number(daemonMb.toFixed(1)),
      goal_mb: 80,
    }),
  );
} finally {
  home.cleanup();
}
process.exit(0);

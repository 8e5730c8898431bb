/**
 * Timing helpers shared by the start-up benches (bench/startup.ts, bench/binary.ts): how long a command
 * takes to exit, or to print something, when spawned directly or in a pseudo-terminal (`script`).
 * Wall-clock milliseconds; the benches compare them with a baseline measured in the same run.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Timed {
  readonly ms: number;
  readonly output: string;
  /**
   * CPU time (user + system, ms, 10 ms resolution) the command's processes had used when `done`
   * matched — read from /proc on Linux; undefined elsewhere or when the command had already exited.
   * Unlike wall time it barely changes when other work shares the machine.
   */
  readonly cpuMs: number | undefined;
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU ms of `pid`'s descendants (not `pid` itself: that is `script` for a pty), from /proc. */
export function descendantsCpuMs(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  let total = 0;
  const stack = children(pid);
  while (stack.length > 0) {
    const p = stack.pop() as number;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      // exited meanwhile
    }
    stack.push(...children(p));
  }
  return total;
}

/** CPU ms a bare `node -e` uses, measured by the process itself just before it exits. */
export function nodeSelfCpuScript(): string {
  return "const f=require('fs').readFileSync('/proc/self/stat','utf8').slice(0);const x=f.slice(f.lastIndexOf(')')+2).split(' ');process.stdout.write(String((+x[11]+ +x[12])*10))";
}

/**
 * Milliseconds from spawn until `done(output)` is true (then the process is killed), or until the
 * process exits when `done` is null. `pty` runs the command in a pseudo-terminal through `script`.
 */
export function timeCommand(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; pty?: boolean; done?: ((out: string) => boolean) | null } = {},
): Promise<Timed> {
  const done = options.done ?? null;
  const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  const [cmd, args] = options.pty
    ? ['script', ['-qfec', quoted, '/dev/null']]
    : [argv[0] as string, argv.slice(1)];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const cpuMs = done && child.pid !== undefined ? descendantsCpuMs(child.pid) : undefined;
      child.kill('SIGKILL');
      resolve({ ms, output: out, cpuMs });
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (done?.(out)) finish();
    });
    child.on('error', reject);
    child.on('close', () => {
      if (finished) return;
      if (done === null || done(out)) finish();
      else
        reject(new Error(`${argv.join(' ')}: never printed what was expected; output: ${out.slice(0, 400)}`));
    });
  });
}

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const round2 = (x: number): number => Math.round(x * 100) / 100;

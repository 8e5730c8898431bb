/**
 * Timing helpers shared by the start-up benches (bench/startup.ts, bench/binary.ts): how long a command
 * takes to exit, or to print something, when spawned directly or in a pseudo-terminal (`script`).
 * Wall-clock milliseconds; the benches compare them with a baseline measured in the same run.
 */
import { spawn } from 'node:child_process';

export interface Timed {
  readonly ms: number;
  readonly output: string;
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
      child.kill('SIGKILL');
      resolve({ ms, output: out });
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

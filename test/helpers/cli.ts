/**
 * Runs the real `pvt` binary (bin/pvt.js → dist/) as a child process on the project's Node, for
 * process-level tests. Each test gets its own temporary PVT_HOME.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const PVT_BIN = join(ROOT, 'bin', 'pvt.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  node?: string;
  timeoutMs?: number;
}

export function runPvt(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(options.node ?? process.execPath, [PVT_BIN, ...args], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface TempHome {
  readonly dir: string;
  readonly passFile: string;
  readonly env: Record<string, string>;
  cleanup(): void;
}

/** A fresh data dir plus a passphrase file, with PVT_HOME / PVT_PASSPHRASE_FILE set in `env`. */
export function tempHome(passphrase = 'correct horse battery staple'): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'pvt-test-'));
  const passFile = join(dir, '..', `${dir.split('/').pop()}.pass`);
  writeFileSync(passFile, `${passphrase}\n`, { mode: 0o600 });
  return {
    dir,
    passFile,
    env: { PVT_HOME: dir, PVT_PASSPHRASE_FILE: passFile },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(passFile, { force: true });
    },
  };
}

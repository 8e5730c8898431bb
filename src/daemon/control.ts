/**
 * Controlling a running daemon from another process: ask for its status, ask it to stop and wait until
 * its socket is gone and its process has exited. Knows nothing about argv or output formatting.
 */
import { existsSync } from 'node:fs';
import { type ConnectDaemonOptions, openDaemonConnection } from './client.ts';
import { POLL_INTERVAL_MS, STOP_TIMEOUT_MS } from './constants.ts';
import { DaemonTimeoutError } from './errors.ts';
import { CONTROL_METHODS, type DaemonStatus } from './methods.ts';

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The daemon's status, or undefined when no daemon answers. */
export async function daemonStatus(o: ConnectDaemonOptions): Promise<DaemonStatus | undefined> {
  const conn = await openDaemonConnection(o);
  if (!conn) return undefined;
  try {
    return (await conn.call(CONTROL_METHODS.status)) as DaemonStatus;
  } finally {
    conn.close();
  }
}

/**
 * Asks the daemon to shut down and waits until its socket is removed and its process has exited (so the
 * profile lock is free when this resolves). Undefined when no daemon answers.
 */
export async function stopDaemon(
  o: ConnectDaemonOptions & { readonly stopTimeoutMs?: number },
): Promise<{ pid: number; socket: string } | undefined> {
  const conn = await openDaemonConnection(o);
  if (!conn) return undefined;
  const { pid, paths } = conn;
  try {
    await conn.call(CONTROL_METHODS.stop);
  } finally {
    conn.close();
  }
  const timeoutMs = o.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  while (existsSync(paths.socket) || processAlive(pid)) {
    if (Date.now() > deadline) throw new DaemonTimeoutError(`stopping the daemon (pid ${pid})`, timeoutMs);
    await sleep(POLL_INTERVAL_MS);
  }
  return { pid, socket: paths.socket };
}

/**
 * `pvt daemon --detach`: the parent spawns the daemon as a detached child (own session, no terminal,
 * stdio to /dev/null, cwd /) with an IPC channel; the child reports "ready" or its startup error over
 * that channel and disconnects; the parent returns once the socket answers an authenticated client.
 * Knows nothing about argv parsing (the caller gives the child's command line).
 */
import { spawn } from 'node:child_process';
import { openDaemonConnection } from './client.ts';
import { DETACH_READY_TIMEOUT_MS } from './constants.ts';
import { DaemonStartError, DaemonTimeoutError } from './errors.ts';
import { fromWireError, toWireError, type WireError } from './frames.ts';

/** Set in the child's environment: report readiness over the IPC channel. */
export const DETACH_NOTIFY_ENV = 'PVT_DAEMON_NOTIFY';

type DetachMessage =
  | { readonly pvtDaemon: 'ready'; readonly pid: number; readonly socket: string }
  | { readonly pvtDaemon: 'error'; readonly error: WireError };

/** True in a daemon child started by `spawnDetachedDaemon`. */
export function isDetachedChild(): boolean {
  return process.env[DETACH_NOTIFY_ENV] === 'ipc' && typeof process.send === 'function';
}

function notify(message: DetachMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, (error: Error | null) => {
      if (!error && process.connected) process.disconnect();
      resolve();
    });
  });
}

/** In the child: the socket is up. */
export function notifyReady(socket: string): Promise<void> {
  return notify({ pvtDaemon: 'ready', pid: process.pid, socket });
}

/** In the child: startup failed (the parent prints this error). */
export function notifyFailed(error: unknown): Promise<void> {
  return notify({ pvtDaemon: 'error', error: toWireError(error) });
}

export interface SpawnDetachedOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly profileDir: string;
  /** Where the child logs, for the message when it dies without a word. */
  readonly logFile: string;
  readonly timeoutMs?: number;
}

function isDetachMessage(value: unknown): value is DetachMessage {
  return typeof value === 'object' && value !== null && 'pvtDaemon' in value;
}

/** Starts the daemon in the background; resolves once it serves, rejects with its startup error. */
export async function spawnDetachedDaemon(o: SpawnDetachedOptions): Promise<{ pid: number; socket: string }> {
  const timeoutMs = o.timeoutMs ?? DETACH_READY_TIMEOUT_MS;
  const child = spawn(o.command, [...o.args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...o.env, [DETACH_NOTIFY_ENV]: 'ipc' },
    cwd: '/',
  });
  try {
    const ready = await new Promise<{ pid: number; socket: string }>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(new DaemonTimeoutError('starting the daemon', timeoutMs));
      }, timeoutMs);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        child.removeAllListeners('message');
        child.removeAllListeners('exit');
        fn();
      };
      child.on('message', (message: unknown) => {
        if (!isDetachMessage(message)) return;
        if (message.pvtDaemon === 'ready')
          settle(() => resolve({ pid: message.pid, socket: message.socket }));
        else settle(() => reject(fromWireError(message.error)));
      });
      child.once('exit', (code, signal) =>
        settle(() =>
          reject(new DaemonStartError(`it exited (${signal ?? `code ${code}`}); see ${o.logFile}`)),
        ),
      );
      child.once('error', (error) => settle(() => reject(error)));
    });
    const conn = await openDaemonConnection({ profileDir: o.profileDir });
    if (!conn) throw new DaemonStartError('it reported ready but its socket does not answer');
    conn.close();
    return ready;
  } finally {
    if (child.connected) child.disconnect();
    child.unref();
  }
}

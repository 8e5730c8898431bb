/**
 * Helpers for the daemon tests: a profile in a temp home, a real `pvt daemon` child process (waits for
 * its "serving" line), and a raw socket client that speaks newline-delimited JSON frames by hand.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/daemon/constants.ts';
import { PVT_BIN, runPvt, type TempHome, tempHome } from '../helpers/cli.ts';

export interface Profile {
  readonly home: TempHome;
  readonly dir: string;
  readonly socket: string;
  readonly cookie: string;
}

export async function createProfile(name = 'Ada Daemon'): Promise<Profile> {
  const home = tempHome();
  const r = await runPvt(['init', '--name', name], { env: home.env });
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(0);
  const dir = join(home.dir, 'profiles', 'default');
  return { home, dir, socket: join(dir, 'pvt.sock'), cookie: join(dir, 'daemon.cookie') };
}

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The daemon's network in tests: loopback only, no mDNS on the host's LAN. */
export const TEST_NETWORK_FLAGS = ['--loopback', '--no-mdns'] as const;

/** Starts `pvt daemon` (test network flags) and resolves once it prints its "serving" line. */
export function startDaemon(
  env: Record<string, string>,
  args: readonly string[] = [],
  timeoutMs = 20_000,
): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [PVT_BIN, 'daemon', ...TEST_NETWORK_FLAGS, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pvt daemon did not start within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('pvt daemon: serving')) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid as number, stderr: () => stderr, exited });
      }
    });
    child.stdout.resume();
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`pvt daemon exited (${code ?? signal}) before serving; stderr: ${stderr}`));
    });
  });
}

export type Frame = Record<string, unknown>;

/** A socket client that writes raw bytes and reads newline-delimited JSON frames. */
export class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  #buffer = '';
  #frames: Frame[] = [];
  #waiters: ((frame: Frame | undefined) => void)[] = [];
  #ended = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      for (let nl = this.#buffer.indexOf('\n'); nl !== -1; nl = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#push(JSON.parse(line) as Frame);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.#ended = true;
        for (const w of this.#waiters.splice(0)) w(undefined);
        resolve();
      }),
    );
  }

  static connect(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and authenticates with the cookie in the profile. */
  static async authed(profile: Profile): Promise<RawClient> {
    const c = await RawClient.connect(profile.socket);
    c.send({ auth: readFileSync(profile.cookie, 'utf8').trim(), v: PROTOCOL_VERSION });
    const answer = await c.next();
    expect(answer).toMatchObject({ auth: 'ok', v: PROTOCOL_VERSION });
    return c;
  }

  send(frame: Frame | string | Buffer): void {
    if (typeof frame === 'string' || Buffer.isBuffer(frame)) this.socket.write(frame);
    else this.socket.write(`${JSON.stringify(frame)}\n`);
  }

  /** The next frame, or undefined when the connection closed first. */
  next(timeoutMs = 5_000): Promise<Frame | undefined> {
    const queued = this.#frames.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame within timeout')), timeoutMs);
      this.#waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #push(frame: Frame): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(frame);
    else this.#frames.push(frame);
  }
}

/** Polls until `check` is true (or fails the test with `what`). */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The client side of the daemon socket: `openDaemonConnection` (authenticated request/response and
 * event frames, for control commands such as `pvt stop`) and `connectDaemon`, a PvtApi proxy over it
 * that the CLI and the UI cannot tell from the in-process Pvt — the same methods, the same error codes
 * and messages, the same events. `close()` closes the connection, never the daemon. "No daemon" (no
 * cookie, no socket, a stale socket, a daemon on its way out) is `undefined`, not an error. Knows
 * nothing about argv, the terminal or how the daemon serves the API.
 */
import { createConnection, type Socket } from 'node:net';
import type { PvtApi, PvtEvent } from '../app/api.ts';
import { ClosedError } from '../app/errors.ts';
import { EventHub } from '../app/events.ts';
import {
  CLIENT_CONNECT_TIMEOUT_MS,
  MAX_REQUEST_FRAME_BYTES,
  MAX_RESPONSE_FRAME_BYTES,
  PROTOCOL_VERSION,
} from './constants.ts';
import { DaemonDisconnectedError, DaemonTimeoutError, ProtocolMismatchError } from './errors.ts';
import { type DaemonPaths, daemonPaths, readCookie, socketPathFits } from './files.ts';
import { encodeFrame, FrameDecoder, fromWireError, parseServerFrame, type ServerFrame } from './frames.ts';
import { API_METHODS, type ApiMethod, CONTROL_METHODS } from './methods.ts';

export interface DaemonConnection {
  /** The daemon's process id (from its auth answer). */
  readonly pid: number;
  readonly paths: DaemonPaths;
  readonly closed: boolean;
  /** One request; rejects with the daemon's error (same code and message) or a connection error. */
  call(method: string, params?: readonly unknown[], signal?: AbortSignal): Promise<unknown>;
  onEvent(listener: (event: PvtEvent) => void): () => void;
  /** Called once when the connection ends; `error` is set when it was not closed by `close()`. */
  onClose(listener: (error: Error | undefined) => void): void;
  close(): void;
}

export interface ConnectDaemonOptions {
  /** The profile directory (`<data dir>/profiles/<name>`). */
  readonly profileDir: string;
  readonly timeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Errors of connect() that mean "no daemon here". */
const NO_DAEMON = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ECONNRESET', 'EPIPE']);

function connectSocket(path: string, timeoutMs: number): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DaemonTimeoutError('connecting to the daemon socket', timeoutMs));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (NO_DAEMON.has(error.code ?? '')) resolve(undefined);
      else reject(error);
    });
  });
}

class Link implements DaemonConnection {
  readonly paths: DaemonPaths;
  pid = 0;
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder(MAX_RESPONSE_FRAME_BYTES);
  readonly #pending = new Map<number, Pending>();
  readonly #events = new EventHub();
  readonly #closeListeners: ((error: Error | undefined) => void)[] = [];
  #nextId = 1;
  #closed = false;
  #closedByUs = false;
  /** A connection-level error the daemon sent (or a bad frame it sent) before the connection ended. */
  #fatal: Error | undefined;
  #onFirstFrame: ((frame: ServerFrame | undefined) => void) | undefined;

  constructor(socket: Socket, paths: DaemonPaths) {
    this.#socket = socket;
    this.paths = paths;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {
      // 'close' follows; pending calls are rejected there.
    });
    socket.on('close', () => this.#onClose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends the cookie; resolves true when accepted, false when the connection ended first. */
  authenticate(cookie: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onFirstFrame = undefined;
        this.#socket.destroy();
        reject(new DaemonTimeoutError('the daemon authentication', timeoutMs));
      }, timeoutMs);
      this.#onFirstFrame = (frame) => {
        clearTimeout(timer);
        this.#onFirstFrame = undefined;
        if (frame === undefined) return resolve(false);
        if (frame.kind === 'auth-ok') {
          if (frame.v !== PROTOCOL_VERSION) {
            this.#socket.destroy();
            return reject(new ProtocolMismatchError(PROTOCOL_VERSION, frame.v));
          }
          this.pid = frame.pid;
          return resolve(true);
        }
        this.#socket.destroy();
        if (frame.kind === 'error') return reject(fromWireError(frame.error));
        return resolve(false);
      };
      this.#write({ auth: cookie, v: PROTOCOL_VERSION });
    });
  }

  call(method: string, params: readonly unknown[] = [], signal?: AbortSignal): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(
        this.#closedByUs ? new ClosedError() : (this.#fatal ?? new DaemonDisconnectedError()),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    let bytes: Buffer;
    try {
      bytes = encodeFrame({ id, method, params }, MAX_REQUEST_FRAME_BYTES);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#pending.delete(id);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.#socket.write(bytes);
    });
  }

  onEvent(listener: (event: PvtEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  onClose(listener: (error: Error | undefined) => void): void {
    this.#closeListeners.push(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closedByUs = true;
    this.#socket.destroy();
  }

  #write(frame: Record<string, unknown>): void {
    this.#socket.write(encodeFrame(frame, MAX_REQUEST_FRAME_BYTES));
  }

  #onData(chunk: Buffer): void {
    let frames: ServerFrame[];
    try {
      frames = this.#decoder.push(chunk).map(parseServerFrame);
    } catch (error) {
      this.#fatal = error as Error;
      this.#socket.destroy();
      return;
    }
    for (const frame of frames) this.#onFrame(frame);
  }

  #onFrame(frame: ServerFrame): void {
    if (this.#onFirstFrame) {
      this.#onFirstFrame(frame);
      return;
    }
    switch (frame.kind) {
      case 'event':
        this.#events.emit(frame.event);
        return;
      case 'result':
        this.#settle(frame.id, (p) => p.resolve(frame.result));
        return;
      case 'error':
        if (frame.id === undefined) this.#fatal = fromWireError(frame.error);
        else this.#settle(frame.id, (p) => p.reject(fromWireError(frame.error)));
        return;
      case 'auth-ok':
        return; // only valid as the first frame; ignore a repeat
    }
  }

  #settle(id: number, how: (p: Pending) => void): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    how(pending);
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onFirstFrame?.(undefined);
    const error = this.#closedByUs ? undefined : (this.#fatal ?? new DaemonDisconnectedError());
    for (const pending of this.#pending.values()) pending.reject(error ?? new ClosedError());
    this.#pending.clear();
    for (const listener of this.#closeListeners) {
      try {
        listener(error);
      } catch {
        // A close listener must not break the others.
      }
    }
  }
}

/**
 * Connects and authenticates to the daemon of a profile. Undefined when no daemon answers; rejects when
 * a daemon answers but refuses (wrong cookie, other protocol version) or hangs.
 */
export async function openDaemonConnection(o: ConnectDaemonOptions): Promise<DaemonConnection | undefined> {
  if (process.platform === 'win32') return undefined;
  const paths = daemonPaths(o.profileDir);
  if (!socketPathFits(paths.socket)) return undefined;
  const cookie = readCookie(paths.cookie);
  if (cookie === undefined) return undefined;
  const timeoutMs = o.timeoutMs ?? CLIENT_CONNECT_TIMEOUT_MS;
  const socket = await connectSocket(paths.socket, timeoutMs);
  if (!socket) return undefined;
  const link = new Link(socket, paths);
  return (await link.authenticate(cookie, timeoutMs)) ? link : undefined;
}

/** Splits an AbortSignal out of options objects (it cannot travel) and drops trailing undefined args. */
function prepareArgs(args: readonly unknown[]): { params: unknown[]; signal: AbortSignal | undefined } {
  let signal: AbortSignal | undefined;
  const params = args.map((arg) => {
    if (typeof arg !== 'object' || arg === null || !('signal' in arg)) return arg;
    const { signal: s, ...rest } = arg as { signal?: unknown };
    if (s instanceof AbortSignal) signal = s;
    return rest;
  });
  while (params.length > 0 && params[params.length - 1] === undefined) params.pop();
  return { params, signal };
}

/** Text of the status event a proxy emits when its daemon goes away under it. */
export const DISCONNECTED_STATUS = 'disconnected from the daemon (it stopped?) — restart pvt chat';

/** A PvtApi over an authenticated connection; `close()` closes the connection only. */
export function apiOverConnection(conn: DaemonConnection): PvtApi {
  const hub = new EventHub();
  let listeners = 0;
  conn.onEvent((event) => hub.emit(event));
  conn.onClose((error) => {
    if (error) hub.emit({ type: 'status', text: DISCONNECTED_STATUS });
  });
  const quiet = () => undefined;
  const methods: Partial<Record<ApiMethod, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const name of Object.keys(API_METHODS) as ApiMethod[]) {
    methods[name] = (...args: unknown[]) => {
      const { params, signal } = prepareArgs(args);
      return conn.call(name, params, signal);
    };
  }
  return {
    ...(methods as unknown as Pick<PvtApi, ApiMethod>),
    subscribe(listener: (event: PvtEvent) => void): () => void {
      const off = hub.subscribe(listener);
      if (++listeners === 1 && !conn.closed) conn.call(CONTROL_METHODS.subscribe).catch(quiet);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        off();
        if (--listeners === 0 && !conn.closed) conn.call(CONTROL_METHODS.unsubscribe).catch(quiet);
      };
    },
    async close(): Promise<void> {
      conn.close();
    },
  };
}

/** The profile's daemon as a PvtApi, or undefined when no daemon answers. */
export async function connectDaemon(o: ConnectDaemonOptions): Promise<PvtApi | undefined> {
  const conn = await openDaemonConnection(o);
  return conn ? apiOverConnection(conn) : undefined;
}

/**
 * The daemon's socket server: serves an open PvtApi over the Unix socket `pvt.sock` (0600) in the
 * profile directory to clients that present the cookie of this start (`daemon.cookie`, 0600). Frames,
 * methods and errors are defined in frames.ts and methods.ts; docs/daemon.md describes the protocol.
 * A bad client (malformed or oversize frame, wrong cookie, a reader too slow for its events) loses its
 * own connection only. `start()`/`stop()` are idempotent; `stop()` removes the socket and cookie but
 * does not close the PvtApi (its owner does, after stop: see run.ts). Knows nothing about argv, the
 * terminal or process signals.
 */
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { PvtApi } from '../app/api.ts';
import type { Rng } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import {
  AUTH_TIMEOUT_MS,
  MAX_CLIENT_BACKLOG_BYTES,
  MAX_CLIENTS,
  MAX_INFLIGHT_PER_CLIENT,
  MAX_REQUEST_FRAME_BYTES,
  MAX_RESPONSE_FRAME_BYTES,
  PROTOCOL_VERSION,
} from './constants.ts';
import {
  BadFrameError,
  DaemonAlreadyRunningError,
  DaemonAuthError,
  DaemonBusyError,
  DaemonFullError,
  DaemonStartError,
  ProtocolMismatchError,
  UnknownMethodError,
} from './errors.ts';
import {
  checkSocketPath,
  cookieMatches,
  type DaemonPaths,
  daemonPaths,
  newCookie,
  writeCookie,
} from './files.ts';
import { type ClientFrame, encodeFrame, FrameDecoder, parseClientFrame, toWireError } from './frames.ts';
import { CONTROL_METHODS, checkParams, type DaemonStatus, isApiMethod } from './methods.ts';

export interface DaemonServerInit {
  readonly api: PvtApi;
  readonly profile: string;
  readonly profileDir: string;
  readonly version: string;
  readonly logger: Logger;
  readonly rng: Rng;
  readonly now?: () => number;
  /** Called (once the answer is on its way) when a client sends `daemon.stop`. */
  readonly onStopRequest?: () => void;
}

export interface DaemonServer {
  readonly paths: DaemonPaths;
  /** Replaces a stale socket, writes a new cookie, listens. Rejects when another daemon answers. */
  start(): Promise<void>;
  /** Stops accepting, closes every client, removes the socket and the cookie. */
  stop(): Promise<void>;
  /** Authenticated clients connected now. */
  clientCount(): number;
}

interface Connection {
  readonly socket: Socket;
  readonly decoder: FrameDecoder;
  authed: boolean;
  subscribed: boolean;
  inflight: number;
  closing: boolean;
  /** The client half-closed: answer what is in flight, then close. */
  peerEnded: boolean;
  authTimer: NodeJS.Timeout | undefined;
}

/** Grace period for a closing client to read its last frame before the connection is destroyed. */
const CLOSE_GRACE_MS = 500;
/** How long `start()` waits for an existing socket to answer before judging it stale. */
const PROBE_TIMEOUT_MS = 1_000;

/** True when something accepts connections on the socket path. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      probe.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

export function createDaemonServer(init: DaemonServerInit): DaemonServer {
  const paths = daemonPaths(init.profileDir);
  const now = init.now ?? Date.now;
  const log = init.logger;
  const connections = new Set<Connection>();
  let server: Server | undefined;
  let cookie = '';
  let startedAt = 0;
  let unsubscribeApi: (() => void) | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const authedCount = () => [...connections].filter((c) => c.authed).length;

  /** Queues bytes for a client; one that left more than the backlog cap unread is disconnected. */
  const writeBytes = (conn: Connection, bytes: Buffer): void => {
    if (conn.closing || conn.socket.destroyed) return;
    if (conn.socket.writableLength > MAX_CLIENT_BACKLOG_BYTES) {
      log.warn('client.backlog', { bytes: conn.socket.writableLength });
      conn.closing = true;
      conn.socket.destroy();
      return;
    }
    conn.socket.write(bytes);
  };

  /** Writes one frame; an answer that cannot be encoded (too large, not JSON) becomes an error answer. */
  const send = (conn: Connection, frame: Record<string, unknown>, id?: number): void => {
    let bytes: Buffer;
    try {
      bytes = encodeFrame(frame, MAX_RESPONSE_FRAME_BYTES);
    } catch (error) {
      if (id === undefined) throw error;
      log.warn('response.unencodable', { id, code: toWireError(error).code });
      bytes = encodeFrame({ id, error: toWireError(error) }, MAX_RESPONSE_FRAME_BYTES);
    }
    writeBytes(conn, bytes);
  };

  /** Sends an error frame (no id), then closes this connection only. */
  const fail = (conn: Connection, error: unknown): void => {
    if (conn.closing) return;
    const wire = toWireError(error);
    log.warn('client.refused', { code: wire.code });
    try {
      send(conn, { error: wire });
    } catch {
      // The error frame is best effort.
    }
    conn.closing = true;
    if (conn.authTimer) clearTimeout(conn.authTimer);
    conn.socket.end();
    setTimeout(() => conn.socket.destroy(), CLOSE_GRACE_MS).unref();
  };

  const status = (): DaemonStatus => ({
    pid: process.pid,
    profile: init.profile,
    version: init.version,
    protocol: PROTOCOL_VERSION,
    socket: paths.socket,
    startedAt,
    uptimeMs: Math.max(0, now() - startedAt),
    clients: Math.max(0, authedCount() - 1),
  });

  /** Why a first frame is refused, or undefined when it authenticates. */
  const refusal = (frame: ClientFrame): Error | undefined => {
    if (frame.kind !== 'auth') return new DaemonAuthError('the first frame must carry the cookie');
    if (!cookieMatches(cookie, frame.cookie)) return new DaemonAuthError('wrong cookie');
    if (frame.v !== PROTOCOL_VERSION) return new ProtocolMismatchError(PROTOCOL_VERSION, frame.v);
    if (authedCount() >= MAX_CLIENTS) return new DaemonFullError(MAX_CLIENTS);
    return undefined;
  };

  const authenticate = (conn: Connection, frame: ClientFrame): void => {
    const refused = refusal(frame);
    if (refused) {
      fail(conn, refused);
      return;
    }
    conn.authed = true;
    if (conn.authTimer) clearTimeout(conn.authTimer);
    conn.authTimer = undefined;
    send(conn, { auth: 'ok', v: PROTOCOL_VERSION, pid: process.pid });
    log.debug('client.authenticated', { clients: authedCount() });
  };

  const answer = (conn: Connection, id: number, run: () => unknown): void => {
    if (conn.inflight >= MAX_INFLIGHT_PER_CLIENT) {
      send(conn, { id, error: toWireError(new DaemonBusyError(MAX_INFLIGHT_PER_CLIENT)) }, id);
      return;
    }
    conn.inflight++;
    Promise.resolve()
      .then(run)
      .then(
        (result) => send(conn, { id, result: result ?? null }, id),
        (error: unknown) => send(conn, { id, error: toWireError(error) }, id),
      )
      .catch((error: unknown) => log.error('client.send-failed', { error: String(error) }))
      .finally(() => {
        conn.inflight--;
        if (conn.peerEnded && conn.inflight === 0) conn.socket.end();
      });
  };

  /** The daemon's own methods; false when `method` is not one of them. */
  const control = (conn: Connection, id: number, method: string): boolean => {
    switch (method) {
      case CONTROL_METHODS.subscribe:
        conn.subscribed = true;
        send(conn, { id, result: null }, id);
        return true;
      case CONTROL_METHODS.unsubscribe:
        conn.subscribed = false;
        send(conn, { id, result: null }, id);
        return true;
      case CONTROL_METHODS.status:
        send(conn, { id, result: status() }, id);
        return true;
      case CONTROL_METHODS.stop:
        log.info('daemon.stop-requested');
        send(conn, { id, result: null }, id);
        setImmediate(() => init.onStopRequest?.());
        return true;
      default:
        return false;
    }
  };

  const dispatch = (conn: Connection, frame: ClientFrame): void => {
    if (frame.kind === 'auth') {
      fail(conn, new BadFrameError('already authenticated'));
      return;
    }
    const { id, method, params } = frame;
    if (control(conn, id, method)) return;
    if (!isApiMethod(method)) {
      send(conn, { id, error: toWireError(new UnknownMethodError(method)) }, id);
      return;
    }
    answer(conn, id, () => {
      const args = checkParams(method, params);
      const fn = init.api[method] as (...a: unknown[]) => Promise<unknown>;
      return fn.apply(init.api, args);
    });
  };

  const onData = (conn: Connection, chunk: Buffer): void => {
    if (conn.closing) return;
    try {
      for (const raw of conn.decoder.push(chunk)) {
        if (conn.closing) return;
        const frame = parseClientFrame(raw);
        if (conn.authed) dispatch(conn, frame);
        else authenticate(conn, frame);
      }
    } catch (error) {
      fail(conn, error);
    }
  };

  const onConnection = (socket: Socket): void => {
    if (stopping) {
      socket.destroy();
      return;
    }
    const conn: Connection = {
      socket,
      decoder: new FrameDecoder(MAX_REQUEST_FRAME_BYTES),
      authed: false,
      subscribed: false,
      inflight: 0,
      closing: false,
      peerEnded: false,
      authTimer: undefined,
    };
    conn.authTimer = setTimeout(
      () => fail(conn, new DaemonAuthError(`no authentication within ${AUTH_TIMEOUT_MS} ms`)),
      AUTH_TIMEOUT_MS,
    );
    connections.add(conn);
    socket.on('data', (chunk: Buffer) => onData(conn, chunk));
    socket.on('end', () => {
      conn.peerEnded = true;
      if (conn.inflight === 0) socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      log.debug('client.error', { code: error.code ?? null }),
    );
    socket.on('close', () => {
      if (conn.authTimer) clearTimeout(conn.authTimer);
      connections.delete(conn);
      log.debug('client.closed', { clients: authedCount() });
    });
  };

  /** Removes a socket file left by a crashed daemon; refuses when something still answers on it. */
  const clearStaleSocket = async (): Promise<void> => {
    let isSocket: boolean;
    try {
      isSocket = lstatSync(paths.socket).isSocket();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (!isSocket) throw new DaemonStartError(`${paths.socket} exists and is not a socket; remove it`);
    if (await socketAnswers(paths.socket)) throw new DaemonAlreadyRunningError(init.profile);
    log.info('daemon.stale-socket-removed');
    rmSync(paths.socket, { force: true });
  };

  const listen = (srv: Server): Promise<void> =>
    new Promise((resolve, reject) => {
      srv.once('error', reject);
      // The socket is created by bind() inside listen(): create it 0600 (never briefly wider).
      const umask = process.umask(0o177);
      try {
        srv.listen(paths.socket, () => {
          srv.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(umask);
      }
    });

  const doStart = async (): Promise<void> => {
    checkSocketPath(paths.socket);
    await clearStaleSocket();
    cookie = newCookie(init.rng);
    writeCookie(paths.cookie, cookie, init.rng);
    const srv = createServer({ allowHalfOpen: true }, onConnection);
    srv.maxConnections = MAX_CLIENTS * 2;
    try {
      await listen(srv);
      if (process.platform !== 'win32') chmodSync(paths.socket, 0o600);
    } catch (error) {
      srv.close();
      rmSync(paths.cookie, { force: true });
      throw error;
    }
    srv.on('error', (error: NodeJS.ErrnoException) =>
      log.error('server.error', { code: error.code ?? null }),
    );
    server = srv;
    startedAt = now();
    unsubscribeApi = init.api.subscribe((event) => {
      let bytes: Buffer;
      try {
        bytes = encodeFrame({ event }, MAX_RESPONSE_FRAME_BYTES);
      } catch {
        log.warn('event.too-large', { type: event.type });
        return;
      }
      for (const conn of connections) if (conn.authed && conn.subscribed) writeBytes(conn, bytes);
    });
    log.info('daemon.started', { pid: process.pid });
  };

  const doStop = async (): Promise<void> => {
    await starting?.catch(() => undefined);
    const srv = server;
    if (!srv) return;
    unsubscribeApi?.();
    const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
    for (const conn of connections) {
      conn.closing = true;
      if (conn.authTimer) clearTimeout(conn.authTimer);
      conn.socket.end();
      setTimeout(() => conn.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    await closed;
    rmSync(paths.socket, { force: true });
    rmSync(paths.cookie, { force: true });
    log.info('daemon.stopped');
  };

  return {
    paths,
    start() {
      starting ??= doStart();
      return starting;
    },
    stop() {
      stopping ??= doStop();
      return stopping;
    },
    clientCount: authedCount,
  };
}

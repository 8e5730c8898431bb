/**
 * Named errors of the daemon layer, each with a stable `code` (AppError), and the error a client proxy
 * rebuilds from an error frame. Messages name files and limits, never cookies or message text.
 */
import { AppError } from '../app/errors.ts';

export class SocketPathTooLongError extends AppError {
  readonly path: string;
  constructor(path: string, bytes: number, max: number) {
    super(
      'DaemonSocketPathTooLong',
      `the daemon socket path ${path} is ${bytes} bytes; Unix sockets allow at most ${max}: use a shorter data directory (--home or PVT_HOME)`,
    );
    this.path = path;
  }
}

export class DaemonNotRunningError extends AppError {
  constructor(profile: string) {
    super('DaemonNotRunning', `no daemon is running for profile "${profile}"`);
  }
}

export class DaemonAlreadyRunningError extends AppError {
  readonly pid: number | undefined;
  constructor(profile: string, pid?: number) {
    super(
      'DaemonAlreadyRunning',
      `a daemon already serves profile "${profile}"${pid === undefined ? '' : ` (pid ${pid})`}; stop it with: pvt stop`,
    );
    this.pid = pid;
  }
}

export class DaemonAuthError extends AppError {
  constructor(detail: string) {
    super('DaemonAuthFailed', `the daemon refused this client: ${detail}`);
  }
}

export class DaemonDisconnectedError extends AppError {
  constructor() {
    super('DaemonDisconnected', 'the connection to the daemon was lost (the daemon stopped?)');
  }
}

export class DaemonTimeoutError extends AppError {
  constructor(what: string, ms: number) {
    super('DaemonTimeout', `${what} did not finish within ${ms} ms`);
  }
}

export class BadFrameError extends AppError {
  constructor(detail: string) {
    super('DaemonBadFrame', `malformed frame: ${detail}`);
  }
}

export class FrameTooLargeError extends AppError {
  constructor(bytes: number, max: number) {
    super('DaemonFrameTooLarge', `frame of ${bytes} bytes or more exceeds the limit of ${max} bytes`);
  }
}

export class UnknownMethodError extends AppError {
  constructor(method: string) {
    super('DaemonUnknownMethod', `unknown method ${JSON.stringify(method.slice(0, 64))}`);
  }
}

export class BadParamsError extends AppError {
  constructor(method: string, detail: string) {
    super('DaemonBadParams', `bad parameters for ${method}: ${detail}`);
  }
}

export class DaemonBusyError extends AppError {
  constructor(max: number) {
    super('DaemonBusy', `too many requests in flight on this connection (at most ${max})`);
  }
}

/** The daemon already serves MAX_CLIENTS clients (TUIs, --follow, scripts). */
export class DaemonFullError extends AppError {
  constructor(max: number) {
    super(
      'DaemonFull',
      `the daemon already serves ${max} clients (pvt chat, pvt log --follow, scripts); close one and try again`,
    );
  }
}

export class ProtocolMismatchError extends AppError {
  constructor(mine: number, theirs: number) {
    super(
      'DaemonProtocolMismatch',
      `daemon protocol version ${theirs} differs from this pvt's (${mine}): restart the daemon with the same pvt version`,
    );
  }
}

export class DaemonStartError extends AppError {
  constructor(detail: string) {
    super('DaemonStartFailed', `the daemon did not start: ${detail}`);
  }
}

/** An error the daemon reported for a request, carrying the code it had in the daemon. */
export class RemoteError extends AppError {}

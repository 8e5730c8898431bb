/**
 * The daemon's life cycle around an open PvtApi: start the socket server, report readiness, wait for
 * SIGINT/SIGTERM/SIGHUP or a `daemon.stop` request, then shut down in this order — stop accepting,
 * close the clients, remove the socket and cookie, close the PvtApi (which releases the profile lock).
 * The socket goes before the lock, so a daemon started right after can never have its fresh socket
 * removed by this one. Owns the PvtApi it is given (closes it on every path). Knows nothing about argv
 * or how the profile was unlocked.
 */
import type { PvtApi } from '../app/api.ts';
import type { Rng } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import { createDaemonServer, type DaemonServer } from './server.ts';

export const DAEMON_STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface RunDaemonInit {
  readonly api: PvtApi;
  readonly profile: string;
  readonly profileDir: string;
  readonly version: string;
  readonly logger: Logger;
  readonly rng: Rng;
  readonly now?: () => number;
  /** Called once the socket accepts clients. */
  readonly onReady?: (server: DaemonServer) => void | Promise<void>;
  /** Signals that stop the daemon (default SIGINT, SIGTERM, SIGHUP). */
  readonly signals?: readonly NodeJS.Signals[];
}

/** Serves until asked to stop; resolves with the reason once everything is closed. */
export async function runDaemon(init: RunDaemonInit): Promise<string> {
  let requestStop: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  const server = createDaemonServer({
    api: init.api,
    profile: init.profile,
    profileDir: init.profileDir,
    version: init.version,
    logger: init.logger,
    rng: init.rng,
    ...(init.now ? { now: init.now } : {}),
    onStopRequest: () => requestStop('daemon.stop'),
  });
  const signals = init.signals ?? DAEMON_STOP_SIGNALS;
  const onSignal = (signal: NodeJS.Signals) => requestStop(signal);
  for (const signal of signals) process.on(signal, onSignal);
  try {
    await server.start();
    await init.onReady?.(server);
    const reason = await stopRequested;
    init.logger.info('daemon.stopping', { reason });
    return reason;
  } finally {
    try {
      await server.stop();
    } finally {
      await init.api.close();
      for (const signal of signals) process.off(signal, onSignal);
    }
  }
}

/**
 * A PvtApi over the profile's daemon that survives the daemon restarting (for the attached TUI): when
 * the connection drops it emits `{type:'connection', state:'reconnecting'}`, dials again every
 * RECONNECT_INTERVAL_MS, and once a daemon answers it subscribes again and emits `restored` (the UI then
 * reads everything again: no stale state). Calls made while disconnected wait for the daemon (a message
 * typed during the gap is sent when it is back, not lost); a call that was in flight when the daemon
 * went away fails (it may or may not have happened: the caller decides, never a blind retry).
 * Knows the client connection; nothing about the UI.
 */
import type { PvtApi, PvtEvent } from '../app/api.ts';
import { ClosedError } from '../app/errors.ts';
import { EventHub } from '../app/events.ts';
import {
  apiOverConnection,
  type ConnectDaemonOptions,
  type DaemonConnection,
  openDaemonConnection,
} from './client.ts';
import { API_METHODS, type ApiMethod } from './methods.ts';

export const RECONNECT_INTERVAL_MS = 500;

export function reconnectingApi(
  first: DaemonConnection,
  options: ConnectDaemonOptions & {
    readonly intervalMs?: number;
    /** Tests: how to dial (default openDaemonConnection). */
    readonly dial?: (o: ConnectDaemonOptions) => Promise<DaemonConnection | undefined>;
  },
): PvtApi {
  const hub = new EventHub();
  const dial = options.dial ?? openDaemonConnection;
  const interval = options.intervalMs ?? RECONNECT_INTERVAL_MS;
  let api: PvtApi | null = null;
  let unsubscribe: (() => void) | null = null;
  let closed = false;
  let waiters: { resolve: (api: PvtApi) => void; reject: (e: Error) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;

  const use = (conn: DaemonConnection): void => {
    const next = apiOverConnection(conn);
    api = next;
    // The plain client's own "disconnected — restart pvt chat" status is replaced by reconnecting.
    unsubscribe = next.subscribe((event: PvtEvent) => {
      if (event.type === 'status' && conn.closed) return;
      hub.emit(event);
    });
    conn.onClose((error) => {
      if (api !== next) return;
      unsubscribe?.();
      unsubscribe = null;
      api = null;
      if (closed || !error) return;
      hub.emit({ type: 'connection', state: 'reconnecting' });
      schedule();
    });
    const ready = waiters;
    waiters = [];
    for (const w of ready) w.resolve(next);
  };

  const schedule = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      dial(options).then(
        (conn) => {
          if (closed) {
            conn?.close();
            return;
          }
          if (!conn) {
            schedule();
            return;
          }
          use(conn);
          hub.emit({ type: 'connection', state: 'restored' });
        },
        () => schedule(),
      );
    }, interval);
  };

  const connected = (): Promise<PvtApi> => {
    if (closed) return Promise.reject(new ClosedError());
    if (api) return Promise.resolve(api);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };

  use(first);
  const methods: Partial<Record<ApiMethod, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const name of Object.keys(API_METHODS) as ApiMethod[]) {
    methods[name] = async (...args: unknown[]) => {
      const target = await connected();
      return (target[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return {
    ...(methods as unknown as Pick<PvtApi, ApiMethod>),
    subscribe(listener) {
      return hub.subscribe(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      const pending = waiters;
      waiters = [];
      for (const w of pending) w.reject(new ClosedError());
      unsubscribe?.();
      const current = api;
      api = null;
      await current?.close();
    },
  };
}

/** The profile's daemon as a reconnecting PvtApi, or undefined when no daemon answers now. */
export async function connectDaemonReconnecting(o: ConnectDaemonOptions): Promise<PvtApi | undefined> {
  const conn = await openDaemonConnection(o);
  return conn ? reconnectingApi(conn, o) : undefined;
}

/**
 * The client side of onion circuits (docs/protocol/onion.md, "Circuit building", "Streams"): the pool —
 * keeps some circuits ready ahead of need, retries a build on other relays, rotates circuits by age and
 * volume, rebuilds when one dies — and opens streams to services at a circuit's exit. Must not know how
 * a circuit is built hop by hop (circuit-build.ts) or handles its cells (circuit.ts); links, relay
 * knowledge and dialling come from the service (service.ts); knows nothing about libp2p.
 */
import type { Logger } from '../../log/logger.ts';
import {
  RELAY_BEGIN,
  RELAY_CONNECTED,
  RELAY_DATA,
  SERVICE_NAME_PATTERN,
} from '../../protocol/onion/constants.ts';
import { StreamClosedError } from '../errors.ts';
import type { CircuitStream } from './api.ts';
import type { Circuit } from './circuit.ts';
import { type BuildContext, type BuildInit, buildCircuit } from './circuit-build.ts';
import {
  BEGIN_TIMEOUT_MS,
  CIRCUIT_BUILD_ATTEMPTS,
  CIRCUIT_MAX_AGE_MS,
  CIRCUIT_MAX_CELLS,
  CIRCUITS_AHEAD,
  MAX_STREAMS_PER_CIRCUIT,
} from './constants.ts';
import { createCellStream } from './stream.ts';

export interface ClientInit extends BuildInit {
  readonly logger: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface CircuitView {
  readonly id: number;
  readonly state: 'building' | 'ready' | 'retiring';
  readonly hops: readonly { readonly peerId: string; readonly ips: readonly string[] }[];
  readonly createdAt: number;
  readonly cells: number;
  readonly streams: number;
}

export interface OnionClient {
  openStream(options: { exit?: string; service: string; signal?: AbortSignal }): Promise<CircuitStream>;
  /** Rotates old circuits and (when `buildAhead`) builds ready ones up to CIRCUITS_AHEAD. */
  maintain(buildAhead?: boolean): void;
  circuits(): CircuitView[];
  /** Builds one circuit (to `exit` if given) and waits until it is ready. */
  build(options?: { exit?: string; service?: string; signal?: AbortSignal }): Promise<CircuitView>;
  /** Routes a backward cell on a link whose circuit is unknown (false when not ours). */
  close(): void;
  counters(): { built: number; failed: number; rebuilt: number };
}

export function createOnionClient(init: ClientInit): OnionClient {
  const now = init.now ?? Date.now;
  const random = init.random ?? Math.random;
  const log = init.logger;
  const circuits = new Set<Circuit>();
  const building = new Set<Promise<unknown>>();
  const counters = { built: 0, failed: 0, rebuilt: 0 };
  let nextId = 1;
  let closed = false;
  let maintainQueued = false;
  // A circuit joins the pool the moment it is ready, before its builder resumes.
  const adopt = (c: Circuit) => {
    c.onDead = () => {
      circuits.delete(c);
      if (!closed) {
        counters.rebuilt += 1;
        queueMaintain();
      }
    };
    circuits.add(c);
    counters.built += 1;
  };
  const context: BuildContext = { ...init, now, random, nextId: () => nextId++, onBuilt: adopt };

  const build = async (exit?: string, service?: string, signal?: AbortSignal): Promise<Circuit> => {
    const avoid = new Set<string>();
    let last: unknown;
    for (let attempt = 0; attempt < CIRCUIT_BUILD_ATTEMPTS; attempt++) {
      if (closed) throw new StreamClosedError();
      signal?.throwIfAborted();
      try {
        return await buildCircuit(context, { exit, service, avoid, signal });
      } catch (error) {
        counters.failed += 1;
        last = error;
        log.debug('onion.build_failed', { attempt });
      }
    }
    throw last instanceof Error ? last : new Error('circuit build failed');
  };

  const usable = (c: Circuit) => c.state === 'ready' && c.streams.size < MAX_STREAMS_PER_CIRCUIT;

  const rotate = () => {
    const t = now();
    for (const c of circuits) {
      if (c.state === 'ready' && (t - c.createdAt > CIRCUIT_MAX_AGE_MS || c.cells > CIRCUIT_MAX_CELLS)) {
        c.state = 'retiring';
      }
      if (c.state === 'retiring' && c.streams.size === 0 && c.begins.size === 0)
        c.die(new Error('rotated'), true);
    }
  };

  let ahead = false;
  const maintain = (buildAhead = ahead) => {
    if (closed) return;
    ahead = buildAhead;
    rotate();
    if (!buildAhead) return;
    const ready = [...circuits].filter((c) => c.state === 'ready').length;
    for (let i = ready + building.size; i < CIRCUITS_AHEAD; i++) {
      const p = build()
        .catch(() => undefined)
        .finally(() => building.delete(p));
      building.add(p);
    }
  };
  const queueMaintain = () => {
    if (maintainQueued) return;
    maintainQueued = true;
    setTimeout(() => {
      maintainQueued = false;
      maintain();
    }, 50).unref();
  };

  const view = (c: Circuit): CircuitView => ({
    id: c.id,
    state: c.state === 'dead' ? 'retiring' : c.state,
    hops: c.path.map((r) => ({ peerId: r.peerId, ips: r.ips })),
    createdAt: c.createdAt,
    cells: c.cells,
    streams: c.streams.size,
  });

  return {
    async openStream({ exit, service, signal }) {
      if (!SERVICE_NAME_PATTERN.test(service))
        throw new RangeError(`"service" expected [a-z0-9._-]{1,32}, got ${JSON.stringify(service)}`);
      const fits = (c: Circuit) =>
        usable(c) &&
        (exit !== undefined ? c.exit.peerId === exit : c.exit.descriptor.services.includes(service));
      const c =
        [...circuits].find(fits) ?? (await build(exit, exit === undefined ? service : undefined, signal));
      const streamId = c.nextStream;
      c.nextStream = (c.nextStream % 0xffff) + 1;
      const exitHop = c.hops.length - 1;
      const stream = createCellStream(streamId, service, {
        async send(message) {
          if (message.command === RELAY_DATA) {
            const waiting = c.window.spend(() => c.state === 'dead');
            if (waiting) await waiting;
          }
          if (!c.sendRelay(exitHop, message)) throw new StreamClosedError();
        },
        closed() {
          c.streams.delete(streamId);
          if (c.state === 'retiring') rotate();
        },
      });
      c.streams.set(streamId, stream);
      const connected = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new StreamClosedError()), BEGIN_TIMEOUT_MS);
        c.begins.set(streamId, {
          command: RELAY_CONNECTED,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
      c.sendRelay(exitHop, { command: RELAY_BEGIN, streamId, data: new TextEncoder().encode(service) });
      try {
        await connected;
      } catch (error) {
        c.streams.delete(streamId);
        throw error;
      }
      signal?.addEventListener('abort', () => void stream.close(), { once: true });
      return stream;
    },
    maintain,
    circuits: () => [...circuits].filter((c) => c.state !== 'dead').map(view),
    async build(options = {}) {
      return view(await build(options.exit, options.service, options.signal));
    },
    close() {
      closed = true;
      for (const c of [...circuits]) c.die(new Error('closed'), true);
      circuits.clear();
    },
    counters: () => ({ ...counters }),
  };
}

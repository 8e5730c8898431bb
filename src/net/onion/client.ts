/**
 * The client side of onion circuits (docs/protocol/onion.md, "Circuit building", "Streams"): builds
 * 3-hop circuits hop by hop (CREATE, then EXTEND through the circuit), keeps some ready ahead of need,
 * rotates them by age and volume, rebuilds when one dies, and opens streams to services at the exit.
 * Links, relay knowledge and dialling come from the service (service.ts); knows nothing about libp2p.
 */
import type { Rng } from '../../crypto/bytes.ts';
import type { Logger } from '../../log/logger.ts';
import {
  decodeCell,
  decodeRelay,
  encodeCell,
  encodeExtend,
  encodeRelay,
  type RelayMessage,
} from '../../protocol/onion/cell.ts';
import {
  CELL_CREATE,
  CELL_CREATED,
  CELL_DESTROY,
  CELL_RELAY,
  CREATED_HANDSHAKE_BYTES,
  DESTROY_FINISHED,
  RELAY_BEGIN,
  RELAY_CONNECTED,
  RELAY_DATA,
  RELAY_END,
  RELAY_EXTEND,
  RELAY_EXTENDED,
  RELAY_SENDME,
  SERVICE_NAME_PATTERN,
} from '../../protocol/onion/constants.ts';
import type { Descriptor } from '../../protocol/onion/descriptor.ts';
import { clientCreate, clientFinish } from '../../protocol/onion/handshake.ts';
import { clientOpen, clientSeal, type HopState, hopState } from '../../protocol/onion/layers.ts';
import { type PathCandidate, selectPath } from '../../protocol/onion/path.ts';
import { StreamClosedError } from '../errors.ts';
import type { CircuitStream } from './api.ts';
import {
  BEGIN_TIMEOUT_MS,
  CIRCUIT_BUILD_ATTEMPTS,
  CIRCUIT_MAX_AGE_MS,
  CIRCUIT_MAX_CELLS,
  CIRCUIT_WINDOW_CELLS,
  CIRCUITS_AHEAD,
  CREATE_TIMEOUT_MS,
  EXTEND_TIMEOUT_MS,
  MAX_STREAMS_PER_CIRCUIT,
  SENDME_INCREMENT_CELLS,
} from './constants.ts';
import type { Link } from './link.ts';
import { type CellStream, createCellStream } from './stream.ts';

/** A relay the client may use: its verified descriptor and what path selection needs. */
export interface KnownRelay {
  readonly peerId: string;
  readonly peerIdBytes: Uint8Array;
  readonly descriptor: Descriptor;
  readonly ips: readonly string[];
  attempts: number;
  successes: number;
  /** Last time this node talked to it directly (fetched its descriptor) or built a circuit through it; 0 = never. */
  reachedAt: number;
}

export interface ClientInit {
  readonly rng: Rng;
  readonly logger: Logger;
  readonly relays: () => readonly KnownRelay[];
  readonly isContact: (peerId: string) => boolean;
  /** An outbound link to the relay (dialling its descriptor's addresses). */
  readonly connect: (relay: KnownRelay, signal: AbortSignal) => Promise<Link>;
  /** Routes cells of (link, circId) on an outbound link to `handler` (undefined: stop routing). */
  readonly route: (link: Link, circId: number, handler: ((bytes: Uint8Array) => void) | undefined) => void;
  readonly ownPeer: string;
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

interface Pending {
  readonly command: number;
  readonly resolve: (m: RelayMessage | Uint8Array) => void;
  readonly reject: (e: Error) => void;
}

class Circuit {
  state: 'building' | 'ready' | 'retiring' | 'dead' = 'building';
  readonly hops: HopState[] = [];
  readonly streams = new Map<number, CellStream>();
  readonly begins = new Map<number, Pending>();
  pending: Pending | undefined;
  cells = 0;
  sendWindow = CIRCUIT_WINDOW_CELLS;
  windowWaiters: (() => void)[] = [];
  received = 0;
  nextStream = 1;
  onDead: (() => void) | undefined;
  readonly id: number;
  readonly link: Link;
  readonly circId: number;
  readonly path: readonly KnownRelay[];
  readonly createdAt: number;
  readonly route: ClientInit['route'];
  constructor(
    id: number,
    link: Link,
    circId: number,
    path: readonly KnownRelay[],
    createdAt: number,
    route: ClientInit['route'],
  ) {
    this.id = id;
    this.link = link;
    this.circId = circId;
    this.path = path;
    this.createdAt = createdAt;
    this.route = route;
  }

  get exit(): KnownRelay {
    return this.path[this.path.length - 1] as KnownRelay;
  }

  sendRelay(target: number, message: RelayMessage): boolean {
    if (this.state === 'dead') return false;
    this.cells += 1;
    return this.link.send(
      encodeCell(this.circId, CELL_RELAY, clientSeal(this.hops, target, encodeRelay(message))),
    );
  }

  die(error: Error, sendDestroy: boolean): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    if (sendDestroy) this.link.send(encodeCell(this.circId, CELL_DESTROY, Uint8Array.of(DESTROY_FINISHED)));
    this.route(this.link, this.circId, undefined);
    this.pending?.reject(error);
    this.pending = undefined;
    for (const b of this.begins.values()) b.reject(error);
    this.begins.clear();
    for (const s of this.streams.values()) s.fail(new StreamClosedError());
    this.streams.clear();
    for (const w of this.windowWaiters) w();
    this.windowWaiters = [];
    this.onDead?.();
  }

  onCell(bytes: Uint8Array): void {
    let cell: ReturnType<typeof decodeCell>;
    try {
      cell = decodeCell(bytes);
    } catch {
      this.die(new Error('malformed cell'), true);
      return;
    }
    if (cell.command === CELL_DESTROY) {
      this.die(new Error('circuit destroyed by a relay'), false);
      return;
    }
    if (cell.command === CELL_CREATED) {
      const p = this.pending;
      if (p?.command === CELL_CREATED) {
        this.pending = undefined;
        p.resolve(cell.body.slice(0, CREATED_HANDSHAKE_BYTES));
      } else this.die(new Error('unexpected CREATED'), true);
      return;
    }
    if (cell.command !== CELL_RELAY) return;
    const opened = clientOpen(this.hops, cell.body);
    if (!opened) {
      this.die(new Error('a cell no hop sealed'), true);
      return;
    }
    let m: RelayMessage;
    try {
      m = decodeRelay(opened.plain);
    } catch {
      this.die(new Error('malformed relay cell'), true);
      return;
    }
    const fromExit = opened.hop === this.hops.length - 1;
    switch (m.command) {
      case RELAY_EXTENDED: {
        const p = this.pending;
        if (p?.command === RELAY_EXTENDED && fromExit) {
          this.pending = undefined;
          p.resolve(m);
        } else this.die(new Error('unexpected EXTENDED'), true);
        return;
      }
      case RELAY_CONNECTED:
      case RELAY_END: {
        const b = this.begins.get(m.streamId);
        if (b && fromExit) {
          this.begins.delete(m.streamId);
          if (m.command === RELAY_CONNECTED) b.resolve(m);
          else b.reject(new StreamClosedError());
          return;
        }
        this.streams.get(m.streamId)?.deliver(m);
        if (m.command === RELAY_END) this.streams.delete(m.streamId);
        return;
      }
      case RELAY_DATA:
        if (!fromExit) return;
        this.received += 1;
        if (this.received % SENDME_INCREMENT_CELLS === 0) {
          this.sendRelay(this.hops.length - 1, {
            command: RELAY_SENDME,
            streamId: 0,
            data: new Uint8Array(0),
          });
        }
        this.streams.get(m.streamId)?.deliver(m);
        return;
      case RELAY_SENDME:
        if (m.streamId === 0) {
          this.sendWindow = Math.min(this.sendWindow + SENDME_INCREMENT_CELLS, CIRCUIT_WINDOW_CELLS);
          const w = this.windowWaiters;
          this.windowWaiters = [];
          for (const f of w) f();
        } else this.streams.get(m.streamId)?.deliver(m);
        return;
      default:
        return;
    }
  }

  expect(command: number, timeoutMs: number, signal?: AbortSignal): Promise<RelayMessage | Uint8Array> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.die(new Error('timed out'), true), timeoutMs);
      const onAbort = () => this.die(new Error('aborted'), true);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        command,
        resolve: (v) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
    });
  }
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

  const candidates = (): PathCandidate[] =>
    init
      .relays()
      .filter((r) => r.peerId !== init.ownPeer)
      .map((r) => ({
        id: r.peerId,
        ips: r.ips,
        relay: (r.descriptor.flags & 1) === 1,
        services: r.descriptor.services,
        contact: init.isContact(r.peerId),
        attempts: r.attempts,
        successes: r.successes,
      }));

  const buildOnce = async (
    exit: string | undefined,
    service: string | undefined,
    avoid: Set<string>,
    signal?: AbortSignal,
  ): Promise<Circuit> => {
    const byId = new Map(init.relays().map((r) => [r.peerId, r]));
    const path = selectPath({
      candidates: candidates(),
      ...(exit !== undefined ? { exit } : {}),
      ...(service !== undefined ? { service } : {}),
      avoid,
      random,
    }).map((c) => byId.get(c.id) as KnownRelay);
    const first = path[0] as KnownRelay;
    const controller = AbortSignal.any([AbortSignal.timeout(CREATE_TIMEOUT_MS), ...(signal ? [signal] : [])]);
    let link: Link;
    try {
      link = await init.connect(first, controller);
    } catch (error) {
      first.attempts += 1;
      avoid.add(first.peerId);
      throw error;
    }
    let circId = 0;
    do circId = new DataView(init.rng(4).buffer).getUint32(0);
    while (circId === 0);
    const c = new Circuit(nextId++, link, circId, path, now(), init.route);
    init.route(link, circId, (bytes) => c.onCell(bytes));
    let hop = 0;
    try {
      const pub = (r: KnownRelay) => ({
        relayId: r.descriptor.transportKey,
        x25519Public: r.descriptor.x25519Public,
        kemPublic: r.descriptor.kemPublic,
      });
      const h1 = clientCreate(pub(first), init.rng);
      const created = c.expect(CELL_CREATED, CREATE_TIMEOUT_MS, signal);
      if (!link.send(encodeCell(circId, CELL_CREATE, h1.message))) throw new Error('link closed');
      c.hops.push(hopState(clientFinish(h1.state, (await created) as Uint8Array)));
      for (hop = 1; hop < path.length; hop++) {
        const next = path[hop] as KnownRelay;
        const h = clientCreate(pub(next), init.rng);
        const data = encodeExtend({
          peerId: next.peerIdBytes,
          addrs: next.descriptor.addrs.slice(0, 4),
          handshake: h.message,
        });
        const extended = c.expect(RELAY_EXTENDED, EXTEND_TIMEOUT_MS, signal);
        c.sendRelay(hop - 1, { command: RELAY_EXTEND, streamId: 0, data });
        const m = (await extended) as RelayMessage;
        c.hops.push(hopState(clientFinish(h.state, m.data)));
      }
    } catch (error) {
      const blamed = path[Math.min(hop, path.length - 1)] as KnownRelay;
      blamed.attempts += 1;
      avoid.add(blamed.peerId);
      c.die(error instanceof Error ? error : new Error(String(error)), true);
      throw error;
    }
    const builtAt = now();
    for (const r of path) {
      r.attempts += 1;
      r.successes += 1;
      r.reachedAt = builtAt;
    }
    c.state = 'ready';
    c.onDead = () => {
      circuits.delete(c);
      if (!closed) {
        counters.rebuilt += 1;
        queueMaintain();
      }
    };
    circuits.add(c);
    counters.built += 1;
    return c;
  };

  const build = async (exit?: string, service?: string, signal?: AbortSignal): Promise<Circuit> => {
    const avoid = new Set<string>();
    let last: unknown;
    for (let attempt = 0; attempt < CIRCUIT_BUILD_ATTEMPTS; attempt++) {
      if (closed) throw new StreamClosedError();
      signal?.throwIfAborted();
      try {
        return await buildOnce(exit, service, avoid, signal);
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
            while (c.sendWindow <= 0 && c.state !== 'dead')
              await new Promise<void>((r) => c.windowWaiters.push(r));
            c.sendWindow -= 1;
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

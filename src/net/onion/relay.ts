/**
 * The relay side of `/pvt/onion/1.0.0` (docs/protocol/onion.md): circuits created by predecessors on
 * inbound links — CREATE answered with CREATED, RELAY cells layered and forwarded or, when recognized,
 * handled (EXTEND to a successor, BEGIN/DATA/END/SENDME for exit streams), backward cells layered and
 * passed on, DESTROY both ways — under the safety limits (per-source and total circuits, CREATE rates,
 * malformed cells, bounded queues). Counts, never logs, who it serves. Links and dialling are given by
 * the service (service.ts); knows nothing about libp2p.
 */
import type { Rng } from '../../crypto/bytes.ts';
import type { Logger } from '../../log/logger.ts';
import {
  decodeCell,
  decodeExtend,
  decodeRelay,
  encodeCell,
  encodeRelay,
  type RelayMessage,
} from '../../protocol/onion/cell.ts';
import {
  CELL_CREATE,
  CELL_CREATED,
  CELL_DESTROY,
  CELL_PADDING,
  CELL_RELAY,
  CREATE_HANDSHAKE_BYTES,
  CREATED_HANDSHAKE_BYTES,
  DESTROY_FINISHED,
  DESTROY_HOP_LOST,
  DESTROY_PROTOCOL,
  DESTROY_RESOURCES,
  END_NO_SERVICE,
  END_RESOURCES,
  RELAY_BEGIN,
  RELAY_CONNECTED,
  RELAY_DATA,
  RELAY_DROP,
  RELAY_END,
  RELAY_EXTEND,
  RELAY_EXTENDED,
  RELAY_SENDME,
  SERVICE_NAME_PATTERN,
} from '../../protocol/onion/constants.ts';
import { type OnionKeys, relayRespond } from '../../protocol/onion/handshake.ts';
import {
  type HopState,
  hopState,
  relayBackward,
  relayForward,
  relayOriginate,
} from '../../protocol/onion/layers.ts';
import type { ExitServiceHandler } from './api.ts';
import {
  CIRCUIT_WINDOW_CELLS,
  CREATE_TIMEOUT_MS,
  MAX_STREAMS_PER_CIRCUIT,
  RELAY_BAD_CELLS_PER_SOURCE,
  RELAY_CREATES_PER_SECOND_TOTAL,
  RELAY_CREATES_PER_SOURCE_PER_SECOND,
  RELAY_MAX_CIRCUITS_PER_SOURCE,
  RELAY_MAX_CIRCUITS_TOTAL,
  RELAY_QUEUE_CELLS,
  SENDME_INCREMENT_CELLS,
} from './constants.ts';
import type { Link } from './link.ts';
import { type CellStream, createCellStream } from './stream.ts';

export interface RelayCounters {
  circuits: number;
  circuitsOpened: number;
  circuitsClosed: number;
  cellsIn: number;
  cellsOut: number;
  extends: number;
  streams: number;
  dropped: { rate: number; limit: number; malformed: number; unrecognized: number; queue: number };
}

export interface RelayInit {
  /** Our Ed25519 transport public key (bound into the handshake). */
  readonly relayId: Uint8Array;
  readonly keysFor: (keyId: Uint8Array) => OnionKeys | undefined;
  readonly rng: Rng;
  /** Whether EXTEND is allowed (relay mode on). Exit services work either way. */
  readonly relaying: () => boolean;
  readonly service: (name: string) => ExitServiceHandler | undefined;
  /** An outbound link to `peerId` (dialling `addrs`); registers a cell handler for `circId`. */
  readonly connect: (
    peerId: Uint8Array,
    addrs: readonly Uint8Array[],
    signal: AbortSignal,
  ) => Promise<{ link: Link; peer: string }>;
  readonly ownPeer: string;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface Side {
  readonly link: Link;
  readonly circId: number;
}

interface RelayCircuit {
  readonly prev: Side;
  next: Side | undefined;
  readonly hop: HopState;
  readonly source: string;
  readonly streams: Map<number, CellStream>;
  extending: boolean;
  sendWindow: number;
  windowWaiters: (() => void)[];
  received: number;
  dead: boolean;
  readonly controller: AbortController;
}

/** Fixed-window counters per key with a bounded number of keys. */
function windowCounter(limit: number, windowMs: number, maxKeys: number, now: () => number) {
  const map = new Map<string, { start: number; n: number }>();
  return (key: string): boolean => {
    const t = now();
    let w = map.get(key);
    if (!w || t - w.start >= windowMs) {
      map.delete(key);
      if (map.size >= maxKeys) map.delete(map.keys().next().value as string);
      w = { start: t, n: 0 };
      map.set(key, w);
    }
    w.n += 1;
    return w.n <= limit;
  };
}

export interface Relay extends RelayOutbound {
  /** A cell from a predecessor on an inbound link. */
  onInboundCell(link: Link, bytes: Uint8Array): void;
  /** An inbound link closed: its circuits are destroyed. */
  onInboundClosed(link: Link): void;
  counters(): RelayCounters;
  /** Destroys every circuit (stop). */
  close(): void;
}

export function createRelay(init: RelayInit): Relay {
  const now = init.now ?? Date.now;
  const log = init.logger;
  const circuits = new Map<string, RelayCircuit>(); // key: `${linkId}:${circId}` of prev side
  const perSource = new Map<string, number>();
  const badPerSource = windowCounter(RELAY_BAD_CELLS_PER_SOURCE, 60_000, 4096, now);
  const createPerSource = windowCounter(RELAY_CREATES_PER_SOURCE_PER_SECOND, 1000, 4096, now);
  const createTotal = windowCounter(RELAY_CREATES_PER_SECOND_TOTAL, 1000, 1, now);
  const counters: RelayCounters = {
    circuits: 0,
    circuitsOpened: 0,
    circuitsClosed: 0,
    cellsIn: 0,
    cellsOut: 0,
    extends: 0,
    streams: 0,
    dropped: { rate: 0, limit: 0, malformed: 0, unrecognized: 0, queue: 0 },
  };
  const key = (link: Link, circId: number) => `${link.id}:${circId}`;

  const sendOn = (side: Side, command: number, body?: Uint8Array): boolean => {
    if (side.link.queued() >= RELAY_QUEUE_CELLS) {
      counters.dropped.queue += 1;
      return false;
    }
    const ok = side.link.send(encodeCell(side.circId, command, body));
    if (ok) counters.cellsOut += 1;
    return ok;
  };

  const destroy = (c: RelayCircuit, reason: number, toPrev = true, toNext = true): void => {
    if (c.dead) return;
    c.dead = true;
    c.controller.abort();
    circuits.delete(key(c.prev.link, c.prev.circId));
    const left = (perSource.get(c.source) ?? 1) - 1;
    if (left <= 0) perSource.delete(c.source);
    else perSource.set(c.source, left);
    counters.circuits = circuits.size;
    counters.circuitsClosed += 1;
    if (toPrev) sendOn(c.prev, CELL_DESTROY, Uint8Array.of(reason));
    if (c.next) {
      nextCircuits.delete(key(c.next.link, c.next.circId));
      if (toNext) sendOn(c.next, CELL_DESTROY, Uint8Array.of(reason));
    }
    for (const s of c.streams.values()) s.fail(new Error('circuit destroyed'));
    c.streams.clear();
    for (const w of c.windowWaiters) w();
    c.windowWaiters = [];
  };

  // Backward cells arrive on outbound links, keyed by the next side.
  const nextCircuits = new Map<string, RelayCircuit>();

  const originate = (c: RelayCircuit, message: RelayMessage): boolean => {
    if (c.dead) return false;
    const body = relayOriginate(c.hop, encodeRelay(message));
    if (!sendOn(c.prev, CELL_RELAY, body)) {
      destroy(c, DESTROY_RESOURCES);
      return false;
    }
    return true;
  };

  const portFor = (c: RelayCircuit, streamId: number) => ({
    async send(message: RelayMessage): Promise<void> {
      if (message.command === RELAY_DATA) {
        while (c.sendWindow <= 0 && !c.dead) await new Promise<void>((r) => c.windowWaiters.push(r));
        c.sendWindow -= 1;
      }
      if (!originate(c, message)) throw new Error('circuit destroyed');
    },
    closed() {
      c.streams.delete(streamId);
    },
  });

  const onBackwardCell = (c: RelayCircuit, bytes: Uint8Array): void => {
    counters.cellsIn += 1;
    let cell: ReturnType<typeof decodeCell>;
    try {
      cell = decodeCell(bytes);
    } catch {
      counters.dropped.malformed += 1;
      destroy(c, DESTROY_PROTOCOL);
      return;
    }
    if (cell.command === CELL_RELAY) {
      if (!sendOn(c.prev, CELL_RELAY, relayBackward(c.hop, cell.body))) destroy(c, DESTROY_RESOURCES);
    } else if (cell.command === CELL_DESTROY) {
      // The rest of the circuit is gone: tell the predecessor.
      if (c.next) nextCircuits.delete(key(c.next.link, c.next.circId));
      c.next = undefined;
      destroy(c, DESTROY_HOP_LOST, true, false);
    } else if (cell.command !== CELL_PADDING) {
      destroy(c, DESTROY_PROTOCOL);
    }
  };

  const extend = async (c: RelayCircuit, data: Uint8Array): Promise<void> => {
    if (c.next || c.extending || !init.relaying()) {
      destroy(c, DESTROY_PROTOCOL);
      return;
    }
    let request: ReturnType<typeof decodeExtend>;
    try {
      request = decodeExtend(data);
    } catch {
      counters.dropped.malformed += 1;
      destroy(c, DESTROY_PROTOCOL);
      return;
    }
    c.extending = true;
    counters.extends += 1;
    const signal = AbortSignal.any([c.controller.signal, AbortSignal.timeout(CREATE_TIMEOUT_MS)]);
    try {
      const { link, peer } = await init.connect(request.peerId, request.addrs, signal);
      if (peer === init.ownPeer || peer === c.source) throw new Error('extend to self or predecessor');
      if (c.dead) return;
      let circId = 0;
      do circId = new DataView(init.rng(4).buffer).getUint32(0);
      while (circId === 0 || nextCircuits.has(key(link, circId)));
      const created = new Promise<Uint8Array>((resolve, reject) => {
        const onAbort = () => reject(new Error('extend timed out'));
        signal.addEventListener('abort', onAbort, { once: true });
        pendingCreated.set(key(link, circId), (body) => {
          signal.removeEventListener('abort', onAbort);
          if (body) resolve(body);
          else reject(new Error('the next hop refused'));
        });
      });
      c.next = { link, circId };
      nextCircuits.set(key(link, circId), c);
      if (!sendOn(c.next, CELL_CREATE, request.handshake)) throw new Error('link full');
      const body = await created;
      originate(c, { command: RELAY_EXTENDED, streamId: 0, data: body.slice(0, CREATED_HANDSHAKE_BYTES) });
    } catch {
      log.debug('onion.extend_failed');
      destroy(c, DESTROY_HOP_LOST);
    } finally {
      c.extending = false;
    }
  };
  // CREATED answers to our EXTENDs, by the next side's key.
  const pendingCreated = new Map<string, (body: Uint8Array | null) => void>();

  const begin = (c: RelayCircuit, streamId: number, data: Uint8Array): void => {
    const name = new TextDecoder().decode(data);
    const handler = SERVICE_NAME_PATTERN.test(name) ? init.service(name) : undefined;
    if (!handler || c.next) {
      originate(c, { command: RELAY_END, streamId, data: Uint8Array.of(END_NO_SERVICE) });
      return;
    }
    if (c.streams.size >= MAX_STREAMS_PER_CIRCUIT || c.streams.has(streamId) || streamId === 0) {
      originate(c, { command: RELAY_END, streamId, data: Uint8Array.of(END_RESOURCES) });
      return;
    }
    const stream = createCellStream(streamId, name, portFor(c, streamId));
    c.streams.set(streamId, stream);
    counters.streams += 1;
    originate(c, { command: RELAY_CONNECTED, streamId, data: new Uint8Array(0) });
    void handler(stream, { signal: c.controller.signal })
      .catch(() => log.debug('onion.exit_handler_failed'))
      .finally(() => void stream.close());
  };

  const onRecognized = (c: RelayCircuit, plain: Uint8Array): void => {
    let m: RelayMessage;
    try {
      m = decodeRelay(plain);
    } catch {
      counters.dropped.malformed += 1;
      destroy(c, DESTROY_PROTOCOL);
      return;
    }
    switch (m.command) {
      case RELAY_EXTEND:
        void extend(c, m.data);
        return;
      case RELAY_BEGIN:
        begin(c, m.streamId, m.data);
        return;
      case RELAY_DATA: {
        c.received += 1;
        if (c.received % SENDME_INCREMENT_CELLS === 0) {
          originate(c, { command: RELAY_SENDME, streamId: 0, data: new Uint8Array(0) });
        }
        c.streams.get(m.streamId)?.deliver(m);
        return;
      }
      case RELAY_SENDME:
        if (m.streamId === 0) {
          c.sendWindow = Math.min(c.sendWindow + SENDME_INCREMENT_CELLS, CIRCUIT_WINDOW_CELLS);
          const w = c.windowWaiters;
          c.windowWaiters = [];
          for (const f of w) f();
        } else c.streams.get(m.streamId)?.deliver(m);
        return;
      case RELAY_END:
        c.streams.get(m.streamId)?.deliver(m);
        c.streams.delete(m.streamId);
        return;
      case RELAY_DROP:
        return;
      default:
        destroy(c, DESTROY_PROTOCOL);
    }
  };

  const bad = (link: Link): void => {
    counters.dropped.malformed += 1;
    if (!badPerSource(link.peer)) {
      log.info('onion.link_dropped', { reason: 'malformed cells' });
      link.close();
    }
  };

  const create = (link: Link, circId: number, body: Uint8Array): void => {
    const refuse = () => {
      counters.dropped.limit += 1;
      link.send(encodeCell(circId, CELL_DESTROY, Uint8Array.of(DESTROY_RESOURCES)));
    };
    if (!createPerSource(link.peer) || !createTotal('all')) {
      counters.dropped.rate += 1;
      return;
    }
    if (circuits.has(key(link, circId))) {
      bad(link);
      return;
    }
    if (
      circuits.size >= RELAY_MAX_CIRCUITS_TOTAL ||
      (perSource.get(link.peer) ?? 0) >= RELAY_MAX_CIRCUITS_PER_SOURCE
    ) {
      refuse();
      return;
    }
    let answer: ReturnType<typeof relayRespond>;
    try {
      answer = relayRespond(init.relayId, init.keysFor, body.slice(0, CREATE_HANDSHAKE_BYTES), init.rng);
    } catch {
      bad(link);
      link.send(encodeCell(circId, CELL_DESTROY, Uint8Array.of(DESTROY_PROTOCOL)));
      return;
    }
    const c: RelayCircuit = {
      prev: { link, circId },
      next: undefined,
      hop: hopState(answer.keys),
      source: link.peer,
      streams: new Map(),
      extending: false,
      sendWindow: CIRCUIT_WINDOW_CELLS,
      windowWaiters: [],
      received: 0,
      dead: false,
      controller: new AbortController(),
    };
    circuits.set(key(link, circId), c);
    perSource.set(link.peer, (perSource.get(link.peer) ?? 0) + 1);
    counters.circuits = circuits.size;
    counters.circuitsOpened += 1;
    sendOn(c.prev, CELL_CREATED, answer.reply);
  };

  return {
    onInboundCell(link, bytes) {
      counters.cellsIn += 1;
      let cell: ReturnType<typeof decodeCell>;
      try {
        cell = decodeCell(bytes);
      } catch {
        bad(link);
        return;
      }
      const c = circuits.get(key(link, cell.circId));
      switch (cell.command) {
        case CELL_CREATE:
          create(link, cell.circId, cell.body);
          return;
        case CELL_RELAY: {
          if (!c) {
            counters.dropped.unrecognized += 1;
            return;
          }
          const r = relayForward(c.hop, cell.body);
          if (r.plain) onRecognized(c, r.plain);
          else if (c.next) {
            if (!sendOn(c.next, CELL_RELAY, r.body)) destroy(c, DESTROY_RESOURCES);
          } else {
            // For nobody: replayed, reordered or forged. The counters are out of step now.
            counters.dropped.unrecognized += 1;
            destroy(c, DESTROY_PROTOCOL);
          }
          return;
        }
        case CELL_DESTROY:
          if (c) destroy(c, DESTROY_FINISHED, false, true);
          return;
        case CELL_PADDING:
          return;
        default:
          bad(link);
      }
    },
    onInboundClosed(link) {
      for (const c of [...circuits.values()])
        if (c.prev.link === link) destroy(c, DESTROY_HOP_LOST, false, true);
    },
    counters: () => ({ ...counters, circuits: circuits.size, dropped: { ...counters.dropped } }),
    close() {
      for (const c of [...circuits.values()]) destroy(c, DESTROY_FINISHED);
    },
    onOutboundCell(link: Link, bytes: Uint8Array): boolean {
      const circId = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : 0;
      const k = key(link, circId);
      const waiting = pendingCreated.get(k);
      if (waiting && bytes[4] === CELL_CREATED) {
        pendingCreated.delete(k);
        waiting(bytes.slice(5));
        counters.cellsIn += 1;
        return true;
      }
      const c = nextCircuits.get(k);
      if (!c) return false;
      if (waiting && bytes[4] === CELL_DESTROY) {
        pendingCreated.delete(k);
        waiting(null);
        return true;
      }
      onBackwardCell(c, bytes);
      return true;
    },
    onOutboundClosed(link: Link): void {
      for (const [k, c] of [...nextCircuits]) {
        if (c.next?.link === link) {
          nextCircuits.delete(k);
          c.next = undefined;
          destroy(c, DESTROY_HOP_LOST, true, false);
        }
      }
    },
  };
}

/** The relay's handling of cells on outbound links (backward direction). */
export interface RelayOutbound {
  /** True when the cell belonged to a relay circuit (handled). */
  onOutboundCell(link: Link, bytes: Uint8Array): boolean;
  onOutboundClosed(link: Link): void;
}

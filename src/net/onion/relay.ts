/**
 * The relay side of `/pvt/onion/1.0.0` (docs/protocol/onion.md): circuits created by predecessors on
 * inbound links — CREATE answered with CREATED, RELAY cells layered and forwarded or, when recognized,
 * handled (EXTEND to a successor; BEGIN/DATA/END/SENDME go to the exit, relay-exit.ts), backward
 * cells layered and passed on, DESTROY both ways — asking the safety limits (relay-limits.ts: circuits,
 * CREATE rates, malformed cells) before it acts, and keeping its queues bounded. Counts, never logs,
 * who it serves. Must not know what an exit service does with a stream. Links and dialling are given
 * by the service (service.ts); knows nothing about libp2p.
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
  RELAY_BEGIN,
  RELAY_DATA,
  RELAY_DROP,
  RELAY_END,
  RELAY_EXTEND,
  RELAY_EXTENDED,
  RELAY_SENDME,
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
import { CircuitWindow } from './circuit-window.ts';
import { CREATE_TIMEOUT_MS, RELAY_QUEUE_CELLS } from './constants.ts';
import type { Link } from './link.ts';
import { createExit } from './relay-exit.ts';
import { createRelayLimits, type RelayCounters } from './relay-limits.ts';
import type { CellStream } from './stream.ts';

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
  readonly window: CircuitWindow;
  dead: boolean;
  readonly controller: AbortController;
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
  const limits = createRelayLimits(now);
  const counters = limits.counters;
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
    limits.closed(c.source, circuits.size);
    if (toPrev) sendOn(c.prev, CELL_DESTROY, Uint8Array.of(reason));
    if (c.next) {
      nextCircuits.delete(key(c.next.link, c.next.circId));
      if (toNext) sendOn(c.next, CELL_DESTROY, Uint8Array.of(reason));
    }
    for (const s of c.streams.values()) s.fail(new Error('circuit destroyed'));
    c.streams.clear();
    c.window.wake();
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

  const exit = createExit<RelayCircuit>({ service: init.service, originate, counters, logger: log });

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
      case RELAY_DATA:
      case RELAY_SENDME:
      case RELAY_END:
        exit.onStreamMessage(c, m);
        return;
      case RELAY_DROP:
        return;
      default:
        destroy(c, DESTROY_PROTOCOL);
    }
  };

  const bad = (link: Link): void => {
    if (!limits.malformedOk(link.peer)) {
      log.info('onion.link_dropped', { reason: 'malformed cells' });
      link.close();
    }
  };

  const create = (link: Link, circId: number, body: Uint8Array): void => {
    if (!limits.createAllowed(link.peer)) return;
    if (circuits.has(key(link, circId))) {
      bad(link);
      return;
    }
    if (!limits.roomFor(link.peer, circuits.size)) {
      link.send(encodeCell(circId, CELL_DESTROY, Uint8Array.of(DESTROY_RESOURCES)));
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
      window: new CircuitWindow(),
      dead: false,
      controller: new AbortController(),
    };
    circuits.set(key(link, circId), c);
    limits.opened(link.peer, circuits.size);
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
    counters: () => limits.snapshot(circuits.size),
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

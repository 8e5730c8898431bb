/**
 * The relay's safety limits and counters (docs/protocol/onion.md, "Relay safety limits"): CREATEs per
 * source and in total per second, circuits per source and in total, malformed cells per source (fixed
 * windows over a bounded number of sources), and the counters `pvt relay` shows. Counts sources (their
 * PeerId, in memory only), never logs them. Must not know cells, layers, links or circuits: the relay
 * (relay.ts) asks before it acts and reports what happened.
 */
import {
  RELAY_BAD_CELLS_PER_SOURCE,
  RELAY_CREATES_PER_SECOND_TOTAL,
  RELAY_CREATES_PER_SOURCE_PER_SECOND,
  RELAY_MAX_CIRCUITS_PER_SOURCE,
  RELAY_MAX_CIRCUITS_TOTAL,
} from './constants.ts';

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

export interface RelayLimits {
  /** The counters; the relay adds to them in place (cells, extends, streams, drops). */
  readonly counters: RelayCounters;
  /** Whether a CREATE from `source` is within the rates (per source, then in total); counts a drop when not. */
  createAllowed(source: string): boolean;
  /** Whether one more circuit from `source` fits, `open` circuits being open; counts a refusal when not. */
  roomFor(source: string, open: number): boolean;
  /** A circuit from `source` opened; `open` circuits now. */
  opened(source: string, open: number): void;
  /** A circuit from `source` closed; `open` circuits now. */
  closed(source: string, open: number): void;
  /** A malformed cell from `source` (counted): false once it has sent too many (drop its link). */
  malformedOk(source: string): boolean;
  /** A copy of the counters, `open` circuits being open. */
  snapshot(open: number): RelayCounters;
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

export function createRelayLimits(now: () => number): RelayLimits {
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
  return {
    counters,
    createAllowed(source) {
      if (!createPerSource(source) || !createTotal('all')) {
        counters.dropped.rate += 1;
        return false;
      }
      return true;
    },
    roomFor(source, open) {
      if (open >= RELAY_MAX_CIRCUITS_TOTAL || (perSource.get(source) ?? 0) >= RELAY_MAX_CIRCUITS_PER_SOURCE) {
        counters.dropped.limit += 1;
        return false;
      }
      return true;
    },
    opened(source, open) {
      perSource.set(source, (perSource.get(source) ?? 0) + 1);
      counters.circuits = open;
      counters.circuitsOpened += 1;
    },
    closed(source, open) {
      const left = (perSource.get(source) ?? 1) - 1;
      if (left <= 0) perSource.delete(source);
      else perSource.set(source, left);
      counters.circuits = open;
      counters.circuitsClosed += 1;
    },
    malformedOk(source) {
      counters.dropped.malformed += 1;
      return badPerSource(source);
    },
    snapshot: (open) => ({ ...counters, circuits: open, dropped: { ...counters.dropped } }),
  };
}

/**
 * A small per-peer rate limiter: fixed windows counting inbound streams, frames and bad frames per
 * remote PeerId, bounded in memory (least recently seen peers forgotten first). Answers "allowed?";
 * the caller decides to drop the stream or hang up. Pure bookkeeping; the clock is injected.
 */
import {
  PEER_BAD_FRAMES_PER_WINDOW,
  PEER_FRAMES_PER_WINDOW,
  PEER_STREAMS_PER_WINDOW,
  RATE_LIMIT_MAX_PEERS,
  RATE_WINDOW_MS,
} from './constants.ts';

export type RateKind = 'stream' | 'frame' | 'bad';

interface Window {
  start: number;
  stream: number;
  frame: number;
  bad: number;
}

const LIMITS: Record<RateKind, number> = {
  stream: PEER_STREAMS_PER_WINDOW,
  frame: PEER_FRAMES_PER_WINDOW,
  bad: PEER_BAD_FRAMES_PER_WINDOW,
};

export interface RateLimiter {
  /** Counts one event of `kind` for `peer`; false when the peer is over its limit for this window. */
  hit(peer: string, kind: RateKind): boolean;
  clear(): void;
}

export function createRateLimiter(
  now: () => number = Date.now,
  limits: Partial<Record<RateKind, number>> = {},
): RateLimiter {
  const max = { ...LIMITS, ...limits };
  const windows = new Map<string, Window>();
  return {
    hit(peer, kind) {
      const t = now();
      let w = windows.get(peer);
      if (w === undefined || t - w.start >= RATE_WINDOW_MS) {
        w = { start: t, stream: 0, frame: 0, bad: 0 };
      }
      windows.delete(peer); // re-insert: Map order = least recently seen first
      windows.set(peer, w);
      if (windows.size > RATE_LIMIT_MAX_PEERS) {
        const oldest = windows.keys().next().value;
        if (oldest !== undefined) windows.delete(oldest);
      }
      w[kind] += 1;
      return w[kind] <= max[kind];
    },
    clear() {
      windows.clear();
    },
  };
}

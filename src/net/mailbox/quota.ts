/**
 * Per-source deposit quotas of a mailbox (docs/mailbox.md, "Quotas"): deposits per short window and a
 * share of the capacity per hour, per source key (the previous hop as the transport names it). In memory
 * only and bounded (least recently seen sources forgotten first): sources are never written anywhere.
 * The clock is injected.
 */
import {
  MAILBOX_MAX_SOURCES,
  MAILBOX_SOURCE_DEPOSITS_PER_WINDOW,
  MAILBOX_SOURCE_SHARE_WINDOW_MS,
  MAILBOX_SOURCE_WINDOW_MS,
} from './constants.ts';

interface Windows {
  shortStart: number;
  short: number;
  longStart: number;
  long: number;
}

export interface SourceQuota {
  /** Counts one deposit of `source`; false (and not counted) when the source is over a quota. */
  take(source: string): boolean;
  clear(): void;
}

export function createSourceQuota(perShare: number, now: () => number = Date.now): SourceQuota {
  const sources = new Map<string, Windows>();
  return {
    take(source) {
      const t = now();
      let w = sources.get(source);
      if (w === undefined) w = { shortStart: t, short: 0, longStart: t, long: 0 };
      if (t - w.shortStart >= MAILBOX_SOURCE_WINDOW_MS) {
        w.shortStart = t;
        w.short = 0;
      }
      if (t - w.longStart >= MAILBOX_SOURCE_SHARE_WINDOW_MS) {
        w.longStart = t;
        w.long = 0;
      }
      sources.delete(source);
      sources.set(source, w);
      if (sources.size > MAILBOX_MAX_SOURCES) {
        const oldest = sources.keys().next().value;
        if (oldest !== undefined) sources.delete(oldest);
      }
      if (w.short >= MAILBOX_SOURCE_DEPOSITS_PER_WINDOW || w.long >= perShare) return false;
      w.short++;
      w.long++;
      return true;
    },
    clear() {
      sources.clear();
    },
  };
}

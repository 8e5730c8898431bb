/**
 * What `pvt relay`, `pvt relays` and `pvt circuits` ask of the onion service (the OnionControl
 * interface and its JSON answers), the address classes shown for hops (never the address itself), and
 * the circuit probe behind `pvt circuits --test`: frames through a circuit to an exit's "echo" service,
 * each checked, resuming on a new circuit when one dies (what a user of a stream does). Knows nothing
 * about cells.
 */

import type { Logger } from '../../log/logger.ts';
import { isLoopbackIp, subnetOf } from '../../protocol/onion/path.ts';
import type { OnionApi } from './api.ts';
import type { RelayListEntry } from './directory.ts';
import type { RelayCounters } from './relay-limits.ts';

export interface CircuitInfo {
  readonly id: number;
  readonly state: string;
  readonly ageMs: number;
  readonly cells: number;
  readonly streams: number;
  readonly hops: { readonly peerId: string; readonly short: string; readonly class: string }[];
}

export interface OnionStatus {
  readonly relay: {
    readonly enabled: boolean;
    /** The user chose (pvt relay on|off, the TUI's question, or --relay): the TUI asks only while false. */
    readonly answered: boolean;
    readonly serving: boolean;
    readonly reason: string;
    readonly keyRotatedAt: number;
    readonly descriptor: Record<string, unknown> | null;
    readonly counters: RelayCounters;
  };
  readonly client: {
    readonly relaysKnown: number;
    readonly circuits: number;
    /** Circuits carrying at least one open stream (traffic going through them now; the TUI's token). */
    readonly active: number;
    readonly counters: { built: number; failed: number; rebuilt: number };
  };
}

export interface ProbeOptions {
  /** Bytes to send through (default 1 MiB). */
  readonly bytes?: number;
  /** Frame size (default 16 KiB). */
  readonly frameBytes?: number;
  /** Pause between frames (tests: time to kill a relay mid-stream). */
  readonly paceMs?: number;
  /** Give up after this many new circuits (default 5). */
  readonly maxRebuilds?: number;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly bytes: number;
  readonly frames: number;
  readonly rebuilds: number;
  readonly ms: number;
  readonly error?: string;
}

export interface OnionControl {
  setRelay(on: boolean): Promise<OnionStatus>;
  status(): OnionStatus;
  relays(): { relays: RelayListEntry[]; bootstrap: string[] };
  addRelay(addr: string): Promise<{ added: string; relay: RelayListEntry | null; error?: string }>;
  removeRelay(what: string): Promise<{ removed: string[] }>;
  circuits(): CircuitInfo[];
  buildCircuit(options?: { exit?: string; service?: string }): Promise<CircuitInfo | null>;
  probe(options: ProbeOptions): Promise<ProbeResult>;
  discover(signal?: AbortSignal): Promise<number>;
}

/** A hop's address class: loopback, private, public IPv4/IPv6 — never the address. */
export function addressClass(ips: readonly string[]): string {
  if (ips.length === 0) return 'unknown';
  if (ips.every(isLoopbackIp)) return 'loopback';
  const publicIp = ips.find((ip) => {
    const s = subnetOf(ip) ?? '';
    return (
      !/^4:(10|127|192\.168|169\.254)\./.test(s) &&
      !/^4:172\.(1[6-9]|2\d|3[01])$/.test(s) &&
      !/^6:f[cd]/.test(s)
    );
  });
  if (!publicIp) return 'private';
  return publicIp.includes(':') ? 'public IPv6' : 'public IPv4';
}

/** Sends `bytes` through a circuit to an echo exit and checks every frame, resuming on a new circuit. */
export async function runProbe(api: OnionApi, options: ProbeOptions, log: Logger): Promise<ProbeResult> {
  const total = Math.max(1, Math.min(options.bytes ?? 1 << 20, 256 << 20));
  const frameBytes = Math.max(16, Math.min(options.frameBytes ?? 16 << 10, 60 << 10));
  const frames = Math.ceil(total / frameBytes);
  const maxRebuilds = options.maxRebuilds ?? 5;
  const started = Date.now();
  let confirmed = 0;
  let rebuilds = -1;
  let lastError = '';
  while (confirmed < frames && rebuilds < maxRebuilds) {
    rebuilds += 1;
    let stream: Awaited<ReturnType<OnionApi['openCircuitStream']>>;
    try {
      stream = await api.openCircuitStream({ service: 'echo' });
    } catch (error) {
      lastError = (error as Error).message;
      continue;
    }
    const it = stream[Symbol.asyncIterator]();
    try {
      while (confirmed < frames) {
        const frame = new Uint8Array(frameBytes);
        new DataView(frame.buffer).setUint32(0, confirmed);
        for (let i = 4; i < frame.length; i++) frame[i] = (confirmed + i) & 0xff;
        await stream.send(frame);
        const back = await it.next();
        if (back.done) throw new Error('the echo stream ended');
        if (back.value.length !== frame.length || !back.value.every((b, i) => b === frame[i])) {
          throw new Error('the echo differs from what was sent');
        }
        confirmed += 1;
        if (confirmed % 8 === 0) log.info('onion.probe_progress', { frames: confirmed, of: frames });
        if (options.paceMs) await new Promise((r) => setTimeout(r, options.paceMs));
      }
      await stream.close();
    } catch (error) {
      lastError = (error as Error).message;
      log.info('onion.probe_stream_lost', { frames: confirmed });
    }
  }
  const ok = confirmed === frames;
  return {
    ok,
    bytes: confirmed * frameBytes,
    frames: confirmed,
    rebuilds: Math.max(0, rebuilds),
    ms: Date.now() - started,
    ...(ok ? {} : { error: lastError || 'gave up' }),
  };
}

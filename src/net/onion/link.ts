/**
 * An onion link: one libp2p stream `/pvt/onion/1.0.0` between two nodes carrying fixed-size cells back
 * to back. Reads exactly CELL_BYTES at a time (never buffering more than one partial cell), writes whole
 * cells with back-pressure and a bounded queue (cells queued in the same tick go out in one write),
 * limits the cells per second it reads (pausing the reader), and can record the size of every write and
 * read to a tap file (PVT_ONION_TAP: byte and cell counts and a link number only — no address, no
 * PeerId) for the equal-length test. Knows nothing about circuits.
 */
import { appendFileSync } from 'node:fs';
import type { Stream } from '@libp2p/interface';
import { CELL_BYTES } from '../../protocol/onion/constants.ts';
import { LINK_MAX_PENDING_BYTES, RELAY_CELLS_PER_LINK_PER_SECOND } from './constants.ts';

type Chunk = Uint8Array | { subarray(): Uint8Array };

export interface Link {
  /** Link number in this process (for the tap and logs). */
  readonly id: number;
  /** The remote PeerId (string). */
  readonly peer: string;
  /** Whether we opened the stream (we then own the circuit ids of CREATEs on it). */
  readonly outbound: boolean;
  /** Queues one cell; false when the link is closed or its queue is full (the caller drops the circuit). */
  send(cell: Uint8Array): boolean;
  /** Cells waiting to be written. */
  queued(): number;
  readonly closed: boolean;
  close(): void;
}

export interface LinkHandlers {
  onCell(cell: Uint8Array): void;
  onClose(): void;
}

let nextLinkId = 1;
const LINK_MAX_QUEUE_CELLS = 4096;
/** Most cells written to the stream in one write. */
const LINK_BATCH_CELLS = 32;

function tap(line: string): void {
  const file = process.env.PVT_ONION_TAP;
  if (!file) return;
  try {
    appendFileSync(file, `${line}\n`);
  } catch {
    // the tap is for tests only; a failure to write it changes nothing
  }
}

/** Wraps `stream` as a link and starts reading; `handlers` receive every whole cell and the close. */
export function openLink(
  stream: Stream,
  peer: string,
  outbound: boolean,
  handlers: LinkHandlers,
  cellsPerSecond: number = RELAY_CELLS_PER_LINK_PER_SECOND,
): Link {
  const id = nextLinkId++;
  const queue: Uint8Array[] = [];
  let draining = false;
  let scheduled = false;
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    queue.length = 0;
    tap(`close ${process.pid}:${id}`);
    handlers.onClose();
  };
  const flush = async (): Promise<void> => {
    while (!closed && queue.length > 0) {
      // Whole cells only, several per write when they queue up (fewer stream frames, same bytes).
      const batch = queue.splice(0, LINK_BATCH_CELLS);
      const bytes = new Uint8Array(batch.length * CELL_BYTES);
      batch.forEach((cell, i) => {
        bytes.set(cell, i * CELL_BYTES);
      });
      tap(`w ${process.pid}:${id} ${bytes.length} ${batch.length}`);
      if (!stream.send(bytes)) {
        draining = true;
        try {
          await stream.onDrain();
        } catch {
          finish();
          return;
        }
        draining = false;
      }
    }
  };
  const link: Link = {
    id,
    peer,
    outbound,
    send(cell) {
      if (closed || cell.length !== CELL_BYTES || queue.length >= LINK_MAX_QUEUE_CELLS) return false;
      queue.push(cell);
      if (!draining && !scheduled) {
        scheduled = true;
        queueMicrotask(() => {
          scheduled = false;
          if (!draining) void flush();
        });
      }
      return true;
    },
    queued: () => queue.length,
    get closed() {
      return closed;
    },
    close() {
      if (closed) return;
      try {
        stream.abort(new Error('onion link closed'));
      } catch {
        // already gone
      }
      finish();
    },
  };
  stream.addEventListener('close', finish);
  void (async () => {
    const pending = new Uint8Array(LINK_MAX_PENDING_BYTES);
    let have = 0;
    let windowStart = Date.now();
    let inWindow = 0;
    try {
      for await (const raw of stream as AsyncIterable<Chunk>) {
        const chunk = raw instanceof Uint8Array ? raw : raw.subarray();
        tap(`r ${process.pid}:${id} ${chunk.length}`);
        let at = 0;
        while (at < chunk.length) {
          const n = Math.min(CELL_BYTES - have, chunk.length - at);
          pending.set(chunk.subarray(at, at + n), have);
          have += n;
          at += n;
          if (have === CELL_BYTES) {
            have = 0;
            const now = Date.now();
            if (now - windowStart >= 1000) {
              windowStart = now;
              inWindow = 0;
            }
            if (++inWindow > cellsPerSecond) {
              // Back-pressure: stop reading until the next second.
              await new Promise((r) => setTimeout(r, 1000 - (now - windowStart)));
              windowStart = Date.now();
              inWindow = 1;
            }
            if (closed) return;
            handlers.onCell(pending.slice(0, CELL_BYTES));
          }
        }
      }
    } catch {
      // the stream broke: handled as a close
    } finally {
      link.close();
    }
  })();
  return link;
}

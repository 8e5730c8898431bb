/**
 * One stream on a circuit, either end (client or exit): frames split into DATA cells (data[0] = 1 on a
 * frame's last fragment), reassembled on receipt, with a per-stream send window and SENDMEs sent as the
 * consumer takes frames (docs/protocol/onion.md, "Streams and flow control"). The circuit passes cells
 * in (`deliver`) and gives the stream a way to send relay messages out. Knows nothing about layers.
 */
import type { RelayMessage } from '../../protocol/onion/cell.ts';
import {
  ONION_MAX_FRAME_BYTES,
  RELAY_DATA,
  RELAY_DATA_MAX_BYTES,
  RELAY_END,
  RELAY_SENDME,
} from '../../protocol/onion/constants.ts';
import { StreamClosedError } from '../errors.ts';
import type { CircuitStream } from './api.ts';
import { SENDME_INCREMENT_CELLS, STREAM_WINDOW_CELLS } from './constants.ts';

const FRAGMENT_BYTES = RELAY_DATA_MAX_BYTES - 1;

export interface StreamPort {
  /** Sends one relay message on the circuit (waits for the circuit window for DATA). */
  send(message: RelayMessage): Promise<void>;
  /** The stream ended (both sides); the circuit forgets it. */
  closed(): void;
}

export interface CellStream extends CircuitStream {
  readonly streamId: number;
  /** A relay message for this stream arrived (DATA, END, SENDME). */
  deliver(message: RelayMessage): void;
  /** The circuit died: fail everything pending. */
  fail(error: Error): void;
}

export function createCellStream(streamId: number, service: string, port: StreamPort): CellStream {
  const frames: Uint8Array[] = [];
  let fragments: Uint8Array[] = [];
  let fragmentBytes = 0;
  let undelivered = 0; // DATA cells received whose frames the consumer has not taken yet
  const cellsOfFrame: number[] = [];
  let fragmentCells = 0;
  let sendWindow = STREAM_WINDOW_CELLS;
  let windowWaiters: (() => void)[] = [];
  let readWaiter: (() => void) | undefined;
  let ended = false; // the other side sent END
  let closedLocal = false;
  let failure: Error | undefined;
  let delivered = 0;

  const wakeWindow = () => {
    const w = windowWaiters;
    windowWaiters = [];
    for (const f of w) f();
  };
  const wakeRead = () => {
    const w = readWaiter;
    readWaiter = undefined;
    w?.();
  };
  const finish = () => {
    if (ended && closedLocal) port.closed();
  };

  const stream: CellStream = {
    streamId,
    service,
    async send(frame) {
      if (!(frame instanceof Uint8Array)) throw new TypeError('"frame" expected Uint8Array');
      if (frame.length > ONION_MAX_FRAME_BYTES) {
        throw new RangeError(`"frame" expected at most ${ONION_MAX_FRAME_BYTES} bytes, got ${frame.length}`);
      }
      let at = 0;
      do {
        if (failure || closedLocal || ended) throw new StreamClosedError();
        while (sendWindow <= 0) {
          await new Promise<void>((r) => windowWaiters.push(r));
          if (failure || closedLocal || ended) throw new StreamClosedError();
        }
        const n = Math.min(FRAGMENT_BYTES, frame.length - at);
        const data = new Uint8Array(n + 1);
        data[0] = at + n === frame.length ? 1 : 0;
        data.set(frame.subarray(at, at + n), 1);
        at += n;
        sendWindow -= 1;
        await port.send({ command: RELAY_DATA, streamId, data });
      } while (at < frame.length);
    },
    [Symbol.asyncIterator]() {
      return {
        next: async (): Promise<IteratorResult<Uint8Array>> => {
          for (;;) {
            const frame = frames.shift();
            if (frame !== undefined) {
              const cells = cellsOfFrame.shift() ?? 1;
              undelivered -= cells;
              delivered += cells;
              while (delivered >= SENDME_INCREMENT_CELLS) {
                delivered -= SENDME_INCREMENT_CELLS;
                if (!failure && !closedLocal) {
                  void port
                    .send({ command: RELAY_SENDME, streamId, data: new Uint8Array(0) })
                    .catch(() => {});
                }
              }
              return { value: frame, done: false };
            }
            if (failure) throw failure;
            if (ended || closedLocal) return { value: undefined, done: true };
            await new Promise<void>((r) => {
              readWaiter = r;
            });
          }
        },
        return: async (): Promise<IteratorResult<Uint8Array>> => {
          await stream.close();
          return { value: undefined, done: true };
        },
      };
    },
    async close() {
      if (closedLocal) return;
      closedLocal = true;
      wakeWindow();
      wakeRead();
      if (!failure && !ended) {
        await port.send({ command: RELAY_END, streamId, data: Uint8Array.of(0) }).catch(() => {});
      }
      ended = true;
      finish();
    },
    deliver(message) {
      if (failure) return;
      switch (message.command) {
        case RELAY_DATA: {
          if (ended || message.data.length < 1) return;
          undelivered += 1;
          fragmentCells += 1;
          // A peer that ignores the window: more undelivered cells than it may send.
          if (undelivered > STREAM_WINDOW_CELLS + SENDME_INCREMENT_CELLS) {
            stream.fail(new StreamClosedError());
            return;
          }
          const body = message.data.subarray(1);
          fragmentBytes += body.length;
          if (fragmentBytes > ONION_MAX_FRAME_BYTES) {
            stream.fail(new StreamClosedError());
            return;
          }
          fragments.push(body);
          if (message.data[0] === 1) {
            const frame = new Uint8Array(fragmentBytes);
            let at = 0;
            for (const f of fragments) {
              frame.set(f, at);
              at += f.length;
            }
            frames.push(frame);
            cellsOfFrame.push(fragmentCells);
            fragments = [];
            fragmentBytes = 0;
            fragmentCells = 0;
            wakeRead();
          }
          return;
        }
        case RELAY_SENDME:
          sendWindow += SENDME_INCREMENT_CELLS;
          wakeWindow();
          return;
        case RELAY_END:
          ended = true;
          wakeRead();
          wakeWindow();
          closedLocal = true;
          finish();
          return;
        default:
          return;
      }
    },
    fail(error) {
      if (failure) return;
      failure = error;
      wakeRead();
      wakeWindow();
      port.closed();
    },
  };
  return stream;
}

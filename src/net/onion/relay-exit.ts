/**
 * The exit end of relay circuits (docs/protocol/onion.md, "Streams and flow control"): BEGIN opens a
 * stream to one of this node's exit services (or is answered END), DATA, SENDME and END go to the
 * circuit's streams, and what the services send back is paced by the circuit window. Must not know
 * links, layers, the relay's limits, or how the circuit came to be: the relay (relay.ts) passes in the
 * stream messages it recognized and gives `originate` to send toward the client.
 */
import type { Logger } from '../../log/logger.ts';
import type { RelayMessage } from '../../protocol/onion/cell.ts';
import {
  END_NO_SERVICE,
  END_RESOURCES,
  RELAY_BEGIN,
  RELAY_CONNECTED,
  RELAY_DATA,
  RELAY_END,
  RELAY_SENDME,
  SERVICE_NAME_PATTERN,
} from '../../protocol/onion/constants.ts';
import type { ExitServiceHandler } from './api.ts';
import type { CircuitWindow } from './circuit-window.ts';
import { MAX_STREAMS_PER_CIRCUIT } from './constants.ts';
import { type CellStream, createCellStream } from './stream.ts';

/** What the exit uses of a relay circuit. */
export interface ExitCircuit {
  readonly streams: Map<number, CellStream>;
  readonly window: CircuitWindow;
  readonly controller: AbortController;
  readonly dead: boolean;
  /** Set once the circuit goes on to a successor: it is no exit then. */
  readonly next: object | undefined;
}

export interface ExitInit<C extends ExitCircuit> {
  readonly service: (name: string) => ExitServiceHandler | undefined;
  /** Sends a relay message toward the client; false when the circuit is (now) destroyed. */
  readonly originate: (c: C, message: RelayMessage) => boolean;
  /** Where the streams opened are counted. */
  readonly counters: { streams: number };
  readonly logger: Logger;
}

export interface Exit<C extends ExitCircuit> {
  /** A recognized BEGIN, DATA, SENDME or END on `c`. */
  onStreamMessage(c: C, m: RelayMessage): void;
}

export function createExit<C extends ExitCircuit>(init: ExitInit<C>): Exit<C> {
  const { originate, counters } = init;
  const log = init.logger;

  const portFor = (c: C, streamId: number) => ({
    async send(message: RelayMessage): Promise<void> {
      if (message.command === RELAY_DATA) {
        const waiting = c.window.spend(() => c.dead);
        if (waiting) await waiting;
      }
      if (!originate(c, message)) throw new Error('circuit destroyed');
    },
    closed() {
      c.streams.delete(streamId);
    },
  });

  const begin = (c: C, streamId: number, data: Uint8Array): void => {
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

  return {
    onStreamMessage(c, m) {
      switch (m.command) {
        case RELAY_BEGIN:
          begin(c, m.streamId, m.data);
          return;
        case RELAY_DATA: {
          if (c.window.received()) {
            originate(c, { command: RELAY_SENDME, streamId: 0, data: new Uint8Array(0) });
          }
          c.streams.get(m.streamId)?.deliver(m);
          return;
        }
        case RELAY_SENDME:
          if (m.streamId === 0) c.window.credit();
          else c.streams.get(m.streamId)?.deliver(m);
          return;
        case RELAY_END:
          c.streams.get(m.streamId)?.deliver(m);
          c.streams.delete(m.streamId);
          return;
        default:
          return;
      }
    },
  };
}

/**
 * The /pvt/mailbox/1.0.0 protocol handler (docs/mailbox.md): open to anyone — deposits need a proof of
 * work, fetches and deletes a capability — bounded in concurrent streams (all peers, and per
 * connection), time limited per stream, frames capped at one deposit. Each frame is one request handed
 * to the MailboxServer, answered in order. Served only while a server is attached (`serve`), so
 * `pvt mailbox serve on|off` takes effect on a running node. Also offers the direct client transport.
 * libp2p service shape; never logs who asked.
 */
import type { Connection, Libp2p, Startable, Stream } from '@libp2p/interface';
import type { Logger } from '../../log/logger.ts';
import { MAILBOX_MAX_REQUEST_BYTES } from '../../protocol/mailbox/constants.ts';
import { decodeResponse } from '../../protocol/mailbox/wire.ts';
import { BadFrameError, NetworkStoppedError } from '../errors.ts';
import { frameReader, writeFrame } from '../frames.ts';
import type { ExitServiceHandler, OnionApi } from '../onion/api.ts';
import {
  MAILBOX_BAD_REQUESTS_PER_STREAM,
  MAILBOX_MAX_STREAMS,
  MAILBOX_MAX_STREAMS_PER_CONNECTION,
  MAILBOX_PROTOCOL,
  MAILBOX_STREAM_IDLE_MS,
} from './constants.ts';
import type { MailboxServer } from './server.ts';
import {
  createDirectMailboxTransport,
  createOnionMailboxTransport,
  MAILBOX_EXIT_SERVICE,
  type MailboxTransport,
} from './transport.ts';

export interface MailboxServiceComponents {
  readonly libp2p: Libp2p;
  readonly logger: Logger;
}

export interface MailboxService extends Startable {
  /** Attaches a server (start answering) or detaches it (undefined: the protocol is no longer offered). */
  serve(server: MailboxServer | undefined): Promise<void>;
  /** The server attached, if any. */
  readonly server: MailboxServer | undefined;
  /** Direct dialling of other mailboxes (tests that say so; it shows the mailbox who asks). */
  readonly direct: MailboxTransport;
  /** Through a 3-hop onion circuit whose exit is the mailbox: what clients use (undefined without onion). */
  onion(): MailboxTransport | undefined;
}

export interface MailboxServiceInit {
  /** The node's onion layer, once started: the mailbox is also an exit service there. */
  readonly onion?: () => OnionApi | undefined;
}

function isMalformedRefusal(response: Uint8Array): boolean {
  try {
    const r = decodeResponse(response);
    return r.kind === 'refused' && r.reason === 'malformed';
  } catch {
    return false;
  }
}

export function createMailboxService(
  init: MailboxServiceInit = {},
): (components: MailboxServiceComponents) => MailboxService {
  return ({ libp2p, logger }) => {
    const log = logger.child('mailbox');
    const live = new Set<Stream>();
    let server: MailboxServer | undefined;
    let started = false;
    let handling = false;
    let unregisterExit: (() => void) | undefined;
    let circuitStreams = 0;
    let onionTransport: MailboxTransport | undefined;

    // At the exit of a circuit: the handler learns nothing about the client; each stream is its own
    // source for the quota (the circuit's previous hop is not known here).
    const exitHandler: ExitServiceHandler = async (stream, { signal }) => {
      const current = server;
      if (!current || live.size + circuitStreams >= MAILBOX_MAX_STREAMS) return;
      circuitStreams++;
      const source = `circuit-${circuitStreams}-${Math.random()}`;
      let bad = 0;
      try {
        for await (const frame of stream) {
          if (signal.aborted || frame.length > MAILBOX_MAX_REQUEST_BYTES) break;
          const response = await current.handle(frame, source);
          await stream.send(response);
          if (isMalformedRefusal(response) && ++bad >= MAILBOX_BAD_REQUESTS_PER_STREAM) break;
        }
      } catch (error) {
        log.debug('mailbox.circuit_stream_dropped', {
          code: String((error as { code?: unknown }).code ?? 'error'),
        });
      } finally {
        circuitStreams--;
        await stream.close().catch(() => undefined);
      }
    };
    const syncExit = () => {
      const onion = init.onion?.();
      if (started && server && onion && !unregisterExit)
        unregisterExit = onion.registerExitService(MAILBOX_EXIT_SERVICE, exitHandler);
      if ((!started || !server) && unregisterExit) {
        unregisterExit();
        unregisterExit = undefined;
      }
    };

    const handler = async (stream: Stream, connection: Connection): Promise<void> => {
      const current = server;
      if (!current || live.size >= MAILBOX_MAX_STREAMS) {
        stream.abort(new BadFrameError('mailbox busy'));
        return;
      }
      // The previous hop, for the in-memory quota only (never stored, never logged).
      const source = connection.remotePeer.toString();
      stream.inactivityTimeout = MAILBOX_STREAM_IDLE_MS;
      live.add(stream);
      const reader = frameReader(stream, MAILBOX_MAX_REQUEST_BYTES);
      let bad = 0;
      try {
        for (;;) {
          const frame = await reader.next();
          if (frame === null) break;
          const response = await current.handle(frame, source);
          await writeFrame(stream, response);
          if (isMalformedRefusal(response) && ++bad >= MAILBOX_BAD_REQUESTS_PER_STREAM) {
            throw new BadFrameError('malformed mailbox requests');
          }
        }
        await stream.close().catch(() => undefined);
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)));
        log.debug('mailbox.stream_dropped', { code: String((error as { code?: unknown }).code ?? 'error') });
      } finally {
        live.delete(stream);
      }
    };

    const register = async () => {
      if (handling || !started || !server) return;
      handling = true;
      await libp2p.handle(MAILBOX_PROTOCOL, handler, {
        maxInboundStreams: MAILBOX_MAX_STREAMS_PER_CONNECTION,
      });
    };
    const unregister = async () => {
      if (!handling) return;
      handling = false;
      await libp2p.unhandle(MAILBOX_PROTOCOL).catch(() => undefined);
      for (const s of live) s.abort(new NetworkStoppedError());
      live.clear();
    };

    return {
      get server() {
        return server;
      },
      direct: createDirectMailboxTransport(libp2p),
      onion() {
        const onion = init.onion?.();
        if (!onion) return undefined;
        onionTransport ??= createOnionMailboxTransport(libp2p, onion);
        return onionTransport;
      },
      async serve(next) {
        server = next;
        if (next) await register();
        else await unregister();
        syncExit();
      },
      async start() {
        started = true;
        await register();
        syncExit();
      },
      async stop() {
        started = false;
        syncExit();
        await unregister();
      },
    };
  };
}

/**
 * How a mailbox client reaches a mailbox: a `MailboxTransport` opens a request/response channel to the
 * mailbox named by a locator. The direct transport (this file) dials the mailbox's node over libp2p —
 * it shows the mailbox our transport PeerId and address, so it is for tests and for a user's own
 * mailbox; the onion transport (docs/mailbox.md, "Transports") opens the same channel through a circuit
 * whose exit is the mailbox. Knows nothing about requests' meaning.
 */
import type { Libp2p, Stream } from '@libp2p/interface';
import { MAILBOX_MAX_REQUEST_BYTES, MAILBOX_MAX_RESPONSE_BYTES } from '../../protocol/mailbox/constants.ts';
import type { MailboxLocator } from '../../protocol/mailbox/locator.ts';
import { multiaddrsFromBytes, peerIdFromBytes } from '../addresses.ts';
import { PeerUnreachableError, StreamClosedError } from '../errors.ts';
import { frameReader, writeFrame } from '../frames.ts';
import type { CircuitStream, OnionApi } from '../onion/api.ts';
import { MAILBOX_PROTOCOL, MAILBOX_REQUEST_TIMEOUT_MS } from './constants.ts';

/** The exit service name of a mailbox on the onion layer. */
export const MAILBOX_EXIT_SERVICE = 'mailbox';

/** One conversation with a mailbox: requests answered in order. */
export interface MailboxChannel {
  /** Sends one encoded request and resolves with the encoded response. */
  request(request: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface MailboxTransport {
  /** Which transport this is ('direct' shows the mailbox who asks; 'onion' does not). */
  readonly kind: 'direct' | 'onion';
  open(mailbox: MailboxLocator, options?: { signal?: AbortSignal }): Promise<MailboxChannel>;
}

/**
 * A channel whose requests run one at a time, in order, each bounded by MAILBOX_REQUEST_TIMEOUT_MS and
 * the caller's signal (`abort` tears the underlying stream down when either fires): `exchange` writes
 * one request and reads its answer.
 */
function orderedChannel(
  exchange: (request: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>,
  abort: () => void,
  close: () => Promise<void>,
): MailboxChannel {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    request(request, options = {}) {
      const run = async () => {
        const signal = AbortSignal.any([
          AbortSignal.timeout(MAILBOX_REQUEST_TIMEOUT_MS),
          ...(options.signal ? [options.signal] : []),
        ]);
        signal.addEventListener('abort', abort, { once: true });
        try {
          return await exchange(request, signal);
        } finally {
          signal.removeEventListener('abort', abort);
        }
      };
      const p = chain.then(run, run);
      chain = p.catch(() => undefined);
      return p;
    },
    close,
  };
}

/** A channel over one libp2p stream carrying length-prefixed frames (the direct transport's). */
export function channelOverStream(stream: Stream): MailboxChannel {
  const reader = frameReader(stream, MAILBOX_MAX_RESPONSE_BYTES);
  return orderedChannel(
    async (request, signal) => {
      await writeFrame(stream, request, MAILBOX_MAX_REQUEST_BYTES, { signal });
      const frame = await reader.next();
      if (frame === null) throw new StreamClosedError('the mailbox closed the stream');
      return frame;
    },
    () => stream.abort(new StreamClosedError('mailbox request timed out')),
    async () => {
      await stream.close().catch(() => stream.abort(new StreamClosedError()));
    },
  );
}

/** Dials the mailbox's node directly (tests, and a mailbox on one's own machine). */
export function createDirectMailboxTransport(libp2p: Libp2p): MailboxTransport {
  return {
    kind: 'direct',
    async open(mailbox, options = {}) {
      const peerId = peerIdFromBytes(mailbox.peerId);
      if (peerId === undefined) throw new PeerUnreachableError('the mailbox locator has no valid PeerId');
      const addrs = multiaddrsFromBytes(mailbox.addrs);
      if (addrs.length > 0) await libp2p.peerStore.merge(peerId, { multiaddrs: addrs });
      const signal = AbortSignal.any([
        AbortSignal.timeout(MAILBOX_REQUEST_TIMEOUT_MS),
        ...(options.signal ? [options.signal] : []),
      ]);
      try {
        return channelOverStream(await libp2p.dialProtocol(peerId, MAILBOX_PROTOCOL, { signal }));
      } catch (error) {
        throw new PeerUnreachableError(`mailbox: ${(error as Error).message}`, error);
      }
    },
  };
}

/** A channel over a circuit stream to the mailbox exit service (frames are whole messages there). */
export function channelOverCircuit(stream: CircuitStream): MailboxChannel {
  const it = stream[Symbol.asyncIterator]();
  return orderedChannel(
    async (request) => {
      await stream.send(request);
      const r = await it.next();
      if (r.done) throw new StreamClosedError('the mailbox closed the circuit stream');
      if (r.value.length > MAILBOX_MAX_RESPONSE_BYTES) throw new StreamClosedError('oversize mailbox answer');
      return r.value;
    },
    () => void stream.close(),
    () => stream.close(),
  );
}

/**
 * Through a 3-hop onion circuit whose exit is the mailbox's node (docs/protocol/onion.md, "Client
 * API"): the mailbox sees neither our PeerId nor our address. The mailbox's addresses from its locator
 * go into the peer store so the onion layer can fetch its descriptor from it.
 */
export function createOnionMailboxTransport(libp2p: Libp2p, onion: OnionApi): MailboxTransport {
  return {
    kind: 'onion',
    async open(mailbox, options = {}) {
      const peerId = peerIdFromBytes(mailbox.peerId);
      if (peerId === undefined) throw new PeerUnreachableError('the mailbox locator has no valid PeerId');
      const addrs = multiaddrsFromBytes(mailbox.addrs);
      if (addrs.length > 0) await libp2p.peerStore.merge(peerId, { multiaddrs: addrs });
      // The signal given to the onion layer closes the stream when it aborts, so no timeout goes there:
      // the onion layer bounds the build itself.
      try {
        const stream = await onion.openCircuitStream({
          exit: peerId.toString(),
          service: MAILBOX_EXIT_SERVICE,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return channelOverCircuit(stream);
      } catch (error) {
        throw new PeerUnreachableError(`mailbox through a circuit: ${(error as Error).message}`, error);
      }
    },
  };
}

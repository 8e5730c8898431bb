/**
 * The /pvt/invite/1.0.0 protocol (docs/messaging.md, "Invite stream"): one bidirectional stream per
 * join attempt carrying the four handshake messages as frames (at most MAX_INVITE_FRAME_BYTES each).
 * Open to anyone — the first message is sealed under the invite secret, so a stranger without it gets
 * nothing — but rate limited per peer, time limited per stream, and a peer whose attempts keep failing
 * is hung up on. The handshake itself is the app's (it is handed a FrameChannel). libp2p service shape.
 */
import type { AbortOptions, Connection, Libp2p, PeerId, Startable, Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log/logger.ts';
import {
  INVITE_HANDSHAKE_TIMEOUT_MS,
  INVITE_PROTOCOL,
  MAX_INBOUND_STREAMS,
  MAX_INVITE_FRAME_BYTES,
} from './constants.ts';
import { BadFrameError, NetworkStoppedError, PeerUnreachableError, StreamClosedError } from './errors.ts';
import { frameReader, writeFrame } from './frames.ts';
import type { RateLimiter } from './rate-limit.ts';

/** A request/response conversation of frames over one stream. */
export interface FrameChannel {
  /** The next frame; StreamClosedError when the peer ended the stream. */
  read(): Promise<Uint8Array>;
  write(frame: Uint8Array): Promise<void>;
  /** Closes our side gracefully. */
  close(): Promise<void>;
  /** Drops the stream at once. */
  abort(error: Error): void;
}

export interface InviteServiceInit {
  /**
   * Runs the inviter's side of a handshake on an inbound stream. Rejecting drops the stream and counts
   * as a bad attempt of the peer. `peerId` is the authenticated transport PeerId of the other side.
   */
  readonly onInviteStream: (channel: FrameChannel, peerId: PeerId, options: AbortOptions) => Promise<void>;
}

export interface InviteServiceComponents {
  readonly libp2p: Libp2p;
  readonly limiter: RateLimiter;
  readonly logger: Logger;
}

export interface InviteService extends Startable {
  /** Dials the inviter at `addrs` (and whatever the peer store knows) and opens an invite stream. */
  open(peerId: PeerId, addrs: readonly Multiaddr[], options?: AbortOptions): Promise<FrameChannel>;
}

function channelOf(stream: Stream, signal: AbortSignal): FrameChannel {
  const reader = frameReader(stream, MAX_INVITE_FRAME_BYTES);
  return {
    async read() {
      const frame = await reader.next();
      if (frame === null) throw new StreamClosedError();
      return frame;
    },
    write(frame) {
      return writeFrame(stream, frame, MAX_INVITE_FRAME_BYTES, { signal });
    },
    async close() {
      await stream.close({ signal }).catch(() => undefined);
    },
    abort(error) {
      stream.abort(error);
    },
  };
}

export function createInviteService(
  init: InviteServiceInit,
): (components: InviteServiceComponents) => InviteService {
  return (components) => {
    const { libp2p, limiter } = components;
    const log = components.logger.child('invite');
    const live = new Set<Stream>();
    let controller: AbortController | undefined;

    const handler = async (stream: Stream, connection: Connection): Promise<void> => {
      const peer = connection.remotePeer;
      const key = peer.toString();
      if (!controller || !limiter.hit(key, 'stream')) {
        log.warn('invite.rate_limited');
        stream.abort(new BadFrameError('too many invite attempts'));
        return;
      }
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(INVITE_HANDSHAKE_TIMEOUT_MS)]);
      const onAbort = () => stream.abort(new BadFrameError('invite handshake timed out'));
      signal.addEventListener('abort', onAbort, { once: true });
      live.add(stream);
      try {
        await init.onInviteStream(channelOf(stream, signal), peer, { signal });
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)));
        log.info('invite.attempt_failed', { code: (error as { code?: string }).code ?? 'unknown' });
        if (!limiter.hit(key, 'bad')) {
          log.warn('invite.hang_up', { reason: 'failed attempts' });
          await libp2p.hangUp(peer).catch(() => undefined);
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        live.delete(stream);
      }
    };

    return {
      async start() {
        if (controller) return;
        controller = new AbortController();
        await libp2p.handle(INVITE_PROTOCOL, handler, { maxInboundStreams: MAX_INBOUND_STREAMS });
      },
      async stop() {
        if (!controller) return;
        controller.abort();
        controller = undefined;
        await libp2p.unhandle(INVITE_PROTOCOL).catch(() => undefined);
        for (const s of live) s.abort(new NetworkStoppedError());
        live.clear();
      },
      async open(peerId, addrs, options = {}) {
        if (!controller) throw new NetworkStoppedError();
        const signal = AbortSignal.any([
          controller.signal,
          AbortSignal.timeout(INVITE_HANDSHAKE_TIMEOUT_MS),
          ...(options.signal ? [options.signal] : []),
        ]);
        if (addrs.length > 0) await libp2p.peerStore.merge(peerId, { multiaddrs: [...addrs] });
        let stream: Stream;
        try {
          stream = await libp2p.dialProtocol(peerId, INVITE_PROTOCOL, { signal });
        } catch (error) {
          if (options.signal?.aborted) throw error;
          throw new PeerUnreachableError((error as Error).message, error);
        }
        live.add(stream);
        const onAbort = () => stream.abort(new BadFrameError('invite handshake timed out'));
        signal.addEventListener('abort', onAbort, { once: true });
        stream.addEventListener('close', () => {
          live.delete(stream);
          signal.removeEventListener('abort', onAbort);
        });
        return channelOf(stream, signal);
      },
    };
  };
}

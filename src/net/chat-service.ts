/**
 * The /pvt/chat/1.0.0 protocol (docs/messaging.md, "Chat stream"): unidirectional streams of frames,
 * each `0x01 ‖ ratchet message`. Inbound streams are accepted only from transport PeerIds of contacts
 * (anyone else: aborted at once, before a byte is read) and are read one frame at a time, each handed to
 * the app and awaited (so order is kept and nothing is acknowledged before it is stored). Outbound: one
 * reused stream per contact, opened on demand. Garbage and oversize frames drop the stream, a flood of
 * frames is slowed down, too many streams are refused; a peer that keeps sending bad frames is hung up
 * on. Never throws at a peer. libp2p service shape.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { AbortOptions, Connection, Libp2p, PeerId, Startable, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Logger } from '../log/logger.ts';
import {
  CHAT_FRAME_RATCHET,
  CHAT_PROTOCOL,
  MAX_INBOUND_STREAMS,
  MAX_OUTBOUND_STREAMS,
  MAX_STREAM_FRAME_BYTES,
  RATE_BACKOFF_MS,
  STREAM_IDLE_TIMEOUT_MS,
} from './constants.ts';
import { BadFrameError, NetworkStoppedError } from './errors.ts';
import { frameReader, writeFrame } from './frames.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface ChatServiceInit {
  /** Whether this transport PeerId (string form) belongs to a contact. */
  readonly isContact: (peerId: string) => boolean;
  /**
   * One inbound ratchet message from a contact's peer. Resolves once handled (stored and acknowledged,
   * or dropped); rejecting with `bad: true` counts against the peer. Frames of a stream are sequential.
   */
  readonly onMessage: (peerId: string, message: Uint8Array) => Promise<void>;
  /** Our outbound stream to a peer closed or broke (what was written on it may not have arrived). */
  readonly onOutboundClosed?: (peerId: string) => void;
}

export interface ChatServiceComponents {
  readonly libp2p: Libp2p;
  readonly limiter: RateLimiter;
  readonly logger: Logger;
}

export interface ChatService extends Startable {
  /**
   * Writes ratchet messages, in order, on the outbound stream to `peerId` (opened — and the peer dialled
   * from its known addresses — when needed). Resolves when all were handed to the connection.
   */
  send(peerId: string, messages: readonly Uint8Array[], options?: AbortOptions): Promise<void>;
  /** Closes the outbound stream to a peer (contact removed). */
  drop(peerId: string): void;
}

const PEER_FAULTS = new Set(['FrameTooLarge', 'FrameTruncated', 'BadFrame']);

/** A failure the peer caused (bad frame), as opposed to the stream simply going away. */
function isPeerFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PEER_FAULTS.has(code);
}

export function createChatService(init: ChatServiceInit): (components: ChatServiceComponents) => ChatService {
  return (components) => {
    const { libp2p, limiter } = components;
    const log = components.logger.child('chat');
    const outbound = new Map<string, Promise<Stream>>();
    const inbound = new Set<Stream>();
    let controller: AbortController | undefined;

    const refuse = (stream: Stream, reason: string) => {
      stream.abort(new BadFrameError(reason));
    };

    const handler = async (stream: Stream, connection: Connection): Promise<void> => {
      const peer = connection.remotePeer.toString();
      if (!init.isContact(peer)) {
        log.debug('chat.refused_stranger');
        refuse(stream, 'not a contact');
        return;
      }
      if (!limiter.hit(peer, 'stream')) {
        log.warn('chat.rate_limited', { what: 'stream' });
        refuse(stream, 'too many streams');
        return;
      }
      stream.inactivityTimeout = STREAM_IDLE_TIMEOUT_MS;
      inbound.add(stream);
      const reader = frameReader(stream, MAX_STREAM_FRAME_BYTES);
      try {
        for (;;) {
          const frame = await reader.next();
          if (frame === null) break;
          // A contact over its frame budget is slowed down (back-pressure), not cut off.
          while (!limiter.hit(peer, 'frame'))
            await delay(RATE_BACKOFF_MS, undefined, { signal: controller?.signal });
          if (frame.length < 2 || frame[0] !== CHAT_FRAME_RATCHET)
            throw new BadFrameError('unknown frame type');
          await init.onMessage(peer, frame.subarray(1));
        }
        await stream.close().catch(() => undefined);
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)));
        if (isPeerFault(error)) {
          log.warn('chat.bad_stream', { code: String((error as { code?: unknown }).code) });
          if (!limiter.hit(peer, 'bad')) {
            log.warn('chat.hang_up', { reason: 'bad frames' });
            await libp2p.hangUp(connection.remotePeer).catch(() => undefined);
          }
        }
      } finally {
        inbound.delete(stream);
      }
    };

    const open = (peerId: PeerId, options: AbortOptions): Promise<Stream> => {
      const key = peerId.toString();
      let pending = outbound.get(key);
      if (pending === undefined) {
        pending = libp2p.dialProtocol(peerId, CHAT_PROTOCOL, options).then((stream) => {
          stream.inactivityTimeout = STREAM_IDLE_TIMEOUT_MS;
          stream.addEventListener('close', () => {
            if (outbound.get(key) === pending) outbound.delete(key);
            init.onOutboundClosed?.(key);
          });
          return stream;
        });
        const mine = pending;
        outbound.set(key, mine);
        mine.catch(() => {
          if (outbound.get(key) === mine) outbound.delete(key);
        });
      }
      return pending;
    };

    return {
      async start() {
        if (controller) return;
        controller = new AbortController();
        await libp2p.handle(CHAT_PROTOCOL, handler, {
          maxInboundStreams: MAX_INBOUND_STREAMS,
          maxOutboundStreams: MAX_OUTBOUND_STREAMS,
        });
      },
      async stop() {
        if (!controller) return;
        controller.abort();
        controller = undefined;
        await libp2p.unhandle(CHAT_PROTOCOL).catch(() => undefined);
        for (const p of outbound.values())
          p.then((s) => s.abort(new NetworkStoppedError())).catch(() => undefined);
        outbound.clear();
        for (const s of inbound) s.abort(new NetworkStoppedError());
        inbound.clear();
      },
      async send(peerId, messages, options = {}) {
        if (!controller) throw new NetworkStoppedError();
        const signal = options.signal
          ? AbortSignal.any([options.signal, controller.signal])
          : controller.signal;
        const stream = await open(peerIdFromString(peerId), { signal });
        try {
          for (const m of messages) {
            const frame = new Uint8Array(1 + m.length);
            frame[0] = CHAT_FRAME_RATCHET;
            frame.set(m, 1);
            await writeFrame(stream, frame, MAX_STREAM_FRAME_BYTES, { signal });
          }
        } catch (error) {
          stream.abort(error instanceof Error ? error : new Error(String(error)));
          throw error;
        }
      },
      drop(peerId) {
        const p = outbound.get(peerId);
        outbound.delete(peerId);
        p?.then((s) => s.abort(new NetworkStoppedError())).catch(() => undefined);
      },
    };
  };
}

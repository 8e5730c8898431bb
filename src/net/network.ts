/**
 * The network of a running profile: starts the libp2p node (node.ts) and the pvt services on it — chat
 * (contact-gated), invite (open, secret-gated), presence (dialling contacts) — with one shared per-peer
 * rate limiter, and reports address changes. Every other protocol is refused by libp2p's protocol
 * negotiation (only identify and ping are registered besides ours). stop() closes every stream,
 * connection, socket and timer. The app reaches the network only through this object.
 */
import type { AbortOptions, Libp2p, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../store/logger.ts';
import { shareableAddrs } from './addresses.ts';
import { type ChatService, createChatService } from './chat-service.ts';
import { NetworkStoppedError } from './errors.ts';
import { createInviteService, type FrameChannel, type InviteService } from './invite-service.ts';
import { startNode } from './node.ts';
import { createPresence, type Path, type Presence } from './presence.ts';
import { createRateLimiter } from './rate-limit.ts';

export type { FrameChannel, Path };

export interface NetworkInit {
  readonly transportSeed: Uint8Array;
  /** Preferred TCP port (0 = random). */
  readonly port: number;
  readonly mdns: boolean;
  readonly loopbackOnly: boolean;
  /** Whether a transport PeerId (string) belongs to a contact: the chat gate. */
  readonly isContact: (peerId: string) => boolean;
  readonly onChatMessage: (peerId: string, message: Uint8Array) => Promise<void>;
  readonly onChatStreamLost: (peerId: string) => void;
  readonly onInviteStream: (channel: FrameChannel, peerId: PeerId, options: AbortOptions) => Promise<void>;
  readonly onOnline: (peerId: string, path: Path) => void;
  readonly onOffline: (peerId: string) => void;
  /** The node's shareable addresses changed (after start, on interface changes). */
  readonly onAddressesChanged: () => void;
  readonly logger: Logger;
}

export interface Network {
  readonly peerId: PeerId;
  /** The TCP port listened on (to be remembered). */
  readonly port: number;
  /** Multiaddrs worth giving to contacts (best first, at most `max`), without /p2p/. */
  shareable(max: number): Multiaddr[];
  /** Every listening multiaddr, with /p2p/. */
  listening(): string[];
  readonly chat: ChatService;
  readonly invite: InviteService;
  readonly presence: Presence;
  stop(): Promise<void>;
}

/** Starts the node and its services; ListenFailedError when no port works. */
export async function startNetwork(init: NetworkInit): Promise<Network> {
  const logger = init.logger.child('net');
  const { libp2p, port } = await startNode({
    transportSeed: init.transportSeed,
    port: init.port,
    mdns: init.mdns,
    loopbackOnly: init.loopbackOnly,
  });
  const limiter = createRateLimiter();
  const components = { libp2p: libp2p as Libp2p, limiter, logger };
  const chat = createChatService({
    isContact: init.isContact,
    onMessage: init.onChatMessage,
    onOutboundClosed: init.onChatStreamLost,
  })(components);
  const invite = createInviteService({ onInviteStream: init.onInviteStream })(components);
  const presence = createPresence({
    isContact: init.isContact,
    onOnline: init.onOnline,
    onOffline: init.onOffline,
  })(components);
  let lastAddrs = '';
  const onSelfUpdate = () => {
    const now = shareableAddrs(libp2p.getMultiaddrs(), init.loopbackOnly, 16).map(String).join(' ');
    if (now === lastAddrs) return;
    lastAddrs = now;
    init.onAddressesChanged();
  };
  let stopped = false;
  try {
    await chat.start();
    await invite.start();
    await presence.start();
  } catch (error) {
    await Promise.resolve(libp2p.stop()).catch(() => undefined);
    throw error;
  }
  libp2p.addEventListener('self:peer:update', onSelfUpdate);
  lastAddrs = shareableAddrs(libp2p.getMultiaddrs(), init.loopbackOnly, 16).map(String).join(' ');
  logger.info('net.started', { port });

  return {
    peerId: libp2p.peerId,
    port,
    shareable(max) {
      if (stopped) return [];
      return shareableAddrs(libp2p.getMultiaddrs(), init.loopbackOnly, max);
    },
    listening() {
      if (stopped) return [];
      return libp2p.getMultiaddrs().map(String);
    },
    chat,
    invite,
    presence,
    async stop() {
      if (stopped) return;
      stopped = true;
      libp2p.removeEventListener('self:peer:update', onSelfUpdate);
      await presence.stop();
      await invite.stop();
      await chat.stop();
      limiter.clear();
      await libp2p.stop();
      logger.info('net.stopped');
    },
  };
}

export { NetworkStoppedError };

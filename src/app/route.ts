/**
 * Delivery routes (docs/messaging.md, "Routes"): the ways a Peer's sealed ratchet frames reach its
 * contact. A route only carries bytes that are already encrypted and already durable; whether a frame
 * arrived is known from the contact's receipt, never from the route. Today there is one route, `direct`
 * (the contact's chat stream over libp2p); a mailbox route (onion circuit to the contact's mailboxes)
 * plugs in as a second one. Inbound frames from any route enter through `Messaging.inbound`. Knows
 * nothing about sessions, stores or the UI.
 */
import type { Network } from '../net/network.ts';
import { NetworkOfflineError } from './messaging-errors.ts';

/** Who a route delivers to: the contact's local id and its transport PeerId (string form). */
export interface RouteTarget {
  readonly contactId: string;
  readonly peerId: string;
}

export interface DeliveryRoute {
  /** 'direct', 'mailbox', … (logs). */
  readonly name: string;
  /**
   * Whether frames can be handed over now, making the route ready if it can (direct: dials the contact
   * when not connected). False sends the Peer to its next route, or to its backoff if none is ready.
   */
  ready(target: RouteTarget, signal: AbortSignal): Promise<boolean>;
  /**
   * Hands sealed ratchet frames over in order; resolves once they left (not once they arrived: receipts
   * say that). Rejects on any failure: the Peer backs off and later sends the same bytes again.
   */
  send(target: RouteTarget, frames: readonly Uint8Array[], signal: AbortSignal): Promise<void>;
  /**
   * How long a frame handed to this route may wait for its receipt before it is sent again; the Peer
   * doubles it while no receipt comes, up to max(resendAfterMs, RESEND_MAX_MS). Per route: a frame in
   * the contact's mailbox waits the mailbox route's minutes, not the direct route's seconds.
   */
  readonly resendAfterMs: number;
  /** The state a text shows once this route took it: 'sent' (default) or 'stored' (a mailbox route). */
  readonly handedState?: 'sent' | 'stored';
}

/** The contact's chat stream (`/pvt/chat/1.0.0`): ready when connected or when a dial succeeds. */
export function createDirectRoute(network: () => Network | undefined, resendAfterMs: number): DeliveryRoute {
  return {
    name: 'direct',
    resendAfterMs,
    async ready(target) {
      const net = network();
      if (!net) return false;
      if (net.presence.path(target.peerId) !== 'offline') return true;
      try {
        await net.presence.connect(target.peerId);
        return true;
      } catch {
        return false;
      }
    },
    async send(target, frames, signal) {
      const net = network();
      if (!net) throw new NetworkOfflineError();
      await net.chat.send(target.peerId, frames, { signal });
    },
  };
}

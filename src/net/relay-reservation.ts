/**
 * The circuit relay v2 reservation a node keeps while contacts cannot dial it (docs/nat.md, "Relays
 * through contacts"): one, on a connected contact that is not itself reached through a relay (it
 * relays for its contacts only while reachable itself). network.ts asks for it when a contact comes
 * online and every RELAY_CHECK_MS, since a contact that has just added us may refuse the first request.
 * Must not know why the node is unreachable (the NAT verdict is a function), nor the onion relay.
 */
import type { Libp2p } from '@libp2p/interface';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log/logger.ts';
import { isRelayed } from './addresses.ts';

export interface RelayReservationInit {
  readonly libp2p: Libp2p;
  readonly isContact: (peerId: string) => boolean;
  readonly loopbackOnly: boolean;
  /** Contacts elsewhere can dial us (public address or a mapping): no reservation needed. */
  readonly reachable: () => boolean;
  readonly logger: Logger;
}

/** A function that makes sure a reservation is held when one is needed (one attempt at a time). */
export function createRelayReservation(init: RelayReservationInit): () => Promise<void> {
  const { libp2p, logger } = init;
  const transportManager = (
    libp2p as unknown as { components?: { transportManager?: { listen(a: Multiaddr[]): Promise<void> } } }
  ).components?.transportManager;
  let reserving = false;
  return async (): Promise<void> => {
    if (reserving || init.reachable() || init.loopbackOnly || !transportManager) return;
    if (libp2p.getMultiaddrs().some(isRelayed)) return;
    reserving = true;
    try {
      const candidates = new Set(
        libp2p
          .getConnections()
          .filter(
            (c) => c.status === 'open' && !isRelayed(c.remoteAddr) && init.isContact(c.remotePeer.toString()),
          )
          .map((c) => c.remotePeer.toString()),
      );
      for (const peer of candidates) {
        try {
          await transportManager.listen([multiaddr(`/p2p/${peer}/p2p-circuit`)]);
          logger.info('net.relay_reserved');
          return;
        } catch (error) {
          logger.debug('net.relay_refused', { error: String((error as { name?: unknown }).name) });
        }
      }
    } finally {
      reserving = false;
    }
  };
}

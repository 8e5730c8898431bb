/**
 * How a running network wires the onion service and the mailbox service together
 * (docs/protocol/onion.md, docs/mailbox.md): the profile's onion options, the onion service made with
 * the node's reachability and addresses — a relay serves only while dialable from outside: a mapping, a
 * public verdict, or a public address — and the mailbox service, which reaches circuits through the
 * onion service only once that has started. Must not know the NAT diagnosis, presence, chat or invites
 * (network.ts passes reachability and addresses as functions and starts and stops the services in its
 * order), nor what happens inside either service.
 */
import type { Libp2p } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log/logger.ts';
import { isRelayed, pathOf } from './addresses.ts';
import {
  createMailboxService,
  type MailboxService,
  type MailboxServiceComponents,
} from './mailbox/service.ts';
import { createOnionService, type OnionService } from './onion/service.ts';

/** Onion circuits (docs/protocol/onion.md): the relay choice, where its state lives, randomness. */
export interface NetworkOnionOptions {
  /** --relay; undefined = the remembered choice (pvt relay on|off). */
  readonly relay?: boolean;
  readonly stateFile?: string;
  readonly rng: (n: number) => Uint8Array;
  readonly buildAhead?: boolean;
  /** The relay descriptor contacts should get may have changed (see OnionServiceInit). */
  readonly onDescriptorChanged?: () => void;
}

export interface WiredMailbox {
  readonly mailbox: MailboxService;
  /** The onion service has started (or there is none): the mailbox uses it from now on. */
  attachOnion(onion: OnionService | undefined): void;
}

/** The mailbox service; it reaches onion circuits once `attachOnion` is called. */
export function createWiredMailbox(components: MailboxServiceComponents): WiredMailbox {
  let onionForMailbox: OnionService | undefined;
  const mailbox = createMailboxService({ onion: () => onionForMailbox })(components);
  return {
    mailbox,
    attachOnion(onion) {
      onionForMailbox = onion;
    },
  };
}

export interface NetworkOnionInit {
  readonly libp2p: Libp2p;
  readonly transportSeed: Uint8Array;
  readonly loopbackOnly: boolean;
  readonly isContact: (peerId: string) => boolean;
  readonly options: NetworkOnionOptions;
  /** A mapping or a public verdict makes the node dialable from outside. */
  readonly reachable: () => boolean;
  /** The node's shareable addresses, best first (relayed ones are left out here). */
  readonly ownAddrs: () => Multiaddr[];
  readonly logger: Logger;
}

/** The onion service of the network (not started). */
export function createNetworkOnion(init: NetworkOnionInit): OnionService {
  const { libp2p, options } = init;
  return createOnionService({
    transportSeed: init.transportSeed,
    loopbackOnly: init.loopbackOnly,
    ...(options.relay !== undefined ? { relay: options.relay } : {}),
    ...(options.stateFile !== undefined ? { stateFile: options.stateFile } : {}),
    ...(options.buildAhead !== undefined ? { buildAhead: options.buildAhead } : {}),
    ...(options.onDescriptorChanged ? { onDescriptorChanged: options.onDescriptorChanged } : {}),
    reachable: () =>
      init.reachable() || libp2p.getMultiaddrs().some((a) => !isRelayed(a) && pathOf(a) === 'direct'),
    ownAddrs: () => init.ownAddrs().filter((a) => !isRelayed(a)),
    isContact: init.isContact,
    rng: options.rng,
    logger: init.logger,
  })({ libp2p });
}

/**
 * The network of a running profile: starts the libp2p node (node.ts) and the pvt services on it — chat
 * (contact-gated), invite (open, secret-gated), presence (dialling contacts), the mailbox and the onion
 * service (wired together in onion-mailbox-wiring.ts) — with one shared per-peer rate limiter, and
 * reports address changes and the NAT status. Every other protocol is refused by libp2p's protocol
 * negotiation (only identify and ping are registered besides ours). stop() closes every stream,
 * connection, socket and timer. The app reaches the network only through this object.
 */
import type { AbortOptions, Connection, IdentifyResult, Libp2p, PeerId } from '@libp2p/interface';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log/logger.ts';
import { isRelayed, pathOf, shareableAddrs } from './addresses.ts';
import { type ChatService, createChatService } from './chat-service.ts';
import { MAX_OBSERVING_PEERS, RELAY_CHECK_MS } from './constants.ts';
import { NetworkStoppedError } from './errors.ts';
import { createInviteService, type FrameChannel, type InviteService } from './invite-service.ts';
import type { MailboxService } from './mailbox/service.ts';
import type { NatMethod } from './nat/clients.ts';
import { addObserved, contradictsMapping } from './nat/observed.ts';
import { createNatService, NAT_METHODS, type NatDiagnosis, type NatService } from './nat/service.ts';
import { NAT_OFF, type NatStatus } from './nat/status.ts';
import type { StunServer } from './nat/stun.ts';
import { startNode } from './node.ts';
import { PVT_KAD_PROTOCOL } from './onion/constants.ts';
import type { OnionService } from './onion/service.ts';
import { createNetworkOnion, createWiredMailbox, type NetworkOnionOptions } from './onion-mailbox-wiring.ts';
import { createPresence, type Path, type Presence } from './presence.ts';
import { createRateLimiter } from './rate-limit.ts';
import { createRelayReservation } from './relay-reservation.ts';
import { guardStrangers } from './stranger-guard.ts';

export type { FrameChannel, Path };

export interface NetworkInit {
  readonly transportSeed: Uint8Array;
  /** Preferred TCP port (0 = random). */
  readonly port: number;
  readonly mdns: boolean;
  readonly loopbackOnly: boolean;
  /**
   * Port mapping on the router: 'on' starts it with the node, 'ask' waits for setPortMapping (the user's
   * consent), 'off' never (forced off when loopback-only).
   */
  readonly portMapping: 'on' | 'off' | 'ask';
  /** Only these methods, in order (default PCP, NAT-PMP, UPnP); unknown names are ignored. */
  readonly natMethods?: readonly string[];
  /** Where the mapping held is recorded, so a crash's mapping is reused or deleted on the next start. */
  readonly natRecordFile?: string;
  /** STUN servers the diagnosis also asks (symmetric NAT, CGNAT behind a CPE); default none. */
  readonly stunServers?: readonly StunServer[];
  /** Whether a transport PeerId (string) belongs to a contact: the chat gate. */
  readonly isContact: (peerId: string) => boolean;
  readonly onChatMessage: (peerId: string, message: Uint8Array) => Promise<void>;
  readonly onChatStreamLost: (peerId: string) => void;
  readonly onInviteStream: (channel: FrameChannel, peerId: PeerId, options: AbortOptions) => Promise<void>;
  readonly onOnline: (peerId: string, path: Path) => void;
  readonly onOffline: (peerId: string) => void;
  /** The node's shareable addresses changed (after start, on interface changes, a new mapping). */
  readonly onAddressesChanged: () => void;
  /** The NAT status changed (diagnosis started or done, mapping renewed or given back). */
  readonly onNatChanged?: (status: NatStatus) => void;
  /** Onion circuits (docs/protocol/onion.md): the relay choice, where its state lives, randomness. */
  readonly onion?: NetworkOnionOptions;
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
  /** /pvt/mailbox/1.0.0: serving others (when a server is attached) and dialling mailboxes directly. */
  readonly mailbox: MailboxService;
  /** The onion service (relay, circuits, streams), when started with `onion`. */
  readonly onion: OnionService | undefined;
  nat(): NatStatus;
  /**
   * Resolves once the NAT diagnosis under way (if any) has a verdict, or after `timeoutMs`: an invite made
   * right after start should carry the mapped address.
   */
  natSettled(timeoutMs: number): Promise<void>;
  /** Starts (true) or stops and gives back (false) the port mapping; no-op when loopback-only. */
  setPortMapping(enabled: boolean): Promise<void>;
  stop(): Promise<void>;
}

function natStatusOf(d: NatDiagnosis): NatStatus {
  const m = d.verdict === 'mapped' ? d.mapping : null;
  return {
    state: d.verdict,
    method: m?.method ?? null,
    external: m ? `${m.externalAddress}:${m.externalPort}` : null,
    expiresAt: m?.expiresAt ?? null,
    diagnosis: d,
    relayed: false,
    confirmed: false,
    observed: [],
  };
}

/** The mapped public address as a dialable multiaddr (IPv4 or IPv6). */
function mappedAddr(d: NatDiagnosis): Multiaddr | undefined {
  const m = d.verdict === 'mapped' ? d.mapping : null;
  if (!m) return undefined;
  try {
    return multiaddr(
      `/${m.externalAddress.includes(':') ? 'ip6' : 'ip4'}/${m.externalAddress}/tcp/${m.externalPort}`,
    );
  } catch {
    return undefined;
  }
}

/** Starts the node and its services; ListenFailedError when no port works. */
export async function startNetwork(init: NetworkInit): Promise<Network> {
  const logger = init.logger.child('net');
  // Whether contacts elsewhere can dial us (public address or a mapping): only then do we relay for them.
  let reachable = false;
  // The mapped public address; it comes first among the shareable ones (a contact elsewhere can dial it).
  let mapped: Multiaddr | undefined;
  const { libp2p, port } = await startNode({
    transportSeed: init.transportSeed,
    port: init.port,
    mdns: init.mdns,
    loopbackOnly: init.loopbackOnly,
    relay: { isContact: init.isContact, reachable: () => reachable },
    ...(init.onion ? { dht: { protocol: PVT_KAD_PROTOCOL } } : {}),
  });
  const strangerGuard = guardStrangers(libp2p as Libp2p, init.isContact, (reason) =>
    logger.debug('net.stranger_closed', { reason }),
  );
  const limiter = createRateLimiter();
  const components = { libp2p: libp2p as Libp2p, limiter, logger };
  const chat = createChatService({
    isContact: init.isContact,
    onMessage: init.onChatMessage,
    onOutboundClosed: init.onChatStreamLost,
  })(components);
  const invite = createInviteService({ onInviteStream: init.onInviteStream })(components);
  // The onion service is created below; the mailbox reaches it once it has started.
  const wiredMailbox = createWiredMailbox(components);
  const mailbox = wiredMailbox.mailbox;
  // While contacts cannot dial us, keep a relay reservation on a contact (relay-reservation.ts).
  const keepRelay = createRelayReservation({
    libp2p: libp2p as Libp2p,
    isContact: init.isContact,
    loopbackOnly: init.loopbackOnly,
    reachable: () => reachable,
    logger,
  });
  // The same tick re-reads what contacts observe: a peer that became a contact while connected counts
  // from then on (see checkObserved below).
  const relayTimer = setInterval(() => {
    checkObserved();
    void keepRelay().catch(() => {});
  }, RELAY_CHECK_MS);
  relayTimer.unref();
  const presence = createPresence({
    isContact: init.isContact,
    onOnline: (peerId, path) => {
      init.onOnline(peerId, path);
      checkObserved();
      void keepRelay().catch(() => {});
    },
    onOffline: init.onOffline,
    mapped: () => mapped !== undefined,
  })(components);
  const ownAddrs = (max: number) =>
    shareableAddrs(
      mapped ? [mapped, ...libp2p.getMultiaddrs()] : libp2p.getMultiaddrs(),
      init.loopbackOnly,
      max,
    );
  let lastAddrs = '';
  const onSelfUpdate = () => {
    const now = ownAddrs(16).map(String).join(' ');
    if (now === lastAddrs) return;
    lastAddrs = now;
    init.onAddressesChanged();
  };
  const methods = (init.natMethods ?? NAT_METHODS).filter((m): m is NatMethod =>
    NAT_METHODS.includes(m as NatMethod),
  );
  let natStatus: NatStatus =
    init.loopbackOnly || init.portMapping === 'off'
      ? NAT_OFF
      : { ...NAT_OFF, state: init.portMapping === 'ask' ? 'ask' : 'checking' };
  let nat: NatService | undefined;
  // An inbound connection from a public address while we claim to be reachable confirms it.
  let confirmed = false;
  const onConnectionOpen = (evt: CustomEvent<Connection>) => {
    const c = evt.detail;
    if (confirmed || !reachable || c.direction !== 'inbound' || pathOf(c.remoteAddr) !== 'direct') return;
    confirmed = true;
    logger.info('nat.confirmed');
    init.onNatChanged?.(natStatus);
  };
  libp2p.addEventListener('connection:open', onConnectionOpen);
  // What contacts outside the LAN see us as (identify). When that contradicts the gateway's external
  // address, the mapping sits behind another NAT: it is not announced, and the verdict is double NAT.
  // The last address each peer outside the LAN said it sees us at (identify), oldest first; only
  // contacts' count (a stranger could lie to make us withdraw the mapping), checked again when a
  // contact comes online and on every RELAY_CHECK_MS tick (a peer that became a contact meanwhile).
  const seenBy = new Map<string, string>();
  let observed: string[] = [];
  let contradicted: string | undefined;
  const doubleNat = () => {
    mapped = undefined;
    setNat({ ...NAT_OFF, state: 'double NAT', diagnosis: natStatus.diagnosis });
    onSelfUpdate();
  };
  const checkObserved = () => {
    let next: string[] = [];
    for (const [peer, ip] of seenBy) if (init.isContact(peer)) next = addObserved(next, ip);
    if (next.join() === observed.join()) return;
    observed = next;
    const external = natStatus.state === 'mapped' ? natStatus.diagnosis?.mapping?.externalAddress : undefined;
    if (external !== undefined && contradictsMapping(observed, external)) {
      logger.info('nat.double_nat_observed');
      contradicted = external;
      doubleNat();
    } else init.onNatChanged?.(natStatus);
  };
  const onIdentify = (evt: CustomEvent<IdentifyResult>) => {
    const { observedAddr, connection } = evt.detail;
    const first = observedAddr?.getComponents()[0];
    if (first?.code !== 4 || first.value === undefined || pathOf(connection.remoteAddr) !== 'direct') return;
    const peer = connection.remotePeer.toString();
    seenBy.delete(peer);
    seenBy.set(peer, first.value);
    if (seenBy.size > MAX_OBSERVING_PEERS) seenBy.delete(seenBy.keys().next().value as string);
    checkObserved();
  };
  libp2p.addEventListener('peer:identify', onIdentify);
  const settledWaiters = new Set<() => void>();
  const setNat = (status: NatStatus) => {
    if (status.state !== natStatus.state || status.external !== natStatus.external) confirmed = false;
    natStatus = status;
    reachable = status.state === 'mapped' || status.state === 'public';
    if (status.state !== 'checking') {
      for (const wake of settledWaiters) wake();
      settledWaiters.clear();
    }
    init.onNatChanged?.(status);
  };
  const startNat = async () => {
    if (nat || init.loopbackOnly) return;
    setNat({ ...NAT_OFF, state: 'checking' });
    nat = createNatService({
      port,
      portMapping: true,
      methods,
      recordFile: init.natRecordFile,
      stunServers: init.stunServers,
      onVerdict: (d) => {
        if (!nat) return;
        // A renewal of the mapping peers have shown to be unreachable stays double NAT.
        if (d.verdict === 'mapped' && d.mapping?.externalAddress === contradicted) {
          natStatus = { ...natStatus, diagnosis: d };
          return;
        }
        contradicted = undefined;
        mapped = mappedAddr(d);
        setNat(natStatusOf(d));
        onSelfUpdate();
      },
    })({ logger });
    await nat.start();
  };
  const stopNat = async (status: NatStatus) => {
    const service = nat;
    nat = undefined;
    mapped = undefined;
    await service?.stop();
    setNat(status);
    onSelfUpdate();
  };
  let stopped = false;
  const onion = init.onion
    ? createNetworkOnion({
        libp2p: libp2p as Libp2p,
        transportSeed: init.transportSeed,
        loopbackOnly: init.loopbackOnly,
        isContact: init.isContact,
        options: init.onion,
        reachable: () => reachable,
        ownAddrs: () => ownAddrs(16),
        logger,
      })
    : undefined;
  try {
    await chat.start();
    await invite.start();
    await mailbox.start();
    await presence.start();
    await onion?.start();
    wiredMailbox.attachOnion(onion);
  } catch (error) {
    clearInterval(relayTimer);
    strangerGuard.stop();
    libp2p.removeEventListener('connection:open', onConnectionOpen);
    libp2p.removeEventListener('peer:identify', onIdentify);
    await Promise.resolve(libp2p.stop()).catch(() => undefined);
    throw error;
  }
  libp2p.addEventListener('self:peer:update', onSelfUpdate);
  lastAddrs = ownAddrs(16).map(String).join(' ');
  logger.info('net.started', { port });
  if (natStatus.state === 'checking') await startNat();

  return {
    peerId: libp2p.peerId,
    port,
    shareable(max) {
      if (stopped) return [];
      return ownAddrs(max);
    },
    listening() {
      if (stopped) return [];
      return libp2p.getMultiaddrs().map(String);
    },
    chat,
    invite,
    presence,
    mailbox,
    onion,
    nat: () => ({
      ...natStatus,
      confirmed,
      observed,
      relayed: !stopped && libp2p.getMultiaddrs().some(isRelayed),
    }),
    natSettled(timeoutMs) {
      if (natStatus.state !== 'checking' || stopped) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          settledWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, timeoutMs);
        settledWaiters.add(wake);
      });
    },
    async setPortMapping(enabled) {
      if (stopped || init.loopbackOnly) return;
      if (enabled) await startNat();
      else await stopNat(NAT_OFF);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(relayTimer);
      strangerGuard.stop();
      libp2p.removeEventListener('connection:open', onConnectionOpen);
      libp2p.removeEventListener('peer:identify', onIdentify);
      for (const wake of settledWaiters) wake();
      libp2p.removeEventListener('self:peer:update', onSelfUpdate);
      // The router mapping is given back first, while the node still answers.
      const service = nat;
      nat = undefined;
      await service?.stop();
      await onion?.stop();
      await presence.stop();
      await mailbox.stop();
      await invite.stop();
      await chat.stop();
      limiter.clear();
      await libp2p.stop();
      logger.info('net.stopped');
    },
  };
}

export { NetworkStoppedError };

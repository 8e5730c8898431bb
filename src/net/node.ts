/**
 * The libp2p node of a running profile: TCP on IPv4 and IPv6 (one port for both), Noise, Yamux,
 * identify, ping and (optionally) mDNS, keyed by the profile's transport key — never by the identity
 * key; unless loopback-only, also circuit relay v2 (client: a reservation on a contact that relays;
 * server: relaying for contacts only, while this node is reachable) and DCUtR (upgrading a relayed
 * connection to a direct one where hole punching works). Picks the port (the remembered one, else random
 * ones) and falls back to IPv4 alone where IPv6 is unavailable. Owns no pvt protocol logic (handlers
 * are registered by the services that own them).
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { dcutr } from '@libp2p/dcutr';
import { identify } from '@libp2p/identify';
import type { ConnectionGater, Libp2p, PeerId } from '@libp2p/interface';
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht';
import { mdns } from '@libp2p/mdns';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import {
  INBOUND_CONNECTIONS_PER_SECOND,
  INBOUND_UPGRADE_TIMEOUT_MS,
  LISTEN_ATTEMPTS,
  MAX_CONNECTIONS,
  MAX_PENDING_INBOUND_CONNECTIONS,
  MAX_RELAY_RESERVATIONS,
  RANDOM_PORT_MAX,
  RANDOM_PORT_MIN,
} from './constants.ts';
import { ListenFailedError } from './errors.ts';

export interface NodeInit {
  /** 32-byte Ed25519 seed of the transport key. */
  readonly transportSeed: Uint8Array;
  /** TCP port to listen on (0 = a random one). */
  readonly port: number;
  /** Listen on loopback only (tests) instead of all interfaces. */
  readonly loopbackOnly?: boolean;
  readonly mdns: boolean;
  /**
   * Circuit relay policy (ignored when loopback-only): reservations are taken only from contacts, and
   * only while this node is reachable from outside; relayed connections only to contacts.
   */
  readonly relay?: {
    readonly isContact: (peerId: string) => boolean;
    readonly reachable: () => boolean;
  };
  /**
   * The private Kademlia DHT (protocol `dht.protocol`, never the public IPFS one) for onion relay
   * discovery; on loopback every node is a DHT server and keeps loopback addresses.
   */
  readonly dht?: { readonly protocol: string };
  /** Random source for port choice (tests may fix it). */
  readonly random?: () => number;
}

export interface StartedNode {
  readonly libp2p: Libp2p;
  /** The TCP port actually listened on. */
  readonly port: number;
  /** Whether IPv6 is listened on too. */
  readonly ipv6: boolean;
}

function listenAddrs(port: number, loopbackOnly: boolean, ipv6: boolean, relay: boolean): string[] {
  if (loopbackOnly) return [`/ip4/127.0.0.1/tcp/${port}`];
  const tcpAddrs = ipv6 ? [`/ip4/0.0.0.0/tcp/${port}`, `/ip6/::/tcp/${port}`] : [`/ip4/0.0.0.0/tcp/${port}`];
  // '/p2p-circuit': look for one relay among the connected peers and keep a reservation there.
  return relay ? [...tcpAddrs, '/p2p-circuit'] : tcpAddrs;
}

/** Who may use this node as a relay, and whom a relay may connect to this node. */
function relayGater(policy: NonNullable<NodeInit['relay']>): ConnectionGater {
  const contact = (p: PeerId) => policy.isContact(p.toString());
  return {
    denyInboundRelayReservation: (source) => !contact(source) || !policy.reachable(),
    // A stranger may reach a contact through us (to join an invite it was given); never anyone else.
    denyOutboundRelayedConnection: (_source, destination) => !contact(destination),
    // Only a contact may relay connections to us.
    denyInboundRelayedConnection: (relay) => !contact(relay),
  };
}

async function tryStart(init: NodeInit, port: number, ipv6: boolean): Promise<Libp2p> {
  const privateKey = await generateKeyPairFromSeed('Ed25519', init.transportSeed);
  const relay = init.loopbackOnly === true ? undefined : init.relay;
  const node = await createLibp2p({
    privateKey,
    start: false,
    addresses: { listen: listenAddrs(port, init.loopbackOnly === true, ipv6, relay !== undefined) },
    transports: relay ? [tcp(), circuitRelayTransport()] : [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: init.mdns ? [mdns()] : [],
    connectionManager: {
      maxConnections: MAX_CONNECTIONS,
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_SECOND,
      maxIncomingPendingConnections: MAX_PENDING_INBOUND_CONNECTIONS,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
    },
    ...(relay ? { connectionGater: relayGater(relay) } : {}),
    services: {
      identify: identify(),
      ping: ping(),
      ...(init.dht
        ? {
            dht: kadDHT({
              protocol: init.dht.protocol,
              peerInfoMapper: init.loopbackOnly ? passthroughMapper : removePrivateAddressesMapper,
              ...(init.loopbackOnly ? { clientMode: false, allowQueryWithZeroPeers: true } : {}),
            }),
          }
        : {}),
      ...(relay
        ? {
            // Relayed connections carry only Noise-encrypted traffic between two of our contacts' peers;
            // no data or time limit, so chat runs on them like on any connection.
            relay: circuitRelayServer({
              reservations: { maxReservations: MAX_RELAY_RESERVATIONS, applyDefaultLimit: false },
            }),
            dcutr: dcutr(),
          }
        : {}),
    },
  });
  try {
    await node.start();
    return node;
  } catch (error) {
    await Promise.resolve(node.stop()).catch(() => undefined);
    throw error;
  }
}

/**
 * Starts the node on `init.port` when it is free, else on random ports (LISTEN_ATTEMPTS in all), with
 * IPv6 where the host has it. ListenFailedError when nothing works.
 */
export async function startNode(init: NodeInit): Promise<StartedNode> {
  const random = init.random ?? Math.random;
  const pick = () => RANDOM_PORT_MIN + Math.floor(random() * (RANDOM_PORT_MAX - RANDOM_PORT_MIN + 1));
  const candidates: number[] = [];
  if (init.port > 0) candidates.push(init.port);
  while (candidates.length < LISTEN_ATTEMPTS) candidates.push(pick());
  let last: unknown;
  for (const port of candidates) {
    for (const ipv6 of init.loopbackOnly ? [false] : [true, false]) {
      try {
        const libp2p = await tryStart(init, port, ipv6);
        return { libp2p, port, ipv6 };
      } catch (error) {
        last = error;
      }
    }
  }
  throw new ListenFailedError(candidates, last);
}

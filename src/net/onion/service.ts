import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import * as Digest from 'multiformats/hashes/digest';
import type { Rng } from '../../crypto/bytes.ts';
import { ed25519PublicKey } from '../../crypto/primitives.ts';
import type { Logger } from '../../log/logger.ts';
import { encodeCell } from '../../protocol/onion/cell.ts';
import {
  CELL_DESTROY,
  DESCRIPTOR_FLAG_EXIT,
  DESCRIPTOR_FLAG_RELAY,
  DESCRIPTOR_MAX_ADDR_BYTES,
  DESCRIPTOR_MAX_ADDRS,
  DESCRIPTOR_MAX_SERVICES,
  DESTROY_HOP_LOST,
  SERVICE_NAME_PATTERN,
} from '../../protocol/onion/constants.ts';
import { signDescriptor } from '../../protocol/onion/descriptor.ts';
import type { OnionKeys } from '../../protocol/onion/handshake.ts';
import { NetworkStoppedError } from '../errors.ts';
import { writeFrame } from '../frames.ts';
import type { CircuitStream, ExitServiceHandler, OnionApi, OpenCircuitStreamOptions } from './api.ts';
import { createOnionClient, type OnionClient } from './client.ts';
import {
  CIRCUIT_MAINTAIN_MS,
  DESCRIPTOR_REPUBLISH_MS,
  DESCRIPTOR_VALIDITY_MS,
  KEY_CHECK_MS,
  ONION_DESCRIPTOR_PROTOCOL,
  ONION_PROTOCOL,
  RELAY_MAX_LINKS,
} from './constants.ts';
import { addressClass, type OnionControl, runProbe } from './control.ts';
import { createDirectory, type Directory } from './directory.ts';
import { createKeyRing, type KeyRing } from './keyring.ts';
import { type Link, openLink } from './link.ts';
import { createRelay, type Relay } from './relay.ts';

export interface OnionServiceInit {
  readonly transportSeed: Uint8Array;
  readonly loopbackOnly: boolean;
  /** Relay for others (--relay); undefined = the remembered choice (pvt relay on|off). Served only while `reachable()`. */
  readonly relay?: boolean;
  /** Where the relay choice and bootstrap list are kept (non-secret); undefined = memory only. */
  readonly stateFile?: string;
  readonly reachable: () => boolean;
  /** This node's dialable addresses (no /p2p/), best first. */
  readonly ownAddrs: () => Multiaddr[];
  readonly isContact: (peerId: string) => boolean;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Keep CIRCUITS_AHEAD circuits ready ahead of need (default true; benches turn it off). */
  readonly buildAhead?: boolean;
  /** The descriptor contacts should get may have changed (relay on/off, exit services, keys rotated). */
  readonly onDescriptorChanged?: () => void;
}

export interface OnionService extends OnionApi, OnionControl {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createOnionService(init: OnionServiceInit): (components: { libp2p: Libp2p }) => OnionService {
  return ({ libp2p }) => {
    const now = init.now ?? Date.now;
    const log = init.logger.child('onion');
    const ownPeer = libp2p.peerId.toString();
    const relayId = ed25519PublicKey(init.transportSeed);
    let relayWanted = init.relay ?? false;
    let ring: KeyRing | undefined;
    const startedAt = now();
    let descriptorBytes: Uint8Array | null = null;
    let descriptorAt = 0;
    let descriptorKey = '';
    const services = new Map<string, ExitServiceHandler>();
    const inbound = new Set<Link>();
    const outbound = new Map<string, Link>();
    const dialing = new Map<string, Promise<Link>>();
    const routes = new Map<string, (bytes: Uint8Array) => void>();
    let controller: AbortController | undefined;
    let timers: NodeJS.Timeout[] = [];
    let descHandled = false;

    const serving = () => relayWanted && (init.loopbackOnly || init.reachable());
    const accepting = () => serving() || services.size > 1;
    // Contacts get our descriptor while we relay, or while we offer an exit service of our own (the
    // mailbox) from an address contacts elsewhere can dial — the relay's "public or mapped" rule.
    const offersToContacts = () =>
      serving() || (services.size > 1 && (init.loopbackOnly || init.reachable()));

    const keysFor = (keyId: Uint8Array): OnionKeys | undefined => ring?.keysFor(keyId);
    const keysChanged = () => {
      descriptorBytes = null;
      log.info('onion.keys_rotated');
      init.onDescriptorChanged?.();
    };

    const peerOf = (peerIdBytes: Uint8Array): PeerId => peerIdFromMultihash(Digest.decode(peerIdBytes));

    const routeKey = (link: Link, circId: number) => `${link.id}:${circId}`;
    let relay: Relay;

    const connectPeer = async (peer: PeerId, addrs: Multiaddr[], signal: AbortSignal): Promise<Link> => {
      const id = peer.toString();
      const open = outbound.get(id);
      if (open && !open.closed) return open;
      const pending = dialing.get(id);
      if (pending) return pending;
      const p = (async () => {
        if (addrs.length > 0) await libp2p.peerStore.merge(peer, { multiaddrs: addrs });
        const stream: Stream = await libp2p.dialProtocol(peer, ONION_PROTOCOL, { signal });
        const link: Link = openLink(stream, id, true, {
          onCell(bytes) {
            const circId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
            const handler = routes.get(routeKey(link, circId));
            if (handler) handler(bytes);
            else relay.onOutboundCell(link, bytes);
          },
          onClose() {
            if (outbound.get(id) === link) outbound.delete(id);
            relay.onOutboundClosed(link);
            for (const [k, handler] of [...routes]) {
              if (k.startsWith(`${link.id}:`)) {
                const circId = Number(k.slice(k.indexOf(':') + 1));
                handler(encodeCell(circId, CELL_DESTROY, Uint8Array.of(DESTROY_HOP_LOST)));
              }
            }
          },
        });
        outbound.set(id, link);
        return link;
      })();
      dialing.set(id, p);
      try {
        return await p;
      } finally {
        dialing.delete(id);
      }
    };

    relay = createRelay({
      relayId,
      keysFor,
      rng: init.rng,
      relaying: serving,
      service: (name) => services.get(name),
      async connect(peerIdBytes, addrBytes, signal) {
        const peer = peerOf(peerIdBytes);
        const addrs: Multiaddr[] = [];
        for (const a of addrBytes) {
          try {
            addrs.push(multiaddr(a));
          } catch {
            // an address we cannot parse is skipped
          }
        }
        return { link: await connectPeer(peer, addrs, signal), peer: peer.toString() };
      },
      ownPeer,
      logger: log,
      now,
    });

    const directory: Directory = createDirectory({
      libp2p,
      ownPeer,
      loopbackOnly: init.loopbackOnly,
      stateFile: init.stateFile,
      rng: init.rng,
      logger: log,
      now,
      providing: () => serving(),
    });

    relayWanted = init.relay ?? directory.state().relay ?? false;
    let relayAnswered = init.relay !== undefined || directory.state().relay !== undefined;

    const client: OnionClient = createOnionClient({
      rng: init.rng,
      logger: log,
      relays: () => directory.usable(),
      isContact: init.isContact,
      connect: (r, signal) => connectPeer(peerOf(r.peerIdBytes), directory.addrsOf(r), signal),
      route(link, circId, handler) {
        if (handler) routes.set(routeKey(link, circId), handler);
        else routes.delete(routeKey(link, circId));
      },
      ownPeer,
      now,
    });

    const descriptor = (): Uint8Array | null => {
      const current = ring?.current();
      if (!ring || !current || !accepting()) return null;
      const rotatedAt = ring.rotatedAt();
      const addrs = init
        .ownAddrs()
        .map((a) => a.bytes)
        .filter((b) => b.length <= DESCRIPTOR_MAX_ADDR_BYTES)
        .slice(0, DESCRIPTOR_MAX_ADDRS);
      const names = [...services.keys()].slice(0, DESCRIPTOR_MAX_SERVICES);
      const flags = (serving() ? DESCRIPTOR_FLAG_RELAY : 0) | (names.length > 0 ? DESCRIPTOR_FLAG_EXIT : 0);
      const k = `${flags}|${names.join()}|${addrs.map((a) => a.join()).join(' ')}|${rotatedAt}`;
      if (descriptorBytes && k === descriptorKey && now() - descriptorAt < DESCRIPTOR_REPUBLISH_MS) {
        return descriptorBytes;
      }
      const t = now();
      descriptorBytes = signDescriptor(
        {
          transportKey: relayId,
          x25519Public: current.x25519Public,
          kemPublic: current.kemPublic,
          publishedMs: t,
          validUntilMs: t + DESCRIPTOR_VALIDITY_MS,
          relayingSinceMs: startedAt,
          bandwidthKiBps: 0,
          flags,
          addrs,
          services: names,
        },
        init.transportSeed,
      );
      descriptorAt = t;
      descriptorKey = k;
      return descriptorBytes;
    };

    // The descriptor protocol is offered only while we accept circuits (identify then tells peers).
    const syncDescriptorHandler = async () => {
      const want = controller !== undefined && accepting();
      if (want === descHandled) return;
      descHandled = want;
      if (want) {
        await libp2p.handle(
          ONION_DESCRIPTOR_PROTOCOL,
          async (stream: Stream) => {
            const d = descriptor();
            if (d) await writeFrame(stream, d).catch(() => undefined);
            await stream.close().catch(() => undefined);
          },
          { maxInboundStreams: 4 },
        );
      } else await libp2p.unhandle(ONION_DESCRIPTOR_PROTOCOL).catch(() => undefined);
    };

    const onInboundStream = (stream: Stream, connection: Connection) => {
      if (!controller || inbound.size >= RELAY_MAX_LINKS) {
        stream.abort(new Error('onion links full'));
        return;
      }
      const peer = connection.remotePeer.toString();
      const link: Link = openLink(stream, peer, false, {
        onCell: (bytes) => {
          if (!accepting() && bytes[4] === 1) {
            const circId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
            if (circId !== 0) link.send(encodeCell(circId, CELL_DESTROY, Uint8Array.of(2)));
            return;
          }
          relay.onInboundCell(link, bytes);
        },
        onClose: () => {
          inbound.delete(link);
          relay.onInboundClosed(link);
        },
      });
      inbound.add(link);
    };

    const echo: ExitServiceHandler = async (stream) => {
      for await (const frame of stream) await stream.send(frame);
    };

    const svc: OnionService = {
      async start() {
        if (controller) return;
        controller = new AbortController();
        ring = createKeyRing(init.rng, now);
        keysChanged();
        services.set('echo', echo);
        await libp2p.handle(ONION_PROTOCOL, onInboundStream, { maxInboundStreams: 4, maxOutboundStreams: 4 });
        await syncDescriptorHandler();
        await directory.start();
        const tick = (f: () => void, ms: number) => {
          const t = setInterval(f, ms);
          t.unref();
          timers.push(t);
        };
        tick(() => {
          if (ring?.tick()) keysChanged();
        }, KEY_CHECK_MS);
        tick(() => {
          void syncDescriptorHandler();
          client.maintain(init.buildAhead !== false);
        }, CIRCUIT_MAINTAIN_MS);
        log.info('onion.started', { relay: relayWanted });
      },
      async stop() {
        if (!controller) return;
        controller.abort();
        controller = undefined;
        for (const t of timers) clearInterval(t);
        timers = [];
        client.close();
        relay.close();
        await directory.stop();
        await libp2p.unhandle(ONION_PROTOCOL).catch(() => undefined);
        if (descHandled) await libp2p.unhandle(ONION_DESCRIPTOR_PROTOCOL).catch(() => undefined);
        descHandled = false;
        for (const l of [...inbound, ...outbound.values()]) l.close();
        inbound.clear();
        outbound.clear();
        routes.clear();
      },
      async openCircuitStream(options: OpenCircuitStreamOptions): Promise<CircuitStream> {
        if (!controller) throw new NetworkStoppedError();
        let exit: string | undefined;
        if (typeof options.exit === 'string') {
          exit = peerIdFromString(options.exit).toString();
          if (!directory.get(exit)) await directory.lookup(exit, options.signal);
        } else if (options.exit !== undefined) {
          const bytes = options.exit instanceof Uint8Array ? options.exit : options.exit.descriptor;
          exit = directory.add(bytes, 'locator').peerId;
        }
        return client.openStream({
          service: options.service,
          ...(exit !== undefined ? { exit } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      },
      registerExitService(name, handler) {
        if (!SERVICE_NAME_PATTERN.test(name) || name === 'echo') {
          throw new RangeError(
            `"name" expected [a-z0-9._-]{1,32} other than "echo", got ${JSON.stringify(name)}`,
          );
        }
        services.set(name, handler);
        descriptorBytes = null;
        void syncDescriptorHandler();
        init.onDescriptorChanged?.();
        return () => {
          if (services.get(name) === handler) services.delete(name);
          descriptorBytes = null;
          void syncDescriptorHandler();
          init.onDescriptorChanged?.();
        };
      },
      descriptor,
      relayDescriptor() {
        // A relay's descriptor has the relay flag; an exit-only one (a mailbox) names its services.
        if (!offersToContacts()) return null;
        const bytes = descriptor();
        return bytes ? { bytes, key: descriptorKey } : null;
      },
      learnContactRelay: (bytes, peerId) => directory.addFromContact(bytes, peerId),
      // ── control (pvt relay / relays / circuits) ──
      async setRelay(on) {
        relayWanted = on;
        relayAnswered = true;
        directory.saveRelayChoice(on);
        descriptorBytes = null;
        await syncDescriptorHandler();
        if (!on) relay.close();
        log.info('onion.relay_set', { on });
        init.onDescriptorChanged?.();
        return svc.status();
      },
      status() {
        const d = descriptor();
        return {
          relay: {
            enabled: relayWanted,
            answered: relayAnswered,
            serving: serving(),
            reason: !relayWanted ? 'off' : serving() ? 'serving' : 'not reachable from outside',
            keyRotatedAt: ring?.rotatedAt() ?? 0,
            descriptor: d ? directory.describe(d) : null,
            counters: relay.counters(),
          },
          client: {
            relaysKnown: directory.usable().length,
            circuits: client.circuits().length,
            active: client.circuits().filter((c) => c.streams > 0).length,
            counters: client.counters(),
          },
        };
      },
      relays: () => directory.list(),
      addRelay: (addr) => directory.addBootstrap(addr),
      removeRelay: (what) => directory.removeBootstrap(what),
      circuits: () =>
        client.circuits().map((c) => ({
          id: c.id,
          state: c.state,
          ageMs: now() - c.createdAt,
          cells: c.cells,
          streams: c.streams,
          hops: c.hops.map((h) => ({
            peerId: h.peerId,
            short: h.peerId.slice(-8),
            class: addressClass(h.ips),
          })),
        })),
      async buildCircuit(options) {
        const c = await client.build(options ?? {});
        return svc.circuits().find((v) => v.id === c.id) ?? null;
      },
      probe: (options) => runProbe(svc, options, log),
      discover: (signal) => directory.discover(signal),
    };
    return svc;
  };
}

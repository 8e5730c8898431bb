/**
 * The relays this node knows (docs/protocol/onion.md, "Discovery"): verified descriptors with their
 * measured success, learned from the bootstrap list (kept in the profile's onion.json with the relay
 * choice), from peers that offer `/pvt/onion/desc/1.0.0` (identify: mDNS neighbours, contacts, DHT
 * peers) and from the private Kademlia DHT, where relays provide a well-known key. Fetches descriptors
 * over their own protocol and never uses one that does not verify for the PeerId it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { IdentifyResult, Libp2p, PeerId, PeerInfo } from '@libp2p/interface';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import type { Rng } from '../../crypto/bytes.ts';
import type { Logger } from '../../log/logger.ts';
import { DESCRIPTOR_MAX_BYTES } from '../../protocol/onion/constants.ts';
import { checkDescriptorTime, decodeDescriptor } from '../../protocol/onion/descriptor.ts';
import { writeFileAtomic } from '../../store/atomic-file.ts';
import { frameReader } from '../frames.ts';
import type { KnownRelay } from './client.ts';
import {
  DESCRIPTOR_FETCH_TIMEOUT_MS,
  DISCOVERY_INTERVAL_MS,
  ONION_DESCRIPTOR_PROTOCOL,
  RELAY_CACHE_MAX,
  RELAY_PROVIDER_LABEL,
} from './constants.ts';
import { OnionRelayAddressError } from './errors.ts';

export interface DirectoryInit {
  readonly libp2p: Libp2p;
  readonly ownPeer: string;
  readonly loopbackOnly: boolean;
  readonly stateFile: string | undefined;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly now: () => number;
  /** Whether this node should provide the relay key on the DHT now. */
  readonly providing: () => boolean;
}

export interface RelayListEntry {
  readonly peerId: string;
  readonly short: string;
  readonly addrs: string[];
  readonly relay: boolean;
  readonly services: readonly string[];
  readonly attempts: number;
  readonly successes: number;
  readonly source: string;
  readonly validUntil: number;
  /** Last time this node fetched its descriptor from it or built a circuit through it (ms), or null. */
  readonly reachedAt: number | null;
}

export interface OnionState {
  relay?: boolean;
  bootstrap: string[];
}

export interface Directory {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Verifies and remembers a descriptor; OnionDescriptorError when it does not verify. */
  add(bytes: Uint8Array, source: string, expectedPeer?: string): KnownRelay;
  /**
   * A contact's own relay descriptor (from its address update): kept with source "contact" if it
   * verifies and is `peerId`'s; otherwise dropped and logged. Never throws.
   */
  addFromContact(bytes: Uint8Array, peerId: string): boolean;
  get(peerId: string): KnownRelay | undefined;
  /** Fetches a relay's descriptor from the relay itself (the peer store must know an address). */
  lookup(peerId: string, signal?: AbortSignal): Promise<KnownRelay>;
  usable(): KnownRelay[];
  addrsOf(relay: KnownRelay): Multiaddr[];
  describe(bytes: Uint8Array): Record<string, unknown>;
  list(): { relays: RelayListEntry[]; bootstrap: string[] };
  addBootstrap(addr: string): Promise<{ added: string; relay: RelayListEntry | null; error?: string }>;
  removeBootstrap(what: string): Promise<{ removed: string[] }>;
  /** One discovery round (bootstrap list, DHT); resolves with the relays known after it. */
  discover(signal?: AbortSignal): Promise<number>;
  state(): OnionState;
  saveRelayChoice(on: boolean): void;
}

function readState(file: string | undefined): OnionState {
  if (!file || !existsSync(file)) return { bootstrap: [] };
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { relay?: unknown; bootstrap?: unknown };
    const bootstrap = Array.isArray(raw.bootstrap)
      ? raw.bootstrap.filter((a): a is string => typeof a === 'string')
      : [];
    return { ...(typeof raw.relay === 'boolean' ? { relay: raw.relay } : {}), bootstrap };
  } catch {
    return { bootstrap: [] };
  }
}

function ipsOf(addrs: readonly Uint8Array[]): string[] {
  const out: string[] = [];
  for (const bytes of addrs) {
    try {
      const first = multiaddr(bytes).getComponents()[0];
      if ((first?.code === 4 || first?.code === 41) && first.value !== undefined) out.push(first.value);
    } catch {
      // not an address we can read
    }
  }
  return out;
}

export function createDirectory(init: DirectoryInit): Directory {
  const { libp2p, logger: log } = init;
  const relays = new Map<string, KnownRelay & { source: string; addrs: Multiaddr[] }>();
  let state = readState(init.stateFile);
  let timer: NodeJS.Timeout | undefined;
  let controller: AbortController | undefined;
  const fetching = new Set<string>();
  let cid: CID | undefined;
  const relayCid = async () => {
    cid ??= CID.createV1(0x55, await sha256.digest(new TextEncoder().encode(RELAY_PROVIDER_LABEL)));
    return cid;
  };

  const save = () => {
    if (!init.stateFile) return;
    writeFileAtomic(init.stateFile, `${JSON.stringify(state)}\n`, init.rng);
  };

  const add: Directory['add'] = (bytes, source, expectedPeer) => {
    const d = decodeDescriptor(bytes);
    checkDescriptorTime(d, init.now());
    const peerId = peerIdFromPublicKey(publicKeyFromRaw(d.transportKey));
    const id = peerId.toString();
    if (expectedPeer !== undefined && expectedPeer !== id)
      throw new OnionRelayAddressError('the descriptor is for another peer');
    const addrs: Multiaddr[] = [];
    for (const a of d.addrs) {
      try {
        addrs.push(multiaddr(a));
      } catch {
        // skipped
      }
    }
    const old = relays.get(id);
    if (old && old.descriptor.publishedMs > d.publishedMs) {
      if (source === 'contact') old.source = source;
      return old;
    }
    const entry = {
      peerId: id,
      peerIdBytes: peerId.toMultihash().bytes,
      descriptor: d,
      ips: ipsOf(d.addrs),
      attempts: old?.attempts ?? 0,
      successes: old?.successes ?? 0,
      reachedAt: old?.reachedAt ?? 0,
      // A contact's own word (its address update) names the source over how we first heard of it.
      source: source === 'contact' ? source : (old?.source ?? source),
      addrs,
    };
    relays.delete(id);
    relays.set(id, entry);
    if (relays.size > RELAY_CACHE_MAX) relays.delete(relays.keys().next().value as string);
    return entry;
  };

  const addFromContact: Directory['addFromContact'] = (bytes, peerId) => {
    try {
      add(bytes, 'contact', peerId);
      return true;
    } catch (error) {
      log.info('onion.contact_descriptor_dropped', {
        code: (error as { code?: string }).code ?? (error as Error).name,
      });
      return false;
    }
  };

  const fetchFrom = async (
    peer: PeerId,
    addrs: Multiaddr[],
    source: string,
    signal?: AbortSignal,
  ): Promise<KnownRelay> => {
    const id = peer.toString();
    if (addrs.length > 0) await libp2p.peerStore.merge(peer, { multiaddrs: addrs });
    const s = AbortSignal.any([
      AbortSignal.timeout(DESCRIPTOR_FETCH_TIMEOUT_MS),
      ...(signal ? [signal] : []),
    ]);
    const stream = await libp2p.dialProtocol(peer, ONION_DESCRIPTOR_PROTOCOL, { signal: s });
    try {
      const frame = await frameReader(stream, DESCRIPTOR_MAX_BYTES).next();
      if (!frame) throw new OnionRelayAddressError('the peer sent no descriptor');
      const entry = add(frame, source, id);
      // Fetched from the peer itself: it answered just now (the mailbox suggestions say so).
      entry.reachedAt = init.now();
      return entry;
    } finally {
      await stream.close().catch(() => undefined);
    }
  };

  const tryFetch = (peer: PeerId, addrs: Multiaddr[], source: string): void => {
    const id = peer.toString();
    if (id === init.ownPeer || fetching.has(id) || fetching.size > 16) return;
    // Asked again at most every 10 minutes; a descriptor only heard of (a contact's address update, a
    // locator) is fetched from the peer once it connects, which tells that it answers.
    const known = relays.get(id);
    if (known && init.now() - known.reachedAt < 10 * 60_000) return;
    fetching.add(id);
    void fetchFrom(peer, addrs, source)
      .catch(() => log.debug('onion.descriptor_fetch_failed'))
      .finally(() => fetching.delete(id));
  };

  const onIdentify = (evt: CustomEvent<IdentifyResult>) => {
    if (evt.detail.protocols.includes(ONION_DESCRIPTOR_PROTOCOL)) tryFetch(evt.detail.peerId, [], 'peer');
  };
  // mDNS (the only peer discovery the node runs): a pvt node on the LAN may relay; ask it.
  const onDiscovery = (evt: CustomEvent<PeerInfo>) => {
    if (evt.detail.multiaddrs.length > 0) tryFetch(evt.detail.id, evt.detail.multiaddrs, 'lan');
  };

  const parseBootstrap = (addr: string): { ma: Multiaddr; peer: PeerId } => {
    let ma: Multiaddr;
    try {
      ma = multiaddr(addr.trim());
    } catch {
      throw new OnionRelayAddressError(`not a multiaddr: ${JSON.stringify(addr)}`);
    }
    const id = ma.getComponents().find((c) => c.name === 'p2p')?.value;
    if (!id)
      throw new OnionRelayAddressError(
        'the address must end in /p2p/PEERID (as pvt status --json prints it)',
      );
    return { ma, peer: peerIdFromString(id) };
  };

  const bootstrapRound = async (signal?: AbortSignal) => {
    await Promise.all(
      state.bootstrap.map(async (addr) => {
        try {
          const { ma, peer } = parseBootstrap(addr);
          await fetchFrom(peer, [ma.decapsulateCode(421)], 'bootstrap', signal);
        } catch {
          log.debug('onion.bootstrap_failed');
        }
      }),
    );
  };

  const dhtRound = async (signal?: AbortSignal) => {
    let routing: Libp2p['contentRouting'];
    try {
      routing = libp2p.contentRouting;
    } catch {
      return;
    }
    const key = await relayCid();
    if (init.providing()) {
      await routing
        .provide(key, { signal: AbortSignal.any([AbortSignal.timeout(20_000), ...(signal ? [signal] : [])]) })
        .catch(() => log.debug('onion.provide_failed'));
    }
    try {
      const s = AbortSignal.any([AbortSignal.timeout(20_000), ...(signal ? [signal] : [])]);
      const found: Promise<unknown>[] = [];
      for await (const p of routing.findProviders(key, { signal: s })) {
        if (p.id.toString() === init.ownPeer) continue;
        found.push(fetchFrom(p.id, p.multiaddrs, 'dht', signal).catch(() => undefined));
      }
      await Promise.all(found);
    } catch {
      log.debug('onion.find_providers_failed');
    }
  };

  const entryOf = (r: KnownRelay & { source: string; addrs: Multiaddr[] }): RelayListEntry => ({
    peerId: r.peerId,
    short: r.peerId.slice(-8),
    addrs: r.addrs.map(String),
    relay: (r.descriptor.flags & 1) === 1,
    services: r.descriptor.services,
    attempts: r.attempts,
    successes: r.successes,
    source: r.source,
    validUntil: r.descriptor.validUntilMs,
    reachedAt: r.reachedAt > 0 ? r.reachedAt : null,
  });

  const discover: Directory['discover'] = async (signal) => {
    await bootstrapRound(signal);
    await dhtRound(signal);
    return relays.size;
  };

  return {
    async start() {
      if (controller) return;
      controller = new AbortController();
      libp2p.addEventListener('peer:identify', onIdentify);
      libp2p.addEventListener('peer:discovery', onDiscovery);
      const round = () => void discover(controller?.signal).catch(() => undefined);
      setTimeout(round, 200).unref();
      timer = setInterval(round, DISCOVERY_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      controller?.abort();
      controller = undefined;
      if (timer) clearInterval(timer);
      libp2p.removeEventListener('peer:identify', onIdentify);
      libp2p.removeEventListener('peer:discovery', onDiscovery);
    },
    add,
    addFromContact,
    get: (id) => relays.get(id),
    async lookup(id, signal) {
      return fetchFrom(peerIdFromString(id), [], 'lookup', signal);
    },
    usable() {
      const t = init.now();
      return [...relays.values()].filter((r) => r.descriptor.validUntilMs > t && r.peerId !== init.ownPeer);
    },
    addrsOf: (r) => relays.get(r.peerId)?.addrs ?? [],
    describe(bytes) {
      const d = decodeDescriptor(bytes);
      return {
        keyId: Buffer.from(d.keyId).toString('hex'),
        publishedAt: d.publishedMs,
        validUntil: d.validUntilMs,
        relayingSince: d.relayingSinceMs,
        addrs: ipsOf(d.addrs).length,
        services: d.services,
        flags: { relay: (d.flags & 1) === 1, exit: (d.flags & 2) === 2 },
      };
    },
    list: () => ({ relays: [...relays.values()].map(entryOf), bootstrap: [...state.bootstrap] }),
    async addBootstrap(addr) {
      const { ma, peer } = parseBootstrap(addr);
      const text = ma.toString();
      if (!state.bootstrap.includes(text)) {
        state = { ...state, bootstrap: [...state.bootstrap, text] };
        save();
      }
      try {
        const r = await fetchFrom(peer, [ma.decapsulateCode(421)], 'bootstrap');
        return {
          added: text,
          relay: entryOf(relays.get(r.peerId) as KnownRelay & { source: string; addrs: Multiaddr[] }),
        };
      } catch (error) {
        return { added: text, relay: null, error: (error as Error).message };
      }
    },
    async removeBootstrap(what) {
      const removed = state.bootstrap.filter((a) => a === what || a.endsWith(`/p2p/${what}`));
      state = { ...state, bootstrap: state.bootstrap.filter((a) => !removed.includes(a)) };
      save();
      return { removed };
    },
    discover,
    state: () => state,
    saveRelayChoice(on) {
      state = { ...state, relay: on };
      save();
    },
  };
}

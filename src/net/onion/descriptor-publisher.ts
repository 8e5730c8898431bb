/**
 * This node's own descriptor (docs/protocol/onion.md, "Descriptors"): signed with the transport key
 * over the current onion keys, the node's addresses, its exit services and the relay and exit flags;
 * kept and signed again only when one of those changed, when asked to (`invalidate`), or after
 * DESCRIPTOR_REPUBLISH_MS; and served on `/pvt/onion/desc/1.0.0` only while the node accepts circuits
 * (identify then tells peers). Must not know circuits, links, the relay, the client or other relays'
 * descriptors (directory.ts).
 */
import type { Libp2p, Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import {
  DESCRIPTOR_FLAG_EXIT,
  DESCRIPTOR_FLAG_RELAY,
  DESCRIPTOR_MAX_ADDR_BYTES,
  DESCRIPTOR_MAX_ADDRS,
  DESCRIPTOR_MAX_SERVICES,
} from '../../protocol/onion/constants.ts';
import { signDescriptor } from '../../protocol/onion/descriptor.ts';
import { writeFrame } from '../frames.ts';
import { DESCRIPTOR_REPUBLISH_MS, DESCRIPTOR_VALIDITY_MS, ONION_DESCRIPTOR_PROTOCOL } from './constants.ts';
import type { KeyRing } from './keyring.ts';

export interface DescriptorPublisherInit {
  readonly libp2p: Libp2p;
  readonly transportSeed: Uint8Array;
  /** The Ed25519 transport public key (of `transportSeed`). */
  readonly relayId: Uint8Array;
  /** When the service was made: the descriptor's "relaying since". */
  readonly startedAt: number;
  /** The onion keys (undefined until the service starts). */
  readonly ring: () => KeyRing | undefined;
  /** This node's dialable addresses (no /p2p/), best first. */
  readonly ownAddrs: () => Multiaddr[];
  /** The exit services' names. */
  readonly services: () => Iterable<string>;
  /** Relaying for others now (the relay flag). */
  readonly serving: () => boolean;
  /** Accepting circuits now (relaying, or offering an exit service of our own). */
  readonly accepting: () => boolean;
  /** The service runs (between start and stop). */
  readonly running: () => boolean;
  readonly now: () => number;
}

export interface DescriptorPublisher {
  /** The signed descriptor; null while the node accepts no circuits (or before start). */
  descriptor(): Uint8Array | null;
  /** What the last descriptor signed was made of: a new key means a new descriptor. */
  key(): string;
  /** The next descriptor() signs anew (keys rotated, services or the relay choice changed). */
  invalidate(): void;
  /** Offers or withdraws `/pvt/onion/desc/1.0.0` to match running() && accepting(). */
  sync(): Promise<void>;
  /** Withdraws the protocol (stop). */
  stop(): Promise<void>;
}

export function createDescriptorPublisher(init: DescriptorPublisherInit): DescriptorPublisher {
  const { libp2p, now } = init;
  let descriptorBytes: Uint8Array | null = null;
  let descriptorAt = 0;
  let descriptorKey = '';
  let descHandled = false;

  const descriptor = (): Uint8Array | null => {
    const ring = init.ring();
    const current = ring?.current();
    if (!ring || !current || !init.accepting()) return null;
    const rotatedAt = ring.rotatedAt();
    const addrs = init
      .ownAddrs()
      .map((a) => a.bytes)
      .filter((b) => b.length <= DESCRIPTOR_MAX_ADDR_BYTES)
      .slice(0, DESCRIPTOR_MAX_ADDRS);
    const names = [...init.services()].slice(0, DESCRIPTOR_MAX_SERVICES);
    const flags =
      (init.serving() ? DESCRIPTOR_FLAG_RELAY : 0) | (names.length > 0 ? DESCRIPTOR_FLAG_EXIT : 0);
    const k = `${flags}|${names.join()}|${addrs.map((a) => a.join()).join(' ')}|${rotatedAt}`;
    if (descriptorBytes && k === descriptorKey && now() - descriptorAt < DESCRIPTOR_REPUBLISH_MS) {
      return descriptorBytes;
    }
    const t = now();
    descriptorBytes = signDescriptor(
      {
        transportKey: init.relayId,
        x25519Public: current.x25519Public,
        kemPublic: current.kemPublic,
        publishedMs: t,
        validUntilMs: t + DESCRIPTOR_VALIDITY_MS,
        relayingSinceMs: init.startedAt,
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

  return {
    descriptor,
    key: () => descriptorKey,
    invalidate() {
      descriptorBytes = null;
    },
    // The descriptor protocol is offered only while we accept circuits (identify then tells peers).
    async sync() {
      const want = init.running() && init.accepting();
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
    },
    async stop() {
      if (descHandled) await libp2p.unhandle(ONION_DESCRIPTOR_PROTOCOL).catch(() => undefined);
      descHandled = false;
    },
  };
}

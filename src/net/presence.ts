/**
 * Contact presence: keeps the contacts' transport peers connected when they can be — dialling from their
 * last known addresses and from mDNS discoveries, retrying with capped exponential backoff and jitter —
 * and reports when a contact's peer comes online (with its path badge) or goes offline. Strangers'
 * connections are ignored here (they are gated per protocol). Timers die with stop(). libp2p service shape.
 */
import type { Libp2p, PeerId, PeerInfo, PeerUpdate, Startable } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log/logger.ts';
import { pathOf } from './addresses.ts';
import { DIAL_TIMEOUT_MS, RETRY_INITIAL_MS, RETRY_JITTER, RETRY_MAX_MS } from './constants.ts';

/**
 * How a contact is connected: 'lan' (private addresses), 'mapped' (it came in through our router
 * mapping), 'direct' (public addresses otherwise), 'relayed' (only through a contact's relay).
 */
export type Path = 'lan' | 'direct' | 'mapped' | 'relayed';

export interface PresenceInit {
  readonly isContact: (peerId: string) => boolean;
  readonly onOnline: (peerId: string, path: Path) => void;
  readonly onOffline: (peerId: string) => void;
  /** Whether we hold a router mapping now (an inbound connection from outside then came through it). */
  readonly mapped?: () => boolean;
}

export interface PresenceComponents {
  readonly libp2p: Libp2p;
  readonly logger: Logger;
  readonly random?: () => number;
}

export interface Presence extends Startable {
  /** Remembers addresses (multiaddr strings) for a peer: merged into the peer store, used by every dial. */
  setAddrs(peerId: string, addrs: readonly string[]): Promise<void>;
  /** Keeps trying to be connected to this contact's peer (dial now, then backoff while offline). */
  watch(peerId: string): void;
  /** Stops trying and hangs up (contact removed). */
  unwatch(peerId: string): Promise<void>;
  path(peerId: string): Path | 'offline';
  /** Dials now (if not connected); resolves with the path, rejects when unreachable. */
  connect(peerId: string): Promise<Path>;
}

interface Watched {
  readonly peerId: PeerId;
  delayMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  dialing: boolean;
  /** New addresses arrived during a dial: try again as soon as it ends. */
  again: boolean;
}

export function createPresence(init: PresenceInit): (components: PresenceComponents) => Presence {
  return (components) => {
    const { libp2p } = components;
    const random = components.random ?? Math.random;
    const log = components.logger.child('presence');
    const watched = new Map<string, Watched>();
    let controller: AbortController | undefined;

    const currentPath = (key: string): Path | 'offline' => {
      const conns = libp2p
        .getConnections()
        .filter((c) => c.remotePeer.toString() === key && c.status === 'open');
      if (conns.length === 0) return 'offline';
      const paths = new Set<Path>(
        conns.map((c) => {
          const p = pathOf(c.remoteAddr);
          return p === 'direct' && c.direction === 'inbound' && init.mapped?.() ? 'mapped' : p;
        }),
      );
      for (const p of ['lan', 'direct', 'mapped'] as const) if (paths.has(p)) return p;
      return 'relayed';
    };

    const schedule = (w: Watched) => {
      if (!controller || w.timer !== undefined) return;
      const delay = w.delayMs * (1 + RETRY_JITTER * random());
      w.delayMs = Math.min(w.delayMs * 2, RETRY_MAX_MS);
      w.timer = setTimeout(() => {
        w.timer = undefined;
        void attempt(w);
      }, delay);
      w.timer.unref?.();
    };

    const attempt = async (w: Watched): Promise<void> => {
      if (!controller || w.dialing) return;
      const key = w.peerId.toString();
      if (currentPath(key) !== 'offline' || watched.get(key) !== w) return;
      w.dialing = true;
      w.again = false;
      let failed = false;
      try {
        await libp2p.dial(w.peerId, {
          signal: AbortSignal.any([controller.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]),
        });
      } catch (error) {
        failed = true;
        log.debug('presence.dial_failed', { code: (error as { name?: string }).name ?? 'unknown' });
      } finally {
        w.dialing = false;
      }
      if (!failed || watched.get(key) !== w) return;
      if (w.again) void attempt(w);
      else schedule(w);
    };

    /** Something new about a watched peer (addresses): dial now rather than at the next backoff step. */
    const nudge = (w: Watched) => {
      w.delayMs = RETRY_INITIAL_MS;
      if (w.dialing) {
        w.again = true;
        return;
      }
      if (w.timer !== undefined) clearTimeout(w.timer);
      w.timer = undefined;
      void attempt(w);
    };

    const onConnect = (event: CustomEvent<PeerId>) => {
      const key = event.detail.toString();
      if (!init.isContact(key)) return;
      const w = watched.get(key);
      if (w) {
        w.delayMs = RETRY_INITIAL_MS;
        if (w.timer !== undefined) clearTimeout(w.timer);
        w.timer = undefined;
      }
      const path = currentPath(key);
      init.onOnline(key, path === 'offline' ? 'direct' : path);
    };
    const onDisconnect = (event: CustomEvent<PeerId>) => {
      const key = event.detail.toString();
      if (!init.isContact(key)) return;
      init.onOffline(key);
      const w = watched.get(key);
      if (w && controller) {
        w.delayMs = RETRY_INITIAL_MS;
        schedule(w);
      }
    };
    // libp2p reports 'peer:discovery' only for peers new to its peer store, and contacts are put there at
    // start: so new addresses of a known contact (mDNS, identify) are noticed through 'peer:update'.
    const onUpdate = (event: CustomEvent<PeerUpdate>) => {
      const key = event.detail.peer.id.toString();
      const w = watched.get(key);
      if (!w || !init.isContact(key) || currentPath(key) !== 'offline') return;
      const before = new Set((event.detail.previous?.addresses ?? []).map((a) => a.multiaddr.toString()));
      if (!event.detail.peer.addresses.some((a) => !before.has(a.multiaddr.toString()))) return;
      nudge(w);
    };
    const onDiscovery = (event: CustomEvent<PeerInfo>) => {
      const key = event.detail.id.toString();
      if (!init.isContact(key)) return;
      const w = watched.get(key);
      void libp2p.peerStore
        .merge(event.detail.id, { multiaddrs: event.detail.multiaddrs })
        .then(() => {
          if (w && currentPath(key) === 'offline') nudge(w);
        })
        .catch(() => undefined);
    };

    return {
      async start() {
        if (controller) return;
        controller = new AbortController();
        libp2p.addEventListener('peer:connect', onConnect);
        libp2p.addEventListener('peer:disconnect', onDisconnect);
        libp2p.addEventListener('peer:discovery', onDiscovery);
        libp2p.addEventListener('peer:update', onUpdate);
        for (const w of watched.values()) void attempt(w);
      },
      async stop() {
        if (!controller) return;
        controller.abort();
        controller = undefined;
        libp2p.removeEventListener('peer:connect', onConnect);
        libp2p.removeEventListener('peer:disconnect', onDisconnect);
        libp2p.removeEventListener('peer:discovery', onDiscovery);
        libp2p.removeEventListener('peer:update', onUpdate);
        for (const w of watched.values()) {
          if (w.timer !== undefined) clearTimeout(w.timer);
          w.timer = undefined;
        }
        watched.clear();
      },
      async setAddrs(peerId, addrs) {
        const multiaddrs: Multiaddr[] = [];
        for (const a of addrs) {
          try {
            multiaddrs.push(multiaddr(a));
          } catch {
            // a stored address this build cannot parse: skip it
          }
        }
        if (multiaddrs.length === 0) return;
        await libp2p.peerStore.merge(peerIdFromString(peerId), { multiaddrs });
      },
      watch(peerId) {
        const key = peerId;
        if (watched.has(key)) return;
        const w: Watched = {
          peerId: peerIdFromString(peerId),
          delayMs: RETRY_INITIAL_MS,
          timer: undefined,
          dialing: false,
          again: false,
        };
        watched.set(key, w);
        if (controller) void attempt(w);
      },
      async unwatch(peerId) {
        const w = watched.get(peerId);
        if (w?.timer !== undefined) clearTimeout(w.timer);
        watched.delete(peerId);
        await libp2p.hangUp(peerIdFromString(peerId)).catch(() => undefined);
      },
      path(peerId) {
        return currentPath(peerId);
      },
      async connect(peerId) {
        const key = peerId;
        const now = currentPath(key);
        if (now !== 'offline') return now;
        if (!controller) throw new Error('presence stopped');
        await libp2p.dial(peerIdFromString(peerId), {
          signal: AbortSignal.any([controller.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]),
        });
        const after = currentPath(key);
        return after === 'offline' ? 'direct' : after;
      },
    };
  };
}

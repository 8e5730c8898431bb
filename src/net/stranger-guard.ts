/**
 * Keeps connection slots for contacts and invite holders when strangers crowd the node. A stranger
 * (an inbound connection whose transport key is not a contact's) may only use the public services; its
 * connection is closed once it has stayed STRANGER_GRACE_MS without an invite or relay stream open, and
 * at most MAX_STRANGER_CONNECTIONS strangers are connected at once (past that the oldest idle one, else
 * the oldest, is closed). Half-open sockets that never finish the Noise handshake are bounded by the
 * libp2p settings in node.ts (short upgrade timeout, a large pending table, a per-host rate). Knows
 * connections and the contact test; nothing about what flows on them.
 */
import type { Connection, Libp2p } from '@libp2p/interface';
import {
  INVITE_PROTOCOL,
  MAX_STRANGER_CONNECTIONS,
  STRANGER_GRACE_MS,
  STRANGER_SWEEP_MS,
} from './constants.ts';

/** Streams that make a stranger's connection useful: a join in progress, or a relay hop to a contact. */
const BUSY_PROTOCOLS = new Set([INVITE_PROTOCOL, '/libp2p/circuit/relay/0.2.0/hop']);

export interface StrangerGuard {
  stop(): void;
  /** Stranger connections closed so far (for logs and tests). */
  closed(): number;
}

export function guardStrangers(
  libp2p: Libp2p,
  isContact: (peerId: string) => boolean,
  onClose: (reason: 'idle' | 'crowded') => void = () => {},
): StrangerGuard {
  /** Inbound stranger connections, oldest first, with when they opened. */
  const strangers = new Map<Connection, number>();
  let closedCount = 0;
  const busy = (c: Connection) => c.streams.some((s) => BUSY_PROTOCOLS.has(s.protocol ?? ''));
  const close = (c: Connection, reason: 'idle' | 'crowded') => {
    strangers.delete(c);
    closedCount++;
    onClose(reason);
    c.abort(new Error(`stranger connection closed (${reason})`));
  };
  const sweep = () => {
    const now = Date.now();
    for (const [c, openedAt] of strangers) {
      if (c.status !== 'open' || isContact(c.remotePeer.toString())) strangers.delete(c);
      else if (now - openedAt >= STRANGER_GRACE_MS && !busy(c)) close(c, 'idle');
    }
  };
  const onOpen = (evt: CustomEvent<Connection>) => {
    const c = evt.detail;
    if (c.direction !== 'inbound' || isContact(c.remotePeer.toString())) return;
    strangers.set(c, Date.now());
    if (strangers.size <= MAX_STRANGER_CONNECTIONS) return;
    sweep();
    if (strangers.size <= MAX_STRANGER_CONNECTIONS) return;
    const victim = [...strangers.keys()].find((x) => x !== c && !busy(x)) ?? strangers.keys().next().value;
    if (victim) close(victim, 'crowded');
  };
  const onClosed = (evt: CustomEvent<Connection>) => {
    strangers.delete(evt.detail);
  };
  libp2p.addEventListener('connection:open', onOpen);
  libp2p.addEventListener('connection:close', onClosed);
  const timer = setInterval(sweep, STRANGER_SWEEP_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      libp2p.removeEventListener('connection:open', onOpen);
      libp2p.removeEventListener('connection:close', onClosed);
      strangers.clear();
    },
    closed: () => closedCount,
  };
}

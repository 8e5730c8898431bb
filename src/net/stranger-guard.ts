/**
 * Keeps connection slots for contacts and invite holders when strangers crowd the node. A stranger
 * (an inbound connection whose transport key is not a contact's) may only use the public services
 * (invite, onion relay, mailbox, DHT, circuit relay); its connection is closed once it has stayed
 * STRANGER_GRACE_MS with no such stream open (identify and ping do not count). At most
 * MAX_IDLE_STRANGER_CONNECTIONS idle strangers and MAX_STRANGER_CONNECTIONS strangers in all are
 * connected at once (past that the oldest idle one, else the oldest, is closed), which leaves
 * MAX_CONNECTIONS − MAX_STRANGER_CONNECTIONS slots that only contacts can take. Half-open sockets
 * that never finish the Noise handshake are bounded by the libp2p settings in node.ts (short upgrade timeout, a large pending table, a per-host rate). Knows
 * connections and the contact test; nothing about what flows on them.
 */
import type { Connection, Libp2p } from '@libp2p/interface';
import {
  MAX_IDLE_STRANGER_CONNECTIONS,
  MAX_STRANGER_CONNECTIONS,
  STRANGER_GRACE_MS,
  STRANGER_SWEEP_MS,
} from './constants.ts';

/** A stream that makes a stranger's connection useful: any protocol but identify and ping (/ipfs/…). */
const serves = (protocol: string | undefined): boolean =>
  protocol !== undefined && protocol !== '' && !protocol.startsWith('/ipfs/');

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
  const busy = (c: Connection) => c.streams.some((s) => serves(s.protocol));
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
    const idle = () => [...strangers.keys()].filter((x) => x !== c && !busy(x));
    if (strangers.size <= MAX_STRANGER_CONNECTIONS && idle().length < MAX_IDLE_STRANGER_CONNECTIONS) return;
    sweep();
    const candidates = idle();
    if (candidates.length >= MAX_IDLE_STRANGER_CONNECTIONS) {
      close(candidates[0] as Connection, 'crowded');
    } else if (strangers.size > MAX_STRANGER_CONNECTIONS) {
      const victim = candidates[0] ?? [...strangers.keys()].find((x) => x !== c);
      if (victim) close(victim, 'crowded');
    }
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

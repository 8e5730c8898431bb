/**
 * One client circuit (docs/protocol/onion.md, "Circuit building", "Streams and flow control"): its hop
 * keys, the cells it routes back from its hops (CREATED and EXTENDED answers while it is built,
 * CONNECTED/END for streams it begins, DATA and SENDMEs for its streams), its circuit window, and its
 * death (DESTROY, timeouts, anything malformed) failing everything pending on it. Must not know how a
 * path is chosen or built (circuit-build.ts), the pool of circuits (client.ts), or libp2p.
 */
import {
  decodeCell,
  decodeRelay,
  encodeCell,
  encodeRelay,
  type RelayMessage,
} from '../../protocol/onion/cell.ts';
import {
  CELL_CREATED,
  CELL_DESTROY,
  CELL_RELAY,
  CREATED_HANDSHAKE_BYTES,
  DESTROY_FINISHED,
  RELAY_CONNECTED,
  RELAY_DATA,
  RELAY_END,
  RELAY_EXTENDED,
  RELAY_SENDME,
} from '../../protocol/onion/constants.ts';
import type { Descriptor } from '../../protocol/onion/descriptor.ts';
import { clientOpen, clientSeal, type HopState } from '../../protocol/onion/layers.ts';
import { StreamClosedError } from '../errors.ts';
import { CircuitWindow } from './circuit-window.ts';
import type { Link } from './link.ts';
import type { CellStream } from './stream.ts';

/** A relay the client may use: its verified descriptor and what path selection needs. */
export interface KnownRelay {
  readonly peerId: string;
  readonly peerIdBytes: Uint8Array;
  readonly descriptor: Descriptor;
  readonly ips: readonly string[];
  attempts: number;
  successes: number;
  /** Last time this node talked to it directly (fetched its descriptor) or built a circuit through it; 0 = never. */
  reachedAt: number;
}

/** Routes cells of (link, circId) on an outbound link to `handler` (undefined: stop routing). */
export type CellRoute = (
  link: Link,
  circId: number,
  handler: ((bytes: Uint8Array) => void) | undefined,
) => void;

/** An answer the circuit waits for: CREATED or EXTENDED while building, CONNECTED for a BEGIN. */
export interface Pending {
  readonly command: number;
  readonly resolve: (m: RelayMessage | Uint8Array) => void;
  readonly reject: (e: Error) => void;
}

export class Circuit {
  state: 'building' | 'ready' | 'retiring' | 'dead' = 'building';
  readonly hops: HopState[] = [];
  readonly streams = new Map<number, CellStream>();
  readonly begins = new Map<number, Pending>();
  pending: Pending | undefined;
  cells = 0;
  readonly window = new CircuitWindow();
  nextStream = 1;
  onDead: (() => void) | undefined;
  readonly id: number;
  readonly link: Link;
  readonly circId: number;
  readonly path: readonly KnownRelay[];
  readonly createdAt: number;
  readonly route: CellRoute;
  constructor(
    id: number,
    link: Link,
    circId: number,
    path: readonly KnownRelay[],
    createdAt: number,
    route: CellRoute,
  ) {
    this.id = id;
    this.link = link;
    this.circId = circId;
    this.path = path;
    this.createdAt = createdAt;
    this.route = route;
  }

  get exit(): KnownRelay {
    return this.path[this.path.length - 1] as KnownRelay;
  }

  sendRelay(target: number, message: RelayMessage): boolean {
    if (this.state === 'dead') return false;
    this.cells += 1;
    return this.link.send(
      encodeCell(this.circId, CELL_RELAY, clientSeal(this.hops, target, encodeRelay(message))),
    );
  }

  die(error: Error, sendDestroy: boolean): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    if (sendDestroy) this.link.send(encodeCell(this.circId, CELL_DESTROY, Uint8Array.of(DESTROY_FINISHED)));
    this.route(this.link, this.circId, undefined);
    this.pending?.reject(error);
    this.pending = undefined;
    for (const b of this.begins.values()) b.reject(error);
    this.begins.clear();
    for (const s of this.streams.values()) s.fail(new StreamClosedError());
    this.streams.clear();
    this.window.wake();
    this.onDead?.();
  }

  onCell(bytes: Uint8Array): void {
    let cell: ReturnType<typeof decodeCell>;
    try {
      cell = decodeCell(bytes);
    } catch {
      this.die(new Error('malformed cell'), true);
      return;
    }
    if (cell.command === CELL_DESTROY) {
      this.die(new Error('circuit destroyed by a relay'), false);
      return;
    }
    if (cell.command === CELL_CREATED) {
      const p = this.pending;
      if (p?.command === CELL_CREATED) {
        this.pending = undefined;
        p.resolve(cell.body.slice(0, CREATED_HANDSHAKE_BYTES));
      } else this.die(new Error('unexpected CREATED'), true);
      return;
    }
    if (cell.command !== CELL_RELAY) return;
    const opened = clientOpen(this.hops, cell.body);
    if (!opened) {
      this.die(new Error('a cell no hop sealed'), true);
      return;
    }
    let m: RelayMessage;
    try {
      m = decodeRelay(opened.plain);
    } catch {
      this.die(new Error('malformed relay cell'), true);
      return;
    }
    const fromExit = opened.hop === this.hops.length - 1;
    switch (m.command) {
      case RELAY_EXTENDED: {
        const p = this.pending;
        if (p?.command === RELAY_EXTENDED && fromExit) {
          this.pending = undefined;
          p.resolve(m);
        } else this.die(new Error('unexpected EXTENDED'), true);
        return;
      }
      case RELAY_CONNECTED:
      case RELAY_END: {
        const b = this.begins.get(m.streamId);
        if (b && fromExit) {
          this.begins.delete(m.streamId);
          if (m.command === RELAY_CONNECTED) b.resolve(m);
          else b.reject(new StreamClosedError());
          return;
        }
        this.streams.get(m.streamId)?.deliver(m);
        if (m.command === RELAY_END) this.streams.delete(m.streamId);
        return;
      }
      case RELAY_DATA:
        if (!fromExit) return;
        if (this.window.received()) {
          this.sendRelay(this.hops.length - 1, {
            command: RELAY_SENDME,
            streamId: 0,
            data: new Uint8Array(0),
          });
        }
        this.streams.get(m.streamId)?.deliver(m);
        return;
      case RELAY_SENDME:
        if (m.streamId === 0) {
          this.window.credit();
        } else this.streams.get(m.streamId)?.deliver(m);
        return;
      default:
        return;
    }
  }

  expect(command: number, timeoutMs: number, signal?: AbortSignal): Promise<RelayMessage | Uint8Array> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.die(new Error('timed out'), true), timeoutMs);
      const onAbort = () => this.die(new Error('aborted'), true);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        command,
        resolve: (v) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
    });
  }
}

/**
 * Building one client circuit (docs/protocol/onion.md, "Circuit building and path rules"): chooses a
 * 3-hop path among the known relays (protocol/onion/path.ts), dials the first hop, CREATE, then EXTEND
 * through the circuit hop by hop, and records on each relay whether it took part in a circuit that was
 * built or is to blame for one that was not. Must not know the pool (how many circuits, when to rotate
 * or rebuild: client.ts), streams, or libp2p: links and dialling are given.
 */
import type { Rng } from '../../crypto/bytes.ts';
import { encodeCell, encodeExtend, type RelayMessage } from '../../protocol/onion/cell.ts';
import { CELL_CREATE, CELL_CREATED, RELAY_EXTEND, RELAY_EXTENDED } from '../../protocol/onion/constants.ts';
import { clientCreate, clientFinish } from '../../protocol/onion/handshake.ts';
import { hopState } from '../../protocol/onion/layers.ts';
import { type PathCandidate, selectPath } from '../../protocol/onion/path.ts';
import { type CellRoute, Circuit, type KnownRelay } from './circuit.ts';
import { CREATE_TIMEOUT_MS, EXTEND_TIMEOUT_MS } from './constants.ts';
import type { Link } from './link.ts';

/** What building needs from the service: the relays, dialling, cell routing, randomness. */
export interface BuildInit {
  readonly rng: Rng;
  readonly relays: () => readonly KnownRelay[];
  readonly isContact: (peerId: string) => boolean;
  /** An outbound link to the relay (dialling its descriptor's addresses). */
  readonly connect: (relay: KnownRelay, signal: AbortSignal) => Promise<Link>;
  readonly route: CellRoute;
  readonly ownPeer: string;
}

/** BuildInit with the client's clock, randomness and circuit ids. */
export interface BuildContext extends BuildInit {
  readonly now: () => number;
  readonly random: () => number;
  /** The id of the next circuit (taken once the first hop's link is open). */
  readonly nextId: () => number;
  /** The circuit is ready (called before buildCircuit resolves, in the same turn). */
  readonly onBuilt: (circuit: Circuit) => void;
}

/** What one attempt asks for; `avoid` gains the relay to blame when it fails. */
export interface BuildRequest {
  readonly exit: string | undefined;
  readonly service: string | undefined;
  readonly avoid: Set<string>;
  readonly signal?: AbortSignal | undefined;
}

const candidatesOf = (ctx: BuildContext): PathCandidate[] =>
  ctx
    .relays()
    .filter((r) => r.peerId !== ctx.ownPeer)
    .map((r) => ({
      id: r.peerId,
      ips: r.ips,
      relay: (r.descriptor.flags & 1) === 1,
      services: r.descriptor.services,
      contact: ctx.isContact(r.peerId),
      attempts: r.attempts,
      successes: r.successes,
    }));

/** Builds one circuit, hop by hop; resolves with it ready, or rejects (the circuit destroyed). */
export async function buildCircuit(ctx: BuildContext, request: BuildRequest): Promise<Circuit> {
  const { exit, service, avoid, signal } = request;
  const byId = new Map(ctx.relays().map((r) => [r.peerId, r]));
  const path = selectPath({
    candidates: candidatesOf(ctx),
    ...(exit !== undefined ? { exit } : {}),
    ...(service !== undefined ? { service } : {}),
    avoid,
    random: ctx.random,
  }).map((c) => byId.get(c.id) as KnownRelay);
  const first = path[0] as KnownRelay;
  const controller = AbortSignal.any([AbortSignal.timeout(CREATE_TIMEOUT_MS), ...(signal ? [signal] : [])]);
  let link: Link;
  try {
    link = await ctx.connect(first, controller);
  } catch (error) {
    first.attempts += 1;
    avoid.add(first.peerId);
    throw error;
  }
  let circId = 0;
  do circId = new DataView(ctx.rng(4).buffer).getUint32(0);
  while (circId === 0);
  const c = new Circuit(ctx.nextId(), link, circId, path, ctx.now(), ctx.route);
  ctx.route(link, circId, (bytes) => c.onCell(bytes));
  let hop = 0;
  try {
    const pub = (r: KnownRelay) => ({
      relayId: r.descriptor.transportKey,
      x25519Public: r.descriptor.x25519Public,
      kemPublic: r.descriptor.kemPublic,
    });
    const h1 = clientCreate(pub(first), ctx.rng);
    const created = c.expect(CELL_CREATED, CREATE_TIMEOUT_MS, signal);
    if (!link.send(encodeCell(circId, CELL_CREATE, h1.message))) throw new Error('link closed');
    c.hops.push(hopState(clientFinish(h1.state, (await created) as Uint8Array)));
    for (hop = 1; hop < path.length; hop++) {
      const next = path[hop] as KnownRelay;
      const h = clientCreate(pub(next), ctx.rng);
      const data = encodeExtend({
        peerId: next.peerIdBytes,
        addrs: next.descriptor.addrs.slice(0, 4),
        handshake: h.message,
      });
      const extended = c.expect(RELAY_EXTENDED, EXTEND_TIMEOUT_MS, signal);
      c.sendRelay(hop - 1, { command: RELAY_EXTEND, streamId: 0, data });
      const m = (await extended) as RelayMessage;
      c.hops.push(hopState(clientFinish(h.state, m.data)));
    }
  } catch (error) {
    const blamed = path[Math.min(hop, path.length - 1)] as KnownRelay;
    blamed.attempts += 1;
    avoid.add(blamed.peerId);
    c.die(error instanceof Error ? error : new Error(String(error)), true);
    throw error;
  }
  const builtAt = ctx.now();
  for (const r of path) {
    r.attempts += 1;
    r.successes += 1;
    r.reachedAt = builtAt;
  }
  c.state = 'ready';
  ctx.onBuilt(c);
  return c;
}

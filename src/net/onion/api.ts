/**
 * The onion client API other services build on (docs/protocol/onion.md, "Client API"): open a stream
 * through a 3-hop circuit to a named service at the exit hop, and register a named service that such
 * streams reach at this node. Types only — the implementation is client.ts (circuits, streams) and
 * relay.ts (exit side). Knows nothing about cells, keys or libp2p.
 *
 * Compatibility promise: fields may be added (optional); nothing here is removed or changes meaning.
 */

/** A relay as the onion layer knows it: its verified descriptor (protocol/onion/descriptor.ts). */
export interface RelayRef {
  /** The relay's transport PeerId (string form). */
  readonly peerId: string;
  /** The encoded, signed descriptor (verified again before use). */
  readonly descriptor: Uint8Array;
}

export interface OpenCircuitStreamOptions {
  /**
   * The exit hop: a relay descriptor (e.g. from a mailbox locator), or a PeerId string the client looks
   * up among the relays it knows (cache, bootstrap list, DHT). Omitted: any relay that offers `service`.
   */
  readonly exit?: RelayRef | Uint8Array | string;
  /** The service name at the exit: 1–32 characters of [a-z0-9._-] (e.g. "mailbox", "echo"). */
  readonly service: string;
  /** Aborting closes the stream (and gives up building its circuit). */
  readonly signal?: AbortSignal;
}

/**
 * A message-preserving, ordered, reliable channel through a circuit. Each `send` is one frame of at
 * most ONION_MAX_FRAME_BYTES (64 KiB) that the other side receives whole, as one item of the iterator
 * (split into fixed-size cells on the way). Back-pressure: `send` resolves once the circuit's window
 * accepted the frame's cells.
 */
export interface CircuitStream {
  /** Sends one frame; StreamClosedError after close or when the circuit died. */
  send(frame: Uint8Array): Promise<void>;
  /** The frames from the other side, in order; ends when the other side closes; throws when the circuit dies. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
  /** Closes both directions (sends END); idempotent. */
  close(): Promise<void>;
  /** The service name the stream was opened to. */
  readonly service: string;
}

/**
 * Runs one inbound stream at the exit. Resolving or rejecting closes the stream. The handler learns
 * nothing about the client (no PeerId, no address): only the frames.
 */
export type ExitServiceHandler = (
  stream: CircuitStream,
  context: { readonly signal: AbortSignal },
) => Promise<void>;

/** The onion layer of a running network (Network.onion). */
export interface OnionApi {
  /** Builds (or reuses a ready) circuit and opens a stream to `service` at its exit. */
  openCircuitStream(options: OpenCircuitStreamOptions): Promise<CircuitStream>;
  /**
   * Makes `name` reachable as an exit service at this node (the node accepts circuits that end here even
   * when it does not relay for others). Returns the function that unregisters it.
   */
  registerExitService(name: string, handler: ExitServiceHandler): () => void;
  /** This node's current signed descriptor (null while it accepts no circuits), to put in locators. */
  descriptor(): Uint8Array | null;
  /**
   * The descriptor to give contacts in address updates: while this node relays for others, or offers an
   * exit service of its own (a mailbox) while reachable from outside (null otherwise). `key` changes only when what a contact needs changes (keys, addresses, flags, services),
   * not on the hourly re-signing, so updates are not resent for nothing.
   */
  relayDescriptor(): { readonly bytes: Uint8Array; readonly key: string } | null;
  /**
   * A contact's descriptor from its address update: verified (signature, validity, and that it is
   * `peerId`'s own) and added to the known relays with source "contact". Never throws; false if dropped.
   */
  learnContactRelay(bytes: Uint8Array, peerId: string): boolean;
}

/**
 * Onion network constants (docs/protocol/onion.md, "Relay safety limits", "Streams and flow control",
 * "Discovery"): protocol ids, limits, windows, timeouts, rotation. Units in the names. Knows nothing else.
 */
export const ONION_PROTOCOL = '/pvt/onion/1.0.0';
export const ONION_DESCRIPTOR_PROTOCOL = '/pvt/onion/desc/1.0.0';
export const PVT_KAD_PROTOCOL = '/pvt/kad/1.0.0';
/** The DHT key relays provide: SHA-256 of this label (as a raw CID). */
export const RELAY_PROVIDER_LABEL = 'pvt-onion-relays-v1';

/** Relay limits. */
export const RELAY_MAX_CIRCUITS_PER_SOURCE = 32;
export const RELAY_MAX_CIRCUITS_TOTAL = 2048;
export const RELAY_CREATES_PER_SOURCE_PER_SECOND = 20;
export const RELAY_CREATES_PER_SECOND_TOTAL = 200;
export const RELAY_CELLS_PER_LINK_PER_SECOND = 2000;
export const RELAY_BAD_CELLS_PER_SOURCE = 8;
export const RELAY_QUEUE_CELLS = 512;
export const RELAY_MAX_LINKS = 256;
/** Bytes of raw input a link buffers before it has a whole cell (one cell). */
export const LINK_MAX_PENDING_BYTES = 2 * 1536;

/** Flow control windows, in DATA cells. */
export const CIRCUIT_WINDOW_CELLS = 256;
export const STREAM_WINDOW_CELLS = 128;
export const SENDME_INCREMENT_CELLS = 32;
/** Streams open at once on one circuit. */
export const MAX_STREAMS_PER_CIRCUIT = 64;

/** Timeouts. */
export const CREATE_TIMEOUT_MS = 10_000;
export const EXTEND_TIMEOUT_MS = 15_000;
export const BEGIN_TIMEOUT_MS = 15_000;
export const CIRCUIT_BUILD_TIMEOUT_MS = 30_000;
export const DESCRIPTOR_FETCH_TIMEOUT_MS = 5_000;

/** Client circuits. */
export const CIRCUITS_AHEAD = 2;
export const CIRCUIT_MAX_AGE_MS = 10 * 60_000;
export const CIRCUIT_MAX_CELLS = 50_000;
export const CIRCUIT_BUILD_ATTEMPTS = 4;
/** How often the client tops up and rotates its circuits, and rediscovers relays. */
export const CIRCUIT_MAINTAIN_MS = 5_000;
export const DISCOVERY_INTERVAL_MS = 30_000;
/** Relays remembered at most. */
export const RELAY_CACHE_MAX = 512;

/** Descriptors: how long one is valid, how often it is re-signed. */
export const DESCRIPTOR_VALIDITY_MS = 24 * 3600_000;
export const DESCRIPTOR_REPUBLISH_MS = 3600_000;
/** How often the relay checks whether its onion key is due for rotation. */
export const KEY_CHECK_MS = 60_000;

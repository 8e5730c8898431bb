/**
 * Network constants: protocol ids, stream and frame limits, rate limits, timeouts and backoffs (units in
 * the names). Knows nothing else.
 */
export const CHAT_PROTOCOL = '/pvt/chat/1.0.0';
export const INVITE_PROTOCOL = '/pvt/invite/1.0.0';

/** Largest frame accepted on any pvt stream, in bytes (a handshake message or a ratchet message). */
export const MAX_STREAM_FRAME_BYTES = 64 * 1024;
/** Largest frame on /pvt/invite: one handshake message (protocol MAX_HANDSHAKE_MESSAGE_BYTES). */
export const MAX_INVITE_FRAME_BYTES = 4096;
/** Concurrent inbound streams per connection and protocol. */
export const MAX_INBOUND_STREAMS = 8;
/** Concurrent outbound streams per connection and protocol. */
export const MAX_OUTBOUND_STREAMS = 8;
/** How long a stream may stay silent before it is closed. */
export const STREAM_IDLE_TIMEOUT_MS = 30_000;
/** Dial timeout for one attempt at a contact. */
export const DIAL_TIMEOUT_MS = 10_000;
/** A whole join handshake (4 messages) must finish within this time on either side. */
export const INVITE_HANDSHAKE_TIMEOUT_MS = 20_000;

/** Type byte of a chat frame carrying one ratchet message (the only type of version 1). */
export const CHAT_FRAME_RATCHET = 0x01;

/** Per remote peer: new inbound streams (all pvt protocols) allowed per window. */
export const PEER_STREAMS_PER_WINDOW = 30;
/** Per remote peer: inbound frames allowed per window. */
export const PEER_FRAMES_PER_WINDOW = 2_000;
/** Per remote peer: bad frames (garbage, oversize, failed handshakes) before the peer is hung up on. */
export const PEER_BAD_FRAMES_PER_WINDOW = 3;
/** A contact over its frame budget waits this long before the next frame is read (back-pressure). */
export const RATE_BACKOFF_MS = 250;
/** Length of the rate-limit window. */
export const RATE_WINDOW_MS = 10_000;
/** Peers remembered by the rate limiter (oldest forgotten first). */
export const RATE_LIMIT_MAX_PEERS = 1_024;

/** New inbound connections per second from one host before libp2p refuses more (its default is 5). */
export const INBOUND_CONNECTIONS_PER_SECOND = 20;
/** Most simultaneous connections of the node. */
export const MAX_CONNECTIONS = 128;
/**
 * Inbound sockets still in the Noise/Yamux upgrade at once. libp2p's default (10) let ten idle sockets
 * lock everyone out; with INBOUND_UPGRADE_TIMEOUT_MS and the per-host rate one host can hold at most
 * INBOUND_CONNECTIONS_PER_SECOND × 3 s = 60 of them.
 */
export const MAX_PENDING_INBOUND_CONNECTIONS = 256;
/** An inbound socket must finish the Noise handshake and muxer negotiation within this time. */
export const INBOUND_UPGRADE_TIMEOUT_MS = 3_000;
/** Idle strangers (inbound, not a contact, no public-service stream) at once; past it the oldest goes. */
export const MAX_IDLE_STRANGER_CONNECTIONS = 32;
/**
 * Strangers in all (onion circuits, mailbox deposits, joins, DHT); past it the oldest idle one, else the
 * oldest, is closed. Keeps MAX_CONNECTIONS − 96 = 32 slots that only contacts can take.
 */
export const MAX_STRANGER_CONNECTIONS = 96;
/** A stranger's connection with no public-service stream open is closed after this time. */
export const STRANGER_GRACE_MS = 10_000;
/** How often stranger connections are checked against STRANGER_GRACE_MS. */
export const STRANGER_SWEEP_MS = 1_000;

/** First retry delay when a contact cannot be reached or a send fails; doubles up to the maximum. */
export const RETRY_INITIAL_MS = 1_000;
export const RETRY_MAX_MS = 60_000;
/** Random extra added to each retry delay, as a fraction of it (spreads retries of many contacts). */
export const RETRY_JITTER = 0.2;

/** Random listening ports are drawn from this range (inclusive) when none is remembered. */
export const RANDOM_PORT_MIN = 20_000;
export const RANDOM_PORT_MAX = 60_999;
/** Ports tried before giving up on listening. */
export const LISTEN_ATTEMPTS = 6;
/** Relay reservations this node grants (to contacts) at most. */
export const MAX_RELAY_RESERVATIONS = 16;
/** How often an unreachable node checks that it holds a relay reservation on a contact. */
export const RELAY_CHECK_MS = 10_000;
/** Peers whose observation of our address (identify) is remembered at most. */
export const MAX_OBSERVING_PEERS = 64;

/**
 * Constants of the daemon layer: file names in the profile directory, protocol version, frame and
 * connection limits, timeouts (units in the names). Knows nothing else.
 */

/** The Unix socket the daemon serves the PvtApi on, inside the profile directory. */
export const SOCKET_FILE = 'pvt.sock';
/** The per-start secret a client must present first (32 random bytes, hex), inside the profile directory. */
export const COOKIE_FILE = 'daemon.cookie';
export const COOKIE_BYTES = 32;

/**
 * Version of the socket protocol, sent in the auth frame and its answer. 2: contact members of PvtApi
 * take the contact id, not its name (a v1 client would send names).
 */
export const PROTOCOL_VERSION = 2;

/**
 * Longest frame the daemon accepts from a client, in bytes (newline excluded). Requests are small: the
 * largest today is a note of at most 8 KiB, which JSON escaping can grow at most sixfold.
 */
export const MAX_REQUEST_FRAME_BYTES = 1024 * 1024;
/**
 * Longest frame a client accepts from the daemon, and the longest the daemon will send: a page of
 * messages can be large. A bigger answer is replaced by a `DaemonFrameTooLarge` error.
 */
export const MAX_RESPONSE_FRAME_BYTES = 64 * 1024 * 1024;

/** Connections that do not authenticate within this time are closed. */
export const AUTH_TIMEOUT_MS = 5_000;
/** Authenticated clients served at once; further connections are refused with an error frame. */
export const MAX_CLIENTS = 64;
/** Requests of one client being answered at once; more get a `DaemonBusy` error. */
export const MAX_INFLIGHT_PER_CLIENT = 64;
/**
 * Bytes still queued for a client when the next frame is due (a stuck TUI that stopped reading its
 * events): above this the client is disconnected rather than letting the daemon's memory grow. One
 * large answer on its own never trips it.
 */
export const MAX_CLIENT_BACKLOG_BYTES = 16 * 1024 * 1024;

/** How long a client waits for the socket to connect and the auth answer. */
export const CLIENT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Longest Unix socket path, in bytes, without the terminating NUL: `sun_path` is 108 bytes on Linux and
 * 104 on macOS and the BSDs.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

/** `pvt daemon --detach`: how long the parent waits for the child to answer on the socket. */
export const DETACH_READY_TIMEOUT_MS = 60_000;
/** `pvt stop`: how long to wait for the daemon to remove its socket and exit. */
export const STOP_TIMEOUT_MS = 15_000;
/** Poll interval while waiting for a socket to appear or disappear. */
export const POLL_INTERVAL_MS = 50;

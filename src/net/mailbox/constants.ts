/**
 * Constants of the mailbox service and client (docs/mailbox.md), units in the names. Kept beside the
 * mailbox modules so this layer merges without touching the shared net constants. Pure data.
 */
export const MAILBOX_PROTOCOL = '/pvt/mailbox/1.0.0';
/** Name of the mailbox database in the profile directory. */
export const MAILBOX_DB_FILE = 'mailbox.db';

/** Envelopes a mailbox keeps at most, all tokens together (65,536 × 4 KiB = 256 MiB of envelopes). */
export const MAILBOX_DEFAULT_MAX_ENVELOPES = 65_536;
/** Envelopes a mailbox keeps at most under one token (1 MiB of one pair's direction per epoch). */
export const MAILBOX_MAX_PER_TOKEN = 256;
/** Deposits waiting for the next group commit at most; more are refused as busy. */
export const MAILBOX_MAX_PENDING_DEPOSITS = 1_024;
/** Deposits written per group-commit transaction at most. */
export const MAILBOX_COMMIT_BATCH = 256;
/** How often expired envelopes are swept. */
export const MAILBOX_SWEEP_MS = 10 * 60 * 1000;

/** One source (the previous hop: a relay's circuit, or the peer on the direct transport) per window. */
export const MAILBOX_SOURCE_WINDOW_MS = 10_000;
/** Deposits one source may make per window. */
export const MAILBOX_SOURCE_DEPOSITS_PER_WINDOW = 200;
/** Window of the longer per-source quota (a share of the capacity). */
export const MAILBOX_SOURCE_SHARE_WINDOW_MS = 60 * 60 * 1000;
/** A source may fill at most this fraction of the capacity per share window. */
export const MAILBOX_SOURCE_SHARE = 0.25;
/** Sources remembered by the quota (least recently seen forgotten first). */
export const MAILBOX_MAX_SOURCES = 4_096;

/** Deposits per minute the mailbox takes at base difficulty; each doubling above adds one bit. */
export const MAILBOX_NORMAL_DEPOSITS_PER_MINUTE = 600;

/** Concurrent inbound mailbox streams, all peers together. */
export const MAILBOX_MAX_STREAMS = 64;
/** Inbound mailbox streams per connection. */
export const MAILBOX_MAX_STREAMS_PER_CONNECTION = 4;
/** A mailbox stream silent this long is closed. */
export const MAILBOX_STREAM_IDLE_MS = 30_000;
/** One request/response exchange must finish within this time (client side). */
export const MAILBOX_REQUEST_TIMEOUT_MS = 30_000;
/** Malformed requests from one source before its stream is dropped. */
export const MAILBOX_BAD_REQUESTS_PER_STREAM = 3;
/** A proof-of-work refusal is retried this many times with the difficulty it names. */
export const MAILBOX_POW_RETRIES = 3;

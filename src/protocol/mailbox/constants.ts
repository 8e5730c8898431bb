/**
 * Mailbox protocol constants (docs/protocol/mailbox.md): envelope and slot sizes, epochs, proof-of-work
 * buckets and bounds, request limits. Units in the names. Kept beside the mailbox modules (not in the
 * shared protocol constants file) so the mailbox layer merges without touching other layers' sections.
 * Pure data; imports nothing.
 */

/** Version byte of every mailbox request, response and envelope plaintext. */
export const MAILBOX_VERSION = 1;
/** Every envelope stored by a mailbox has exactly this size, in bytes (4 KiB). */
export const MAILBOX_ENVELOPE_BYTES = 4096;
/** Random XChaCha20-Poly1305 nonce at the start of an envelope, in bytes. */
export const MAILBOX_NONCE_BYTES = 24;
/** Poly1305 tag, in bytes. */
export const MAILBOX_TAG_BYTES = 16;
/** Envelope plaintext: version 1 + message id 16 + index 1 + count 1 + length 2, in bytes. */
export const MAILBOX_FRAGMENT_HEADER_BYTES = 1 + 16 + 1 + 1 + 2;
/** Sealed part of an envelope's plaintext (fragment header + data + zero padding), in bytes. */
export const MAILBOX_PLAINTEXT_BYTES = MAILBOX_ENVELOPE_BYTES - MAILBOX_NONCE_BYTES - MAILBOX_TAG_BYTES;
/** Payload bytes one envelope carries at most. */
export const MAILBOX_FRAGMENT_DATA_BYTES = MAILBOX_PLAINTEXT_BYTES - MAILBOX_FRAGMENT_HEADER_BYTES;
/** Fragments one payload may be split into at most. */
export const MAILBOX_MAX_FRAGMENTS = 16;
/** Largest payload a mailbox message carries, in bytes (16 × 4,035 = 64,560). */
export const MAILBOX_MAX_PAYLOAD_BYTES = MAILBOX_MAX_FRAGMENTS * MAILBOX_FRAGMENT_DATA_BYTES;
/** Random id tying the fragments of one payload together, in bytes. */
export const MAILBOX_MESSAGE_ID_BYTES = 16;
/** Partial payloads a reassembler holds at once (oldest dropped first). */
export const MAILBOX_MAX_PARTIAL_MESSAGES = 64;

/** Pair secret, direction keys, capabilities and tokens, in bytes. */
export const MAILBOX_KEY_BYTES = 32;
/** Length of one token epoch, in seconds (6 hours): a pair's slot changes every epoch. */
export const MAILBOX_EPOCH_SECONDS = 6 * 60 * 60;
/** How long a mailbox keeps an envelope, in seconds (14 days). */
export const MAILBOX_TTL_SECONDS = 14 * 24 * 60 * 60;
/** Epochs a recipient polls at most per contact and direction (the TTL plus one, rounded up). */
export const MAILBOX_POLL_EPOCHS = Math.ceil(MAILBOX_TTL_SECONDS / MAILBOX_EPOCH_SECONDS) + 1;

/** Length of a proof-of-work time bucket, in seconds (10 minutes). */
export const MAILBOX_POW_BUCKET_SECONDS = 10 * 60;
/** Buckets either side of the mailbox's current one that a deposit may name (clock skew). */
export const MAILBOX_POW_BUCKET_SLACK = 1;
/** Proof-of-work nonce, in bytes. */
export const MAILBOX_POW_NONCE_BYTES = 8;
/** Difficulty (leading zero bits) a mailbox asks for when idle. */
export const MAILBOX_POW_BASE_BITS = 10;
/** Highest difficulty a mailbox may advertise and a client agrees to work for. */
export const MAILBOX_POW_MAX_BITS = 24;

/** Capabilities in one fetch request at most. */
export const MAILBOX_MAX_FETCH_CAPS = 64;
/** Envelopes in one fetch response at most (15 × 4,097 + 7 bytes < 64 KiB). */
export const MAILBOX_MAX_FETCH_ENVELOPES = 15;
/** Envelope hashes in one delete request at most. */
export const MAILBOX_MAX_DELETE_HASHES = 64;
/** Envelope hash (SHA-256 of the envelope), in bytes. */
export const MAILBOX_HASH_BYTES = 32;
/** Largest request (a deposit), in bytes. */
export const MAILBOX_MAX_REQUEST_BYTES = 2 + 32 + 4 + 8 + MAILBOX_ENVELOPE_BYTES;
/** Largest response (a full fetch), in bytes. */
export const MAILBOX_MAX_RESPONSE_BYTES =
  2 + 4 + 1 + MAILBOX_MAX_FETCH_ENVELOPES * (1 + MAILBOX_ENVELOPE_BYTES);

/** Mailboxes one user names at most (a locator list fits the 128-byte locator field). */
export const MAILBOX_MAX_LOCATORS = 2;
/** Largest encoded mailbox locator list, in bytes (the transport locator's mailbox field). */
export const MAILBOX_MAX_LOCATOR_LIST_BYTES = 128;

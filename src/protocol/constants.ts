/**
 * Protocol constants (sizes, limits, lifetimes, iteration counts), units in the names. Shared file: each
 * protocol module appends its own section. Pure data; imports nothing.
 */

// ── identity ────────────────────────────────────────────────────────────────────────────────────────

/** Version byte of the serialized private identity and of the public identity bundle. */
export const IDENTITY_VERSION = 1;
/** Longest display name, in UTF-8 bytes (the app's own limit, in characters, is lower). */
export const MAX_DISPLAY_NAME_BYTES = 256;
/** Ed25519 / X25519 public and secret key size, and the libp2p transport key seed size, in bytes. */
export const IDENTITY_KEY_BYTES = 32;
/** Base32 characters of the short identity fingerprint (shown as XXXX-XXXX-XXXX-XXXX). */
export const IDENTITY_FINGERPRINT_CHARS = 16;

// ── transport locators (inside invites and the handshake) ─────────────────────────────────────────

/** Longest transport PeerId (raw multihash bytes; an Ed25519 identity multihash is 38 bytes). */
export const MAX_PEER_ID_BYTES = 64;
/** Longest raw multiaddr accepted in a locator, in bytes. */
export const MAX_MULTIADDR_BYTES = 64;
/** Most multiaddrs in a locator carried by the handshake. */
export const MAX_LOCATOR_ADDRS = 8;
/** Longest opaque mailbox locator, in bytes (empty until the mailbox layer defines it). */
export const MAX_MAILBOX_LOCATOR_BYTES = 128;

// ── invite codes ───────────────────────────────────────────────────────────────────────────────────

/** Version byte of the invite payload. */
export const INVITE_VERSION = 1;
/** One-time invite secret, in bytes (128 bits). */
export const INVITE_SECRET_BYTES = 16;
/** Invite id (lookup key and single-use record: a hash of the secret), in bytes. */
export const INVITE_ID_BYTES = 16;
/** Most multiaddrs in an invite (keeps the QR code small). */
export const MAX_INVITE_ADDRS = 4;
/** Default invite lifetime, in seconds (7 days). */
export const INVITE_DEFAULT_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Longest invite lifetime `createInvite` accepts, in seconds (30 days). */
export const INVITE_MAX_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Longest invite text after separators are removed, in characters (bech32m guarantees hold to 1023). */
export const MAX_INVITE_TEXT_CHARS = 1000;
/** Longest raw input the text decoder looks at (spaces, dashes, newlines included), in characters. */
export const MAX_INVITE_INPUT_CHARS = 4096;
/** Checksum length of the text form, in base32 characters (30 bits, bech32m polynomial). */
export const INVITE_CHECKSUM_CHARS = 6;

// ── join handshake ─────────────────────────────────────────────────────────────────────────────────

/** Version byte at the start of every handshake message. */
export const HANDSHAKE_VERSION = 1;
/** Random XChaCha20-Poly1305 nonce carried by every handshake message, in bytes. */
export const HANDSHAKE_NONCE_BYTES = 24;
/** Largest handshake message of this version, in bytes (every message has one fixed size below it). */
export const MAX_HANDSHAKE_MESSAGE_BYTES = 4096;
/** Longest opaque reply locator a joiner may put in its JoinRequest, in bytes. */
export const MAX_HANDSHAKE_REPLY_TO_BYTES = 128;
/**
 * JoinRequests an inviter may answer per invite (one at a time), after which it revokes the invite: each
 * answered request is one 10^-6 chance for a man in the middle holding the secret (docs/protocol/sas.md).
 * Enforced by the caller (the protocol layer keeps no state across handshakes).
 */
export const MAX_JOIN_ATTEMPTS_PER_INVITE = 5;

// ── SAS and safety numbers ─────────────────────────────────────────────────────────────────────────

/** Decimal digits of the short authentication string (10^6 values ≈ 2^19.93). */
export const SAS_DIGITS = 6;
/** Words of the optional SAS word form (256-word list: 24 bits). */
export const SAS_WORDS = 3;
/** Digits of the safety number (12 groups of 5; 30 per identity). */
export const SAFETY_NUMBER_DIGITS = 60;
/** SHA-256 iterations per identity in the safety number (Signal uses 5,200 SHA-512 iterations). */
export const SAFETY_NUMBER_ITERATIONS = 5200;

// ── PQ double ratchet (docs/protocol/ratchet.md) ──────────────────────────────────────────────────

/** Version byte at the start of every ratchet message. */
export const RATCHET_VERSION = 1;
/** Version byte at the start of a serialized session state. */
export const RATCHET_STATE_VERSION = 1;
/** Root, chain, header and message keys, and X25519 keys, in bytes. */
export const RATCHET_KEY_BYTES = 32;
/** Associated data of a session (the handshake transcript hash), in bytes. */
export const RATCHET_AD_BYTES = 32;
/** Random XChaCha20-Poly1305 nonce per message (shared by header and body, different keys), in bytes. */
export const RATCHET_NONCE_BYTES = 24;
/** Poly1305 tag, in bytes. */
export const RATCHET_TAG_BYTES = 16;
/** ML-KEM-768 encapsulation key, in bytes. */
export const RATCHET_KEM_PUBLIC_BYTES = 1184;
/** ML-KEM-768 ciphertext, in bytes. */
export const RATCHET_KEM_CIPHERTEXT_BYTES = 1088;
/** ML-KEM-768 decapsulation-key seed (d ‖ z) kept in the state, in bytes. */
export const RATCHET_KEM_SEED_BYTES = 64;
/** Plaintext header: KEM kind 1 + DH public 32 + PN 4 + N 4, in bytes. */
export const RATCHET_HEADER_PLAINTEXT_BYTES = 1 + 32 + 4 + 4;
/** Sealed header (plaintext header + tag), in bytes. */
export const RATCHET_SEALED_HEADER_BYTES = RATCHET_HEADER_PLAINTEXT_BYTES + 16;
/** Encrypted KEM field: an encapsulation key, or a ciphertext zero-padded to the same size, in bytes. */
export const RATCHET_KEM_FIELD_BYTES = 1184;
/** Bytes before the body: version 1 + nonce 24 + sealed header 57 + KEM field 1,184. */
export const RATCHET_PREFIX_BYTES = 1 + 24 + RATCHET_SEALED_HEADER_BYTES + RATCHET_KEM_FIELD_BYTES;
/** Fixed cost of a message over its plaintext (prefix + body tag), in bytes. */
export const RATCHET_MESSAGE_OVERHEAD_BYTES = RATCHET_PREFIX_BYTES + 16;
/** Largest plaintext one ratchet message carries, in bytes (a padded payload is at most 17,408). */
export const RATCHET_MAX_PLAINTEXT_BYTES = 32 * 1024;
/** Largest ratchet message, in bytes. */
export const RATCHET_MAX_MESSAGE_BYTES = RATCHET_MESSAGE_OVERHEAD_BYTES + RATCHET_MAX_PLAINTEXT_BYTES;
/** Most skipped message keys a session stores (oldest evicted first), as libsignal. */
export const RATCHET_MAX_SKIPPED_KEYS = 2000;
/** Most message keys one message may make a chain skip (larger jumps are refused), as libsignal. */
export const RATCHET_MAX_FORWARD_JUMP = 25_000;
/** Most distinct old receiving chains with stored skipped keys (bounds trial header decryptions). */
export const RATCHET_MAX_SKIPPED_CHAINS = 16;
/** Largest message number of a chain (the header field is a u32). */
export const RATCHET_MAX_CHAIN_INDEX = 0xffff_ffff;

// ── message payload (docs/protocol/ratchet.md, "Payload") ─────────────────────────────────────────

/** Version byte at the start of every payload. */
export const PAYLOAD_VERSION = 1;
/** Random message id, in bytes (128 bits). */
export const PAYLOAD_ID_BYTES = 16;
/** Fixed payload fields: version 1 + type 1 + id 16 + timestamp 8 + body length 4, in bytes. */
export const PAYLOAD_FIXED_BYTES = 1 + 1 + 16 + 8 + 4;
/** Largest payload body, in bytes (16 KiB). */
export const PAYLOAD_MAX_BODY_BYTES = 16 * 1024;
/** Every padded payload is at least this long, so all short messages look alike, in bytes. */
export const PAYLOAD_MIN_PADDED_BYTES = 256;
/** Largest padded payload: Padmé(30 + 16,384) = 17 × 1,024, in bytes. */
export const PAYLOAD_MAX_PADDED_BYTES = 17 * 1024;

// ── stream framing (docs/protocol/framing.md) ─────────────────────────────────────────────────────

/** Length prefix of a frame (u32, big-endian), in bytes. */
export const FRAME_LENGTH_PREFIX_BYTES = 4;
/** Hard cap on a frame's body, in bytes (64 KiB); a decoder may be given a lower cap, never a higher one. */
export const FRAME_MAX_BYTES = 64 * 1024;

/**
 * Onion protocol constants (docs/protocol/onion.md): cell layout, commands, handshake and descriptor
 * sizes, domain-separation labels, key rotation. Units in the names. Knows nothing else.
 */

/** Every cell on every link, in both directions, has exactly this many bytes. */
export const CELL_BYTES = 1536;
export const CELL_HEADER_BYTES = 5;
export const CELL_BODY_BYTES = CELL_BYTES - CELL_HEADER_BYTES;
export const CELL_TAG_BYTES = 16;
/** A relay cell's plaintext: the body less the AEAD tag. */
export const RELAY_PLAINTEXT_BYTES = CELL_BODY_BYTES - CELL_TAG_BYTES;
export const RELAY_HEADER_BYTES = 5;
/** Most data bytes one relay cell carries. */
export const RELAY_DATA_MAX_BYTES = RELAY_PLAINTEXT_BYTES - RELAY_HEADER_BYTES;

export const CELL_CREATE = 1;
export const CELL_CREATED = 2;
export const CELL_RELAY = 3;
export const CELL_DESTROY = 4;
export const CELL_PADDING = 5;

export const RELAY_EXTEND = 1;
export const RELAY_EXTENDED = 2;
export const RELAY_BEGIN = 3;
export const RELAY_CONNECTED = 4;
export const RELAY_DATA = 5;
export const RELAY_END = 6;
export const RELAY_SENDME = 7;
export const RELAY_DROP = 8;
export const RELAY_TRUNCATED = 9;
export const RELAY_COMMAND_MAX = 9;

export const DESTROY_NONE = 0;
export const DESTROY_PROTOCOL = 1;
export const DESTROY_RESOURCES = 2;
export const DESTROY_FINISHED = 3;
export const DESTROY_HOP_LOST = 4;
export const DESTROY_TIMEOUT = 5;
export const DESTROY_REASON_MAX = 5;

export const END_DONE = 0;
export const END_NO_SERVICE = 1;
export const END_REFUSED = 2;
export const END_RESOURCES = 3;

export const ONION_KEY_ID_BYTES = 8;
export const X25519_BYTES = 32;
export const MLKEM768_PUBLIC_BYTES = 1184;
export const MLKEM768_CIPHERTEXT_BYTES = 1088;
export const MLKEM768_SEED_BYTES = 64;
export const ED25519_PUBLIC_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const AUTH_BYTES = 32;
/** keyId ‖ X ‖ kemCt */
export const CREATE_HANDSHAKE_BYTES = ONION_KEY_ID_BYTES + X25519_BYTES + MLKEM768_CIPHERTEXT_BYTES;
/** Y ‖ auth */
export const CREATED_HANDSHAKE_BYTES = X25519_BYTES + AUTH_BYTES;
/** Lf ‖ Lb ‖ Af ‖ Ab ‖ Kauth */
export const HOP_KEY_MATERIAL_BYTES = 5 * 32;

/** Largest frame a circuit stream carries (split into DATA cells). */
export const ONION_MAX_FRAME_BYTES = 64 * 1024;
/** Service names at the exit. */
export const SERVICE_NAME_MAX_CHARS = 32;
export const SERVICE_NAME_PATTERN = /^[a-z0-9._-]{1,32}$/;

/** Descriptor limits. */
export const DESCRIPTOR_VERSION = 1;
export const DESCRIPTOR_MAX_BYTES = 4096;
export const DESCRIPTOR_MAX_ADDRS = 8;
export const DESCRIPTOR_MAX_ADDR_BYTES = 128;
export const DESCRIPTOR_MAX_SERVICES = 8;
/** A descriptor may be valid for at most this long after it was published. */
export const DESCRIPTOR_MAX_VALIDITY_MS = 48 * 3600_000;
/** Clock skew tolerated on `published`. */
export const DESCRIPTOR_CLOCK_SKEW_MS = 10 * 60_000;
export const DESCRIPTOR_FLAG_RELAY = 0x01;
export const DESCRIPTOR_FLAG_EXIT = 0x02;
export const DESCRIPTOR_FLAGS_KNOWN = 0x03;

/** EXTEND limits: a PeerId's bytes, and the addresses of the next hop. */
export const EXTEND_MAX_PEER_ID_BYTES = 64;
export const EXTEND_MAX_ADDRS = 4;

/** Onion keys rotate on this schedule; the previous key is still accepted for the grace period. */
export const ONION_KEY_ROTATION_MS = 24 * 3600_000;
export const ONION_KEY_GRACE_MS = 3600_000;

export const LABEL_KEY_ID = 'pvt-onion-keyid';
export const LABEL_TRANSCRIPT = 'pvt-onion-1 transcript';
export const LABEL_SALT = 'pvt-onion-1';
export const LABEL_KEYS = 'pvt-onion-1 keys';
export const LABEL_SERVER_AUTH = 'pvt-onion-1 server';
export const LABEL_DESCRIPTOR = 'pvt-onion-1 descriptor';

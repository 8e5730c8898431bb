/**
 * Constants of the storage layer: file names, modes, sizes, KDF bounds and timeouts (units in the names).
 * Changing a format constant here changes what is on users' disks: bump the matching version.
 */

/** PRAGMA application_id of pvt databases: "pvt1" in ASCII. */
export const PVT_APPLICATION_ID = 0x70767431;

export const DB_FILE = 'pvt.db';
export const KEY_FILE = 'key.json';
export const LOCK_FILE = 'lock';
export const LOGS_DIR = 'logs';
export const LOG_FILE = 'pvt.log';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export const MASTER_KEY_BYTES = 32;
export const KDF_SALT_BYTES = 16;
export const MESSAGE_ID_BYTES = 16;

/** Argon2id: the tuner's target and starting point (RFC 9106 "second recommended" memory, t=3). */
export const ARGON2_TARGET_MS = 250;
export const ARGON2_START_MEMORY_KIB = 64 * 1024;
export const ARGON2_START_PASSES = 3;
export const ARGON2_PARALLELISM = 1;
/** Passes are raised first up to this bound, then memory. */
export const ARGON2_MAX_TUNED_PASSES = 10;
/** Bounds accepted from key.json, so a damaged or hostile file cannot ask for 100 GiB or a day of work. */
export const ARGON2_MAX_MEMORY_KIB = 4 * 1024 * 1024;
export const ARGON2_MAX_PASSES = 64;
export const ARGON2_MAX_PARALLELISM = 16;

/** How long a keychain availability probe may take before pvt answers "unavailable". */
export const KEYCHAIN_PROBE_TIMEOUT_MS = 2_000;
/** How long storing or loading the profile key in the keychain may take (it may show an unlock dialog). */
export const KEYCHAIN_OP_TIMEOUT_MS = 60_000;

/** A lock file older than the last boot (minus this margin) is stale even when its pid is alive again. */
export const LOCK_BOOT_MARGIN_MS = 60_000;
export const LOCK_ATTEMPTS = 5;

export const DEFAULT_LIST_LIMIT = 200;
export const MAX_LIST_LIMIT = 10_000;
/** Caller-supplied message ids: printable and bounded (hex, base64url, uuid). */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export const LOG_DEFAULT_MAX_BYTES = 1024 * 1024;
export const LOG_DEFAULT_KEEP = 3;
/** Log lines per source (scope + event) per minute; more are counted and dropped (file-logger.ts). */
export const LOG_LINES_PER_EVENT_PER_MINUTE = 60;

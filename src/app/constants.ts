/**
 * Limits of the app layer, units in the names; and the UI settings' defaults (the UI shows them until
 * the profile's are read).
 */
import type { UiSettings } from './api.ts';

/** Longest note/message body accepted, in UTF-8 bytes (the ratchet payload cap is larger). */
export const MAX_MESSAGE_BODY_BYTES = 8 * 1024;
/** Default number of most recent messages returned by `messages()`. */
export const DEFAULT_MESSAGE_PAGE = 200;
/** Largest page `messages()` returns. */
export const MAX_MESSAGE_PAGE = 10_000;
/** Longest display name, in characters. */
export const MAX_DISPLAY_NAME_CHARS = 64;
/** Title of the self conversation. */
export const SELF_TITLE = 'Note to self';

// ── messaging (docs/messaging.md) ─────────────────────────────────────────────────────────────────

/** Longest contact name (local alias), in characters. */
export const MAX_CONTACT_NAME_CHARS = 64;
/** Default invite lifetime, in milliseconds (7 days). */
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * How long creating an invite waits for a NAT diagnosis still under way (so the invite carries the
 * mapped address); in the lab a mapping takes ≈ 12-70 ms and "unreachable" ≈ 1.5 s.
 */
export const INVITE_NAT_WAIT_MS = 3_000;
/** Outbox items sent per batch on a stream (the rest follow in the next batch). */
export const OUTBOX_BATCH = 64;
/**
 * Inbound frames of one contact handled in one transaction at most (a burst is group-committed in
 * batches of this size); also how many may wait before the chat stream is slowed down.
 */
export const INBOUND_BATCH_MAX = 256;
/** Read marks are written at most this often (they take effect in memory at once). */
export const READ_FLUSH_MS = 1_000;
/** A sent message without a receipt after this long is sent again (doubling up to the maximum). */
export const RESEND_AFTER_MS = 5_000;
export const RESEND_MAX_MS = 60_000;
/** Address updates are sent this long after the node's addresses last changed (changes come in bursts). */
export const ADDRESS_UPDATE_DEBOUNCE_MS = 2_000;
/** Inbox dedup rows (hash of each accepted ratchet message) are kept this long. */
export const INBOX_SEEN_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** `join` waits at most this long for its first message (which lets the inviter send) to be acknowledged. */
export const FIRST_MESSAGE_WAIT_MS = 3_000;
/** On close, queued receipts are sent first; closing waits at most this long for them to leave. */
export const RECEIPT_FLUSH_MS = 500;
/** Settings key of the remembered TCP port. */
export const SETTING_PORT = 'net.port';
/** Settings key of the user's answer about port mapping on the router: '1' allowed, '0' forbidden. */
export const SETTING_PORT_MAPPING = 'net.port-mapping';
/** File in the profile directory recording the router mapping held (cleaned up after a crash). */
export const NAT_RECORD_FILE = 'nat-mapping.json';
/** Why a message failed, by the code stored with it (`messages.failure`). */
export const FAILURE_TEXT: Readonly<Record<string, string>> = {
  rejected: 'not sent: you rejected this contact (the codes differed)',
};
/**
 * Most ratchet message keys a contact may make us derive for skipped messages per minute (≈ 0.7 s of CPU
 * at the measured 0.35 s per 25,000 keys); honest gaps (lost messages) are a few keys.
 */
export const SKIP_BUDGET_KEYS_PER_MINUTE = 50_000;
/** The onion relay choice and bootstrap relay list (non-secret), in the profile directory. */
export const ONION_STATE_FILE = 'onion.json';

// ── history viewport and search (issue 13) ──────────────────────────────────────────────────────

/** Messages in one page of `messagePage()` by default, and at most. */
export const DEFAULT_HISTORY_PAGE = 100;
export const MAX_HISTORY_PAGE = 1_000;
/** Messages one `searchMessages()` call opens and matches by default, and at most. */
export const DEFAULT_SEARCH_SCAN = 2_000;
export const MAX_SEARCH_SCAN = 5_000;
/** Longest search text, in characters. */
export const MAX_SEARCH_TEXT_CHARS = 200;

/**
 * Offline join (docs/protocol/mailbox.md, "Offline join"): a side waiting for the other's next handshake
 * message in the join slots fetches first after this long, then doubling up to JOIN_SLOT_MAX_POLL_MS
 * (or the mailbox poll period when shorter, as in tests); a deposit that fails is retried at the same pace.
 */
export const JOIN_SLOT_FIRST_POLL_MS = 2_000;
/** The longest wait between two fetches of a pending join's slots: the join completes at most this long after the other side answered. */
export const JOIN_SLOT_MAX_POLL_MS = 30_000;
/**
 * An inviter answering a join through its mailboxes gives up on the answer (message 2 out, no message 3)
 * once it is this old **and** another request for the same invite is waiting: the attempt stays counted,
 * the waiting request is answered next. Alone, an answer waits until the invite expires (the joiner may be
 * offline for hours). PVT_JOIN_ANSWER_WAIT_MS overrides it (tests).
 */
export const JOIN_ANSWER_WAIT_MS = 10 * 60_000;
/**
 * An invite's join slots are emptied by its inviter (unread refusals, an answer nobody took, requests
 * that came too late) once it expired this long ago: a margin for the joiner's clock, since a joiner
 * gives up at the expiry by its own. PVT_JOIN_SWEEP_GRACE_MS overrides it (tests).
 */
export const JOIN_SLOT_SWEEP_GRACE_MS = 10 * 60_000;

/** How many mailboxes a user is advised to have (one may be down when a contact deposits). */
export const MAILBOX_RECOMMENDED = 2;
/** A suggested mailbox counts as reachable when this node talked to it (or built a circuit through it) this recently. */
export const MAILBOX_REACHED_LATELY_MS = 3600_000;
/** At most this many mailboxes are suggested (the TUI numbers them 1–9). */
export const MAILBOX_MAX_SUGGESTIONS = 9;

/** The UI settings a new profile has (`/set`, `pvt config`; src/app/ui-settings.ts parses them). */
export const DEFAULT_UI_SETTINGS: UiSettings = {
  bell: true,
  notifications: false,
  notifyText: false,
  theme: 'dark',
  timeFormat: '24h',
};

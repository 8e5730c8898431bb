/**
 * The PvtApi: the only surface the UI (and later the daemon socket) talks to. Commands return promises,
 * changes arrive as typed events. It owns no I/O itself; `src/app/pvt.ts` implements it over the store
 * and the messaging core. Every value crossing it is plain JSON data (the daemon serves it over a
 * socket). It must not know about React, Ink, argv parsing or sockets. Described in docs/messaging.md.
 */

import type { NatStatus } from '../net/nat/status.ts';
import type { OnionAnswer } from './onion-control.ts';

export type { NatStatus, NatVerdictName } from '../net/nat/status.ts';
export type { MailboxesView, MailboxView } from './mailbox-host.ts';

import type { MailboxesView } from './mailbox-host.ts';
import type { MailboxSuggestions } from './mailbox-suggest.ts';

export type { MailboxCandidate, MailboxSuggestions } from './mailbox-suggest.ts';

export type { OnionAnswer } from './onion-control.ts';

export type KeyProtection = 'keychain' | 'passphrase';

export interface ProfileInfo {
  readonly displayName: string;
  /** Short fingerprint of the identity keys, e.g. "3KQ7-9XWA-M2TD-P4FE". */
  readonly fingerprint: string;
  readonly profile: string;
  readonly dataDir: string;
  readonly keyProtection: KeyProtection;
  readonly createdAt: number;
}

export type ConversationId = string;
/** The conversation with oneself ("Note to self"). */
export const SELF_CONVERSATION: ConversationId = 'self';

export interface ConversationSummary {
  readonly id: ConversationId;
  readonly title: string;
  readonly unread: number;
  readonly lastActivityAt: number | null;
}

export type MessageState = 'pending' | 'sent' | 'delivered' | 'failed' | 'stored';

export interface MessageView {
  /** Random 128-bit id, hex. */
  readonly id: string;
  readonly conversationId: ConversationId;
  /** Monotonic per-conversation sequence: the stable display order. */
  readonly seq: number;
  readonly direction: 'out' | 'in';
  readonly body: string;
  readonly createdAt: number;
  readonly state: MessageState;
  /** Why it failed, in words, when `state` is 'failed'. */
  readonly failure?: string;
}

/** Where a contact stands after the SAS comparison: confirmed, not yet compared, or a mismatch. */
export type Verification = 'unverified' | 'verified' | 'rejected';

/** How a contact is reached right now: same LAN (private/link-local address), a direct connection, or not. */
export type PathBadge = 'lan' | 'direct' | 'mapped' | 'relayed' | 'offline';

export interface ContactView {
  /** Stable local id (hex); also the id of the contact's conversation. */
  readonly id: string;
  /** The local name: unique among contacts; the alias given at join, else the peer's display name. */
  readonly name: string;
  /** The display name the peer announced in the handshake. */
  readonly displayName: string;
  /** Short fingerprint of the peer's identity keys (XXXX-XXXX-XXXX-XXXX). */
  readonly fingerprint: string;
  readonly verification: Verification;
  readonly path: PathBadge;
  readonly conversationId: ConversationId;
  readonly addedAt: number;
  /** Last time a connection to the contact was open, or null. */
  readonly lastSeenAt: number | null;
  /** The SAS of the join ("123 456") while the contact is unverified, to compare later; else null. */
  readonly sas?: string | null;
}

export interface InviteView {
  /** Canonical text form, `pvt1…` (lowercase). */
  readonly code: string;
  /** Uppercase form of the same code for QR alphanumeric mode. */
  readonly qrText: string;
  /** Expiry, milliseconds since the epoch (whole seconds). */
  readonly expiresAt: number;
}

export interface JoinResult {
  readonly contact: ContactView;
  /** The short authentication string to compare aloud, 6 digits as "123 456". */
  readonly sas: string;
}

export interface NetworkStatus {
  /** False when the profile was opened without the network (or it is stopping). */
  readonly online: boolean;
  /** The libp2p PeerId of the transport key (not the identity), when online. */
  readonly peerId: string | null;
  /** Multiaddrs the node listens on (with /p2p/), when online. */
  readonly addresses: readonly string[];
  /** Reachability from outside: port mapping and the NAT verdict (docs/nat.md). */
  readonly nat: NatStatus;
}

export type PvtEvent =
  | { readonly type: 'message'; readonly message: MessageView }
  | {
      readonly type: 'message-state';
      readonly id: string;
      readonly state: MessageState;
      /** Why it failed, in words, when `state` is 'failed'. */
      readonly failure?: string;
    }
  | { readonly type: 'status'; readonly text: string }
  /** A contact was added by a join: on the joiner (after `join`) and on the inviter (its invite was used). */
  | { readonly type: 'contact-added'; readonly contact: ContactView; readonly sas: string }
  /** Renamed, verified/rejected, or its addresses changed. */
  | { readonly type: 'contact-updated'; readonly contact: ContactView }
  | { readonly type: 'contact-removed'; readonly id: string; readonly name: string }
  | {
      readonly type: 'contact-online';
      readonly contact: ContactView;
      readonly path: Exclude<PathBadge, 'offline'>;
    }
  | { readonly type: 'contact-offline'; readonly contact: ContactView }
  /** Unread counts changed (new message in, or `markRead`). */
  | { readonly type: 'conversation-updated'; readonly conversation: ConversationSummary }
  | { readonly type: 'network'; readonly network: NetworkStatus }
  /** An offline join started waiting in the inviter's mailboxes, or moved on a step (either side). */
  | { readonly type: 'join-pending'; readonly join: PendingJoinView }
  /**
   * An offline join ended: completed (a `contact-added` follows or came; no `failure`), or not — then
   * `failure` says why in one sentence (expired, refused, already a contact…) and `join` is what the
   * list showed of it, so a UI can tell the user which join ended.
   */
  | {
      readonly type: 'join-ended';
      readonly id: string;
      readonly failure?: string;
      readonly join?: PendingJoinView;
    }
  /**
   * A client attached to a daemon lost it and is reconnecting, or got it back (then everything read
   * before may be stale: read it again). Only the daemon client emits it.
   */
  | { readonly type: 'connection'; readonly state: 'reconnecting' | 'restored' };

export interface ListMessagesOptions {
  /** Most recent N messages (default 200). */
  readonly limit?: number;
  /** Only messages with seq < before. */
  readonly before?: number;
}

export interface CreateInviteOptions {
  /** Lifetime in milliseconds, 1 s .. 30 days (default 7 days); rounded up to whole seconds. */
  readonly expiresInMs?: number;
  /** Local name to give whoever joins with this invite (else their display name). */
  readonly alias?: string;
}

/**
 * A join in progress through the inviter's mailboxes (docs/protocol/mailbox.md, "Offline join"): kept
 * across restarts until it completes, fails or its invite expires.
 */
export interface PendingJoinView {
  readonly id: string;
  /** `joiner`: we joined someone who was away; `inviter`: someone joins us with one of our invites. */
  readonly role: 'joiner' | 'inviter';
  /** The joiner's alias for the inviter, else its announced name once known; null on the inviter side. */
  readonly name: string | null;
  readonly step: 'waiting-for-inviter' | 'waiting-for-confirmation' | 'answering';
  /** The SAS, once the joiner has read the inviter's answer. */
  readonly sas: string | null;
  readonly since: number;
  readonly expiresAt: number;
}

export interface JoinOptions {
  /** Local name for the inviter (else the display name it announces). */
  readonly alias?: string;
  /** Abort the join (local callers only; the daemon socket cannot carry it). */
  readonly signal?: AbortSignal;
}

export interface PvtApi {
  profile(): Promise<ProfileInfo>;
  /** The self conversation first, then one per contact (title = contact name, unread count). */
  conversations(): Promise<ConversationSummary[]>;
  messages(conversationId: ConversationId, options?: ListMessagesOptions): Promise<MessageView[]>;
  /** Appends a note to the self conversation; durable when the promise resolves. */
  sendNote(text: string): Promise<MessageView>;

  // ── contacts, invites, verification (docs/messaging.md) ──
  /** Creates a single-use invite carrying this node's addresses; needs the network. */
  createInvite(options?: CreateInviteOptions): Promise<InviteView>;
  /** Joins with an invite code: dials the inviter, runs the handshake, stores the contact. */
  join(code: string, options?: JoinOptions): Promise<JoinResult>;
  /** Offline joins in progress (either side), oldest first. */
  pendingJoins(): Promise<PendingJoinView[]>;
  contacts(): Promise<ContactView[]>;
  // Contacts are keyed by their stable id (ContactView.id); names are labels that can change at any
  // time. Callers that start from a typed name resolve it once (resolveContact in contact-lookup.ts).
  /** One contact by id; rejects with ContactNotFound. */
  contact(contactId: string): Promise<ContactView>;
  renameContact(contactId: string, newName: string): Promise<ContactView>;
  /** Forgets the contact, its session, its outbox and its conversation. */
  removeContact(contactId: string): Promise<void>;
  /** 'confirm' after comparing equal SAS codes (→ verified); 'reject' on a mismatch (→ rejected, chat refused). */
  verifyContact(contactId: string, decision: 'confirm' | 'reject'): Promise<ContactView>;
  /** The 60-digit safety number of both identities, as 12 groups of 5 digits separated by spaces. */
  safetyNumber(contactId: string): Promise<string>;

  // ── chat ──
  /** Queues a text message to a contact (by id): durable (state pending) when the promise resolves. */
  send(contactId: string, text: string): Promise<MessageView>;
  /** The messages of a contact's conversation (same paging as `messages`). */
  contactMessages(contactId: string, options?: ListMessagesOptions): Promise<MessageView[]>;
  /** Marks everything in a conversation read (unread → 0). */
  markRead(conversationId: ConversationId): Promise<void>;
  network(): Promise<NetworkStatus>;
  /**
   * Allows or forbids port mapping on the router for this profile (remembered); starts or stops it at
   * once when the node runs (unless --no-port-mapping was given to this process).
   */
  setPortMapping(enabled: boolean): Promise<NetworkStatus>;

  // ── mailboxes (docs/mailbox.md) ──
  /** Whether this node serves a mailbox for others, and the mailboxes this user chose for itself. */
  mailboxes(): Promise<MailboxesView>;
  /** Adds a mailbox (a daemon's address as `pvt status --json` prints it, with /p2p/); at most 2. */
  addMailbox(address: string): Promise<MailboxesView>;
  /** Removes a mailbox by its address or PeerId. */
  removeMailbox(address: string): Promise<MailboxesView>;
  /** Serve a mailbox for others on this node (remembered), or stop serving. */
  setMailboxServe(enabled: boolean): Promise<MailboxesView>;
  /**
   * Mailboxes the user could add: contacts that serve one reachable from outside, known relays that
   * offer one; not those already chosen (docs/mailbox.md, "Suggestions").
   */
  mailboxSuggestions(): Promise<MailboxSuggestions>;
  /** Whether the TUI suggests mailboxes on its own (remembered; false after the user declines). */
  setMailboxSuggest(enabled: boolean): Promise<MailboxSuggestions>;
  /**
   * Onion relay and circuits (docs/protocol/onion.md): `command` is one of ONION_COMMANDS
   * (src/app/onion-control.ts); rejects with OnionUnavailable while the network is off.
   */
  onion(command: string, params?: object): Promise<OnionAnswer>;
  /** Subscribe to events; returns the unsubscribe function. */
  subscribe(listener: (event: PvtEvent) => void): () => void;
  close(): Promise<void>;

  // ── history viewport, search, UI settings (issue 13; docs/tui.md) ──
  /**
   * A page of a conversation around a seq cursor, with how many messages lie outside it: no cursor →
   * the newest `limit`; `before` → the newest `limit` with seq < before; `after` → the oldest `limit`
   * with seq > after (`after: 0` is the first page). Costs the same for 200 or 100,000 messages.
   */
  messagePage(conversationId: ConversationId, options?: MessagePageOptions): Promise<MessagePage>;
  /**
   * Scans at most `scanLimit` messages with seq < `before` (newest first), opened in memory only, for
   * the first body containing `text` (case-insensitive). Call again with `before: result.next` to go on.
   */
  searchMessages(conversationId: ConversationId, options: SearchOptions): Promise<SearchResult>;
  /** The profile's UI settings (bell, notifications, theme, time format), sealed in the profile. */
  uiSettings(): Promise<UiSettings>;
  /** Sets one UI setting by key and value in words (`bell on`, `theme light`); rejects a bad value. */
  setUiSetting(key: string, value: string): Promise<UiSettings>;
}

export interface MessagePageOptions {
  readonly before?: number;
  readonly after?: number;
  /** Messages in the page, 1..1000 (default 100). */
  readonly limit?: number;
}

export interface MessagePage {
  readonly messages: readonly MessageView[];
  /** Messages older than the page (before its first, or before the cursor when empty). */
  readonly older: number;
  /** Messages newer than the page. */
  readonly newer: number;
}

export interface SearchOptions {
  readonly text: string;
  /** Scan messages with seq < before (default: from the newest). */
  readonly before?: number;
  /** Messages scanned per call, 1..5000 (default 2000). */
  readonly scanLimit?: number;
}

export interface SearchResult {
  /** The newest matching message scanned, if any. */
  readonly match: MessageView | null;
  /** Messages looked at by this call. */
  readonly scanned: number;
  /** Messages still to scan below `next` (0 when done). */
  readonly remaining: number;
  /** The cursor for the next call (the lowest seq scanned, or the match's seq). */
  readonly next: number;
}

export type ThemeName = 'dark' | 'light' | 'no-colour';
export type TimeFormat = '24h' | '12h';

export interface UiSettings {
  /** BEL on a message from someone else. */
  readonly bell: boolean;
  /** Desktop notification (OSC 9 / OSC 777) on a message from someone else. */
  readonly notifications: boolean;
  /** Whether a notification carries the sender and text (off: only "pvt: new message"). */
  readonly notifyText: boolean;
  readonly theme: ThemeName;
  readonly timeFormat: TimeFormat;
}

/** What exists before an identity is unlocked: used by onboarding and the unlock prompt. */
export type ProfileState =
  | { readonly state: 'absent' }
  | { readonly state: 'present'; readonly keyProtection: KeyProtection };

export type ProtectionChoice =
  | { readonly kind: 'keychain' }
  | { readonly kind: 'passphrase'; readonly passphrase: string };

export interface ProfileLauncher {
  readonly profile: string;
  readonly dataDir: string;
  inspect(): Promise<ProfileState>;
  /** True when the OS keychain answers on this machine (lazy; may take a moment the first time). */
  keychainAvailable(): Promise<boolean>;
  create(options: {
    displayName: string;
    protection: ProtectionChoice;
    network?: NetworkOptions | false;
  }): Promise<PvtApi>;
  /** Opens an existing profile; rejects with WrongPassphraseError on a wrong passphrase. */
  open(options: { passphrase?: string; network?: NetworkOptions | false }): Promise<PvtApi>;
}

/**
 * Whether and how the opened Pvt runs its libp2p node. `false` (the default of short commands such as
 * `pvt note`) opens the store only: contacts and messages can be read and queued, nothing is sent.
 */
export interface NetworkOptions {
  /** TCP port (IPv4 and IPv6); 0 or absent = the remembered port, else a random one that is then remembered. */
  readonly port?: number;
  /** mDNS discovery on the LAN (default true). */
  readonly mdns?: boolean;
  /** Listen on 127.0.0.1 only and put loopback addresses in invites (tests). Implies no port mapping. */
  readonly loopbackOnly?: boolean;
  /**
   * Port mapping on the router (PCP, NAT-PMP, UPnP): false = never (--no-port-mapping); true (default) =
   * unless the profile setting forbids it; 'ask' = like true once the user has answered, else wait for
   * `setPortMapping` (the TUI asks).
   */
  readonly portMapping?: boolean | 'ask';
  /** Only these methods, in order (lab tests: PVT_NAT_METHOD). */
  readonly natMethods?: readonly string[];
  /** STUN servers ("host:port") the NAT diagnosis also asks (PVT_STUN_SERVERS); default none. */
  readonly stunServers?: readonly string[];
  /** Serve a mailbox for others during this run, whatever the profile setting (`pvt daemon --mailbox`). */
  readonly mailbox?: boolean;
  /** Relay onion circuits for others (--relay); absent = the remembered choice (pvt relay on|off). */
  readonly relay?: boolean;
}

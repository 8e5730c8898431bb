/**
 * What the messaging modules (invites, sessions, messaging, outbox) share: the identity, the stores, the
 * contacts cache, randomness, the clock, the logger, the event sink and — when the profile runs with the
 * network — the started Network. Plain wiring; no behaviour.
 */
import type { CryptoBackend } from '../crypto/backend.ts';
import type { Rng } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import type { Network } from '../net/network.ts';
import type { Identity } from '../protocol/identity.ts';
import type { ChatStore } from '../store/chat-store.ts';
import type { InvitesStore } from '../store/invites-store.ts';
import type { SqlAccess } from '../store/sql-access.ts';
import type { PvtEvent } from './api.ts';
import type { Contacts } from './contacts.ts';

export interface MessagingContext {
  readonly identity: Identity;
  readonly sql: SqlAccess;
  readonly contacts: Contacts;
  readonly chat: ChatStore;
  readonly invites: InvitesStore;
  readonly rng: Rng;
  /** The ratchet's asymmetric-crypto backend (chosen once by the launcher). */
  readonly backend: CryptoBackend;
  readonly now: () => number;
  readonly logger: Logger;
  /** The running network, or undefined when the profile was opened without it (or it stopped). */
  network(): Network | undefined;
  emit(event: PvtEvent): void;
}

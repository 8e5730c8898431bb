/**
 * The mailbox delivery route (docs/mailbox.md, "Route"): when a contact cannot be reached directly, its
 * Peer hands sealed ratchet frames here, and they are deposited — each split into 4 KiB envelopes
 * sealed for the current epoch's slot of the pair's direction — into the contact's mailboxes, through
 * the transport the network offers (an onion circuit; the direct transport only in tests that say so).
 * The other half fetches: on start, on network change and periodically (jittered; sooner after a pass
 * that missed a mailbox), it reads this user's own mailboxes' slots of every contact (slot-reader.ts),
 * hands the whole frames of a read together to the normal inbound path (dedup, decrypt, store, receipt —
 * exactly once; one commit and one receipt) and deletes their envelopes once they are stored.
 * Envelopes are sealed deterministically per (epoch, frame), so a resend in the same epoch is the same
 * envelope and the mailbox keeps one copy. Knows nothing about sessions or the UI.
 */
import { concatBytes, type Rng, u64be, utf8 } from '../crypto/bytes.ts';
import { createDrbg } from '../crypto/drbg.ts';
import { hmacSha256, sha256Hash } from '../crypto/primitives.ts';
import type { Logger } from '../log/logger.ts';
import { type MailboxSession, withEachMailbox } from '../net/mailbox/client.ts';
import { deleteEnvelopes, readSlots } from '../net/mailbox/slot-reader.ts';
import type { MailboxTransport } from '../net/mailbox/transport.ts';
import type { Identity } from '../protocol/identity.ts';
import { sealEnvelopes } from '../protocol/mailbox/envelope.ts';
import type { MailboxLocator } from '../protocol/mailbox/locator.ts';
import {
  type DirectionKeys,
  directionKeys,
  epochAt,
  pairSecretOf,
  pollEpochs,
  slotFor,
} from '../protocol/mailbox/tokens.ts';
import type { ContactRow } from '../store/contacts-store.ts';
import { AppError } from './errors.ts';
import type { DeliveryRoute, RouteTarget } from './route.ts';

const SEAL_LABEL = utf8('pvt/mailbox/v1/seal');

/** How long a frame deposited in a mailbox waits for its receipt before it is deposited again. */
export const MAILBOX_RESEND_AFTER_MS = 10 * 60 * 1000;
/** How often the user's own mailboxes are emptied (± 20 %); PVT_MAILBOX_POLL_MS overrides (tests). */
export const MAILBOX_POLL_MS = 5 * 60 * 1000;
/** A fetch asked for while one runs waits for it and runs once more, at most this soon after. */
const MAILBOX_FETCH_SOON_MS = 500;
/**
 * A fetch that could not reach every mailbox (the onion layer still starting, a mailbox down) is tried
 * again after this long, doubling up to the poll period — not only at the next poll, 5 minutes later.
 */
export const MAILBOX_FETCH_RETRY_MS = 1_000;

export interface MailboxRouteInit {
  readonly identity: Identity;
  readonly contact: (contactId: string) => ContactRow | undefined;
  readonly contacts: () => readonly ContactRow[];
  /** The mailboxes a contact named (from its address updates). */
  readonly theirMailboxes: (contactId: string) => readonly MailboxLocator[];
  /** The user's own mailboxes (to fetch from). */
  readonly ownMailboxes: () => readonly MailboxLocator[];
  readonly transport: () => MailboxTransport | undefined;
  /** The normal inbound path; resolves once the frame is stored (or dropped). */
  readonly inbound: (contactId: string, frame: Uint8Array) => Promise<void>;
  readonly rng: Rng;
  readonly now: () => number;
  /** Uniform [0, 1) for the poll jitter. */
  readonly random: () => number;
  readonly logger: Logger;
  readonly pollMs?: number;
  /**
   * Crash tests only (PVT_TEST_MAILBOX_KILL=deposits:N, handed:N or stored:N): called after every
   * envelope deposited, every fetched frame handed to the inbound path (before the commit that stores
   * the read's frames) and every fetched frame stored, with the running counts, so a test can SIGKILL
   * the process on a progress counter rather than on a timer.
   */
  readonly progress?: (what: 'deposits' | 'handed' | 'stored', count: number) => void;
}

export class MailboxUnavailableError extends AppError {
  constructor(detail: string) {
    super('MailboxUnavailable', `no mailbox of the contact took the message: ${detail}`);
  }
}

export class MailboxRoute implements DeliveryRoute {
  readonly name = 'mailbox';
  readonly resendAfterMs = MAILBOX_RESEND_AFTER_MS;
  readonly handedState = 'stored' as const;
  readonly #init: MailboxRouteInit;
  readonly #log: Logger;
  readonly #keys = new Map<string, DirectionKeys>();
  /** Per contact: the oldest epoch still worth polling (everything before was emptied). */
  readonly #since = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fetching: Promise<void> | undefined;
  #again = false;
  #retryMs = MAILBOX_FETCH_RETRY_MS;
  #stopped = true;
  /** Aborted by `stop()`: a fetch under way ends (its mailbox requests are cut). */
  #stop = new AbortController();
  #deposits = 0;
  #handed = 0;
  #stored = 0;

  constructor(init: MailboxRouteInit) {
    this.#init = init;
    this.#log = init.logger.child('mailbox-route');
  }

  /** Keys of the direction `from → to` of a pair (cached per contact and direction). */
  #direction(row: ContactRow, outgoing: boolean): DirectionKeys {
    const key = `${row.id}:${outgoing ? 'out' : 'in'}`;
    let k = this.#keys.get(key);
    if (!k) {
      const me = this.#init.identity;
      const pair = pairSecretOf(me.dhSecret, row.peer.dhPublic, me.signPublic, row.peer.signPublic);
      k = outgoing
        ? directionKeys(pair, me.signPublic, row.peer.signPublic)
        : directionKeys(pair, row.peer.signPublic, me.signPublic);
      pair.fill(0);
      this.#keys.set(key, k);
    }
    return k;
  }

  // ── sending (DeliveryRoute) ──

  async ready(target: RouteTarget): Promise<boolean> {
    return (
      !this.#stopped &&
      this.#init.transport() !== undefined &&
      this.#init.theirMailboxes(target.contactId).length > 0
    );
  }

  async send(target: RouteTarget, frames: readonly Uint8Array[], signal: AbortSignal): Promise<void> {
    const row = this.#init.contact(target.contactId);
    const transport = this.#init.transport();
    if (!row || !transport) throw new MailboxUnavailableError('no contact or no transport');
    const keys = this.#direction(row, true);
    const epoch = epochAt(this.#init.now());
    const slot = slotFor(keys, epoch);
    const envelopes = frames.flatMap((frame) => {
      // Deterministic per (epoch, frame): the same frame resent in the same epoch is the same envelope.
      const seed = hmacSha256(keys.envelopeKey, concatBytes(SEAL_LABEL, u64be(epoch), sha256Hash(frame)));
      return sealEnvelopes(keys.envelopeKey, epoch, frame, createDrbg(seed));
    });
    const { took, last } = await withEachMailbox(
      {
        transport,
        mailboxes: this.#init.theirMailboxes(target.contactId),
        rng: this.#init.rng,
        now: this.#init.now,
        signal,
      },
      async (session) => {
        for (const e of envelopes) {
          await session.deposit(slot.token, e);
          this.#init.progress?.('deposits', ++this.#deposits);
        }
      },
      (code) => this.#log.debug('mailbox.deposit_failed', { code }),
    );
    if (took === 0) throw new MailboxUnavailableError(last);
    this.#log.info('mailbox.deposited', {
      frames: frames.length,
      envelopes: envelopes.length,
      mailboxes: took,
    });
  }

  // ── fetching ──

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#stop = new AbortController();
    this.fetchSoon();
  }

  stop(): void {
    this.#stopped = true;
    this.#stop.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Empties the user's mailboxes now (or right after the fetch under way). */
  fetchSoon(): void {
    if (this.#stopped) return;
    if (this.#fetching) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  /** Resolves when the fetch under way (if any) has finished. */
  async settled(): Promise<void> {
    while (this.#fetching) await this.#fetching;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#fetching = this.#fetchAll()
        .catch((error: unknown) => {
          this.#log.warn('mailbox.fetch_failed', {
            code: String((error as { code?: unknown }).code ?? 'error'),
          });
          return false;
        })
        .then((complete) => {
          this.#fetching = undefined;
          const poll = this.#init.pollMs ?? MAILBOX_POLL_MS;
          if (this.#again) {
            this.#again = false;
            this.#schedule(MAILBOX_FETCH_SOON_MS);
          } else if (!complete && this.#retryMs < poll) {
            this.#schedule(this.#retryMs * (0.8 + 0.4 * this.#init.random()));
            this.#retryMs *= 2;
          } else {
            if (complete) this.#retryMs = MAILBOX_FETCH_RETRY_MS;
            this.#schedule(poll * (0.8 + 0.4 * this.#init.random()));
          }
        });
    }, delayMs);
    this.#timer.unref?.();
  }

  /** One pass over the user's mailboxes; false when one could not be reached or emptied. */
  async #fetchAll(): Promise<boolean> {
    const transport = this.#init.transport();
    const mine = this.#init.ownMailboxes();
    if (!transport || mine.length === 0) return true;
    const contacts = this.#init.contacts().filter((c) => c.verification !== 'rejected');
    if (contacts.length === 0) return true;
    const nowEpoch = epochAt(this.#init.now());
    const { took } = await withEachMailbox(
      {
        transport,
        mailboxes: mine,
        rng: this.#init.rng,
        now: this.#init.now,
        signal: this.#stop.signal,
      },
      async (session) => {
        // One request per contact (its slots of the epochs still worth polling, oldest first), so a
        // mailbox does not see one reader's contacts side by side in a request.
        for (const row of contacts) {
          this.#stop.signal.throwIfAborted();
          await this.#fetchContact(session, row, nowEpoch);
        }
      },
      (code) => this.#log.info('mailbox.fetch_incomplete', { code }),
    );
    const emptiedAll = took === mine.length && !this.#stopped;
    if (emptiedAll) for (const row of contacts) this.#since.set(row.id, Math.max(0, nowEpoch - 1));
    return emptiedAll;
  }

  /**
   * Reads the contact's slots of one mailbox, hands every whole frame to the inbound path at once (they
   * are stored in one transaction and acknowledged by one receipt), and once each was stored or dropped
   * deletes its envelopes — and those that did not open. A crash in between fetches them again; the
   * inbound dedup drops them and acknowledges again. A frame missing a fragment stays in the mailbox.
   */
  async #fetchContact(session: MailboxSession, row: ContactRow, nowEpoch: number): Promise<void> {
    const keys = this.#direction(row, false);
    const slots = pollEpochs(nowEpoch, this.#since.get(row.id) ?? 0)
      .reverse()
      .map((e) => slotFor(keys, e));
    const read = await readSlots(session, slots, keys.envelopeKey, (code) =>
      this.#log.info('mailbox.envelope_dropped', { code }),
    );
    if (read.fetched === 0) return;
    await Promise.all(
      read.payloads.map(async (p) => {
        const handled = this.#init.inbound(row.id, p.payload);
        this.#init.progress?.('handed', ++this.#handed);
        await handled;
        this.#init.progress?.('stored', ++this.#stored);
      }),
    );
    await deleteEnvelopes(session, slots, [...read.unreadable, ...read.payloads.flatMap((p) => p.envelopes)]);
    this.#log.info('mailbox.fetched', { envelopes: read.fetched, frames: read.payloads.length });
  }
}

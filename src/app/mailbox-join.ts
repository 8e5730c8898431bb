/**
 * Offline join transport (docs/protocol/mailbox.md, "Offline join"): a FrameChannel whose frames are
 * handshake messages waiting in the inviter's mailboxes, in the join slots keyed by the invite secret
 * (src/protocol/mailbox/join.ts). `write` seals the frame for the current epoch's slot of our direction
 * and deposits it into every mailbox the invite names (one must take it); `read` polls the other
 * direction's slots until a frame arrives (backing off from JOIN_SLOT_FIRST_POLL_MS to the poll period,
 * giving up when the invite expires), hands frames out once each, in order, and deletes what it read. The handshake and Invites run over it unchanged (only their transport differs). Knows nothing
 * about the handshake's contents, contacts or the store.
 */
import { concatBytes, type Rng, toHex, u64be, utf8 } from '../crypto/bytes.ts';
import { createDrbg } from '../crypto/drbg.ts';
import { hmacSha256, sha256Hash } from '../crypto/primitives.ts';
import type { Logger } from '../log/logger.ts';
import { MailboxSession, withEachMailbox } from '../net/mailbox/client.ts';
import type { MailboxTransport } from '../net/mailbox/transport.ts';
import type { FrameChannel } from '../net/network.ts';
import { InviteExpiredError } from '../protocol/errors.ts';
import { openEnvelope, Reassembler, sealEnvelopes } from '../protocol/mailbox/envelope.ts';
import {
  decodeJoinPayload,
  encodeJoinPayload,
  type JoinDirection,
  joinDirectionKeys,
} from '../protocol/mailbox/join.ts';
import type { MailboxLocator } from '../protocol/mailbox/locator.ts';
import { mailboxIdOf } from '../protocol/mailbox/pow.ts';
import { type DirectionKeys, epochAt, pollEpochs, slotFor } from '../protocol/mailbox/tokens.ts';
import { JOIN_SLOT_DEPOSIT_ATTEMPTS, JOIN_SLOT_FIRST_POLL_MS } from './constants.ts';
import { MailboxUnavailableError } from './mailbox-route.ts';
import { JoinInterruptedError } from './messaging-errors.ts';

const SEAL_LABEL = utf8('pvt/mailbox/v1/join-seal');

export interface JoinSlotChannelInit {
  readonly inviteSecret: Uint8Array;
  /** The direction we write: the joiner writes `request`, the inviter `reply`. */
  readonly writes: JoinDirection;
  /** The mailboxes the invite names. */
  readonly mailboxes: readonly MailboxLocator[];
  readonly transport: () => MailboxTransport | undefined;
  readonly rng: Rng;
  readonly now: () => number;
  /** The longest wait between two fetches of the incoming slots (they start at JOIN_SLOT_FIRST_POLL_MS). */
  readonly pollMs: number;
  /** The invite's expiry (seconds since the Unix epoch): `read` gives up then, with InviteExpiredError. */
  readonly expiresAtSeconds: number;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export class JoinSlotChannel implements FrameChannel {
  readonly #init: JoinSlotChannelInit;
  readonly #out: DirectionKeys;
  readonly #in: DirectionKeys;
  readonly #queue: Uint8Array[] = [];
  readonly #seen = new Set<string>();
  readonly #reassembler = new Reassembler();
  readonly #closed = new AbortController();

  constructor(init: JoinSlotChannelInit) {
    this.#init = init;
    this.#out = joinDirectionKeys(init.inviteSecret, init.writes);
    this.#in = joinDirectionKeys(init.inviteSecret, init.writes === 'request' ? 'reply' : 'request');
  }

  #signal(): AbortSignal {
    return this.#init.signal
      ? AbortSignal.any([this.#init.signal, this.#closed.signal])
      : this.#closed.signal;
  }

  /** Deposits one frame, retrying a few times (a circuit may fail to build): MailboxUnavailable at last. */
  async write(frame: Uint8Array): Promise<void> {
    const signal = this.#signal();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#deposit(frame);
      } catch (error) {
        if (signal.aborted || attempt >= JOIN_SLOT_DEPOSIT_ATTEMPTS) throw error;
        this.#init.logger.info('join_slot.deposit_retry', { attempt });
        await new Promise((resolve) => setTimeout(resolve, JOIN_SLOT_FIRST_POLL_MS * attempt));
      }
    }
  }

  async #deposit(frame: Uint8Array): Promise<void> {
    const transport = this.#init.transport();
    if (!transport) throw new MailboxUnavailableError('no mailbox transport');
    const keys = this.#out;
    const epoch = epochAt(this.#init.now());
    const slot = slotFor(keys, epoch);
    const payload = encodeJoinPayload(frame);
    const seed = hmacSha256(keys.envelopeKey, concatBytes(SEAL_LABEL, u64be(epoch), sha256Hash(payload)));
    const envelopes = sealEnvelopes(keys.envelopeKey, epoch, payload, createDrbg(seed));
    const { took, last } = await withEachMailbox(
      {
        transport,
        mailboxes: this.#init.mailboxes,
        rng: this.#init.rng,
        now: this.#init.now,
        signal: this.#signal(),
      },
      async (session) => {
        for (const e of envelopes) await session.deposit(slot.token, e);
      },
    );
    if (took === 0) throw new MailboxUnavailableError(last);
    this.#init.logger.debug('join_slot.deposited', { envelopes: envelopes.length, mailboxes: took });
  }

  /** Fetches the incoming slots once; true when a frame is queued for `read`. */
  async poll(): Promise<boolean> {
    if (this.#queue.length > 0) return true;
    const transport = this.#init.transport();
    if (!transport) return false;
    const keys = this.#in;
    const slots = pollEpochs(epochAt(this.#init.now()))
      .reverse()
      .map((e) => slotFor(keys, e));
    const signal = this.#signal();
    for (const mailbox of this.#init.mailboxes) {
      try {
        const channel = await transport.open(mailbox, { signal });
        try {
          const session = new MailboxSession({
            channel,
            mailboxId: mailboxIdOf(mailbox.peerId),
            rng: this.#init.rng,
            now: this.#init.now,
            signal,
          });
          const got = await session.fetch(slots.map((s) => s.fetchCap));
          const done = new Map<number, Uint8Array[]>();
          for (const g of got) {
            const slot = slots[g.slot];
            if (!slot) continue;
            const list = done.get(g.slot) ?? [];
            list.push(g.hash);
            done.set(g.slot, list);
            const hash = toHex(g.hash);
            if (this.#seen.has(hash)) continue; // the same envelope in a second mailbox
            this.#seen.add(hash);
            try {
              const payload = this.#reassembler.add(openEnvelope(keys.envelopeKey, slot.epoch, g.envelope));
              if (payload) this.#queue.push(decodeJoinPayload(payload));
            } catch (error) {
              this.#init.logger.info('join_slot.envelope_dropped', {
                code: String((error as { code?: unknown }).code ?? 'error'),
              });
            }
          }
          for (const [i, hashes] of done) {
            const slot = slots[i];
            if (slot) await session.delete(slot.deleteCap, hashes);
          }
        } finally {
          await channel.close().catch(() => undefined);
        }
      } catch (error) {
        if (signal.aborted) throw new JoinInterruptedError('waiting in the mailbox');
        this.#init.logger.info('join_slot.fetch_failed', {
          code: String((error as { code?: unknown }).code ?? 'error'),
        });
      }
    }
    return this.#queue.length > 0;
  }

  async read(): Promise<Uint8Array> {
    const signal = this.#signal();
    for (let wait = Math.min(JOIN_SLOT_FIRST_POLL_MS, this.#init.pollMs); ; ) {
      if (signal.aborted) throw new JoinInterruptedError('waiting in the mailbox');
      if (await this.poll()) return this.#queue.shift() as Uint8Array;
      const left = this.#init.expiresAtSeconds * 1000 - this.#init.now();
      if (left <= 0) throw new InviteExpiredError(this.#init.expiresAtSeconds);
      const delay = Math.min(wait, left + 1);
      wait = Math.min(wait * 2, this.#init.pollMs);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, delay);
        function done() {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  async close(): Promise<void> {
    this.#closed.abort();
  }

  abort(_error: Error): void {
    this.#closed.abort();
  }
}

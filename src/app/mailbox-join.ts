/**
 * Offline join transport (docs/protocol/mailbox.md, "Offline join"): the join slots of one invite in
 * the mailboxes it names, keyed by the invite secret (src/protocol/mailbox/join.ts). `deposit` seals a
 * handshake message for the current epoch's slot of our direction and deposits it into every mailbox
 * (one must take it; the sealing is deterministic per epoch, so a repeated deposit is stored once);
 * `fetch` reads the other direction's slots (net/mailbox/slot-reader.ts, as the mailbox route does)
 * and hands out every whole message found, **without deleting it**: a message is deleted only when
 * its hash is in the `discard` set of a later fetch, that is after the side that read it has durably
 * acted on it (offline-join.ts). Knows nothing about the handshake's contents, contacts or the store.
 */
import { concatBytes, type Rng, toHex, u64be, utf8 } from '../crypto/bytes.ts';
import { createDrbg } from '../crypto/drbg.ts';
import { hmacSha256, sha256Hash } from '../crypto/primitives.ts';
import type { Logger } from '../log/logger.ts';
import { withEachMailbox } from '../net/mailbox/client.ts';
import { deleteEnvelopes, type EnvelopeRef, readSlots } from '../net/mailbox/slot-reader.ts';
import type { MailboxTransport } from '../net/mailbox/transport.ts';
import { sealEnvelopes } from '../protocol/mailbox/envelope.ts';
import {
  decodeJoinPayload,
  encodeJoinPayload,
  type JoinDirection,
  joinDirectionKeys,
} from '../protocol/mailbox/join.ts';
import type { MailboxLocator } from '../protocol/mailbox/locator.ts';
import { type DirectionKeys, epochAt, pollEpochs, slotFor } from '../protocol/mailbox/tokens.ts';
import { MailboxUnavailableError } from './mailbox-route.ts';

const SEAL_LABEL = utf8('pvt/mailbox/v1/join-seal');

export interface JoinSlotsInit {
  readonly inviteSecret: Uint8Array;
  /** The direction we write: the joiner writes `request`, the inviter `reply`. */
  readonly writes: JoinDirection;
  /** The mailboxes the invite names. */
  readonly mailboxes: readonly MailboxLocator[];
  readonly transport: () => MailboxTransport | undefined;
  readonly rng: Rng;
  readonly now: () => number;
  readonly logger: Logger;
}

/** A whole handshake message (or refusal) found in the incoming slots. */
export interface SlotFrame {
  readonly frame: Uint8Array;
  /** SHA-256 of the frame, hex: how the reader names it to `discard` later. */
  readonly hash: string;
}

/** The hex SHA-256 a SlotFrame is named by. */
export function frameHash(frame: Uint8Array): string {
  return toHex(sha256Hash(frame));
}

export class JoinSlots {
  readonly #init: JoinSlotsInit;
  readonly #out: DirectionKeys;
  readonly #in: DirectionKeys;

  constructor(init: JoinSlotsInit) {
    this.#init = init;
    this.#out = joinDirectionKeys(init.inviteSecret, init.writes);
    this.#in = joinDirectionKeys(init.inviteSecret, init.writes === 'request' ? 'reply' : 'request');
  }

  /** Deposits one frame into every mailbox; MailboxUnavailable when none took it. */
  async deposit(frame: Uint8Array, signal: AbortSignal): Promise<void> {
    const transport = this.#init.transport();
    if (!transport) throw new MailboxUnavailableError('no mailbox transport');
    const keys = this.#out;
    const epoch = epochAt(this.#init.now());
    const slot = slotFor(keys, epoch);
    const payload = encodeJoinPayload(frame);
    const seed = hmacSha256(keys.envelopeKey, concatBytes(SEAL_LABEL, u64be(epoch), sha256Hash(payload)));
    const envelopes = sealEnvelopes(keys.envelopeKey, epoch, payload, createDrbg(seed));
    const { took, last } = await withEachMailbox(
      { transport, mailboxes: this.#init.mailboxes, rng: this.#init.rng, now: this.#init.now, signal },
      async (session) => {
        for (const e of envelopes) await session.deposit(slot.token, e);
      },
    );
    if (took === 0) throw new MailboxUnavailableError(last);
    this.#init.logger.debug('join_slot.deposited', { envelopes: envelopes.length, mailboxes: took });
  }

  /**
   * Fetches the incoming slots of every mailbox once: the whole frames found (each once, whatever the
   * number of mailboxes holding it), except those named in `discard` (or all of them), whose envelopes
   * are deleted.
   * `reached` counts the mailboxes that answered.
   */
  async fetch(
    discard: ReadonlySet<string> | 'all',
    signal: AbortSignal,
  ): Promise<{ frames: SlotFrame[]; reached: number }> {
    const transport = this.#init.transport();
    if (!transport) return { frames: [], reached: 0 };
    const keys = this.#in;
    const slots = pollEpochs(epochAt(this.#init.now()))
      .reverse()
      .map((e) => slotFor(keys, e));
    const frames = new Map<string, SlotFrame>();
    let reached = 0;
    await withEachMailbox(
      { transport, mailboxes: this.#init.mailboxes, rng: this.#init.rng, now: this.#init.now, signal },
      async (session) => {
        const read = await readSlots(session, slots, keys.envelopeKey, (code) =>
          this.#init.logger.info('join_slot.envelope_dropped', { code }),
        );
        reached++;
        const drop: EnvelopeRef[] = [];
        for (const p of read.payloads) {
          let frame: Uint8Array;
          try {
            frame = decodeJoinPayload(p.payload);
          } catch {
            continue;
          }
          const hash = frameHash(frame);
          if (discard === 'all' || discard.has(hash)) drop.push(...p.envelopes);
          else if (!frames.has(hash)) frames.set(hash, { frame, hash });
        }
        await deleteEnvelopes(session, slots, drop);
      },
      (code) => {
        if (!signal.aborted) this.#init.logger.info('join_slot.fetch_failed', { code });
      },
    );
    return { frames: [...frames.values()], reached };
  }
}

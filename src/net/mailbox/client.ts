/**
 * The client side of one conversation with a mailbox (docs/mailbox.md, "Client"): deposit an envelope
 * under a token with a proof of work at the difficulty the mailbox asks (learnt from `info`, raised
 * when a refusal names a higher one, retried a few times), fetch everything of some slots page by page,
 * delete by hash. Works over any MailboxTransport channel. Time and randomness are injected.
 */
import type { Rng } from '../../crypto/bytes.ts';
import {
  MAILBOX_MAX_DELETE_HASHES,
  MAILBOX_MAX_FETCH_CAPS,
  MAILBOX_POW_MAX_BITS,
} from '../../protocol/mailbox/constants.ts';
import type { MailboxLocator } from '../../protocol/mailbox/locator.ts';
import { envelopeHash, mailboxIdOf, powBucketAt, solvePow } from '../../protocol/mailbox/pow.ts';
import {
  decodeResponse,
  encodeRequest,
  type MailboxRequest,
  type MailboxResponse,
} from '../../protocol/mailbox/wire.ts';
import { MAILBOX_POW_RETRIES } from './constants.ts';
import { MailboxProtocolError, MailboxRefusedError } from './errors.ts';
import type { MailboxChannel, MailboxTransport } from './transport.ts';

export interface MailboxSessionInit {
  readonly channel: MailboxChannel;
  /** mailboxIdOf(the mailbox's PeerId bytes). */
  readonly mailboxId: Uint8Array;
  readonly rng: Rng;
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

export interface FetchedFromSlot {
  /** Index into the fetch capabilities given. */
  readonly slot: number;
  readonly envelope: Uint8Array;
  readonly hash: Uint8Array;
}

export class MailboxSession {
  readonly #init: MailboxSessionInit;
  #difficulty: number | undefined;
  /** Offset between the mailbox's bucket and ours (skewed clocks), learnt from its answers. */
  #bucketSkew = 0;

  constructor(init: MailboxSessionInit) {
    this.#init = init;
  }

  async #ask(request: MailboxRequest): Promise<MailboxResponse> {
    const bytes = await this.#init.channel.request(encodeRequest(request), { signal: this.#init.signal });
    try {
      return decodeResponse(bytes);
    } catch (error) {
      throw new MailboxProtocolError((error as Error).message);
    }
  }

  #learn(r: { difficulty: number; bucket: number }): void {
    this.#difficulty = r.difficulty;
    this.#bucketSkew = r.bucket - powBucketAt(this.#init.now());
  }

  async info(): Promise<Extract<MailboxResponse, { kind: 'info' }>> {
    const r = await this.#ask({ kind: 'info' });
    if (r.kind === 'refused') throw new MailboxRefusedError(r.reason);
    if (r.kind !== 'info') throw new MailboxProtocolError(`${r.kind} to info`);
    this.#learn(r);
    return r;
  }

  /** Deposits one envelope; true when stored now, false when the mailbox already had it. */
  async deposit(token: Uint8Array, envelope: Uint8Array): Promise<boolean> {
    if (this.#difficulty === undefined) await this.info();
    const hash = envelopeHash(envelope);
    for (let attempt = 0; ; attempt++) {
      const bits = this.#difficulty ?? 0;
      if (bits > MAILBOX_POW_MAX_BITS) throw new MailboxRefusedError('pow');
      const bucket = powBucketAt(this.#init.now()) + this.#bucketSkew;
      const target = { mailboxId: this.#init.mailboxId, token, envelopeHash: hash, bucket };
      const nonce = solvePow(target, bits, this.#init.rng);
      const r = await this.#ask({ kind: 'deposit', token, bucket, nonce, envelope });
      if (r.kind === 'deposited') return r.stored;
      if (r.kind !== 'refused') throw new MailboxProtocolError(`${r.kind} to deposit`);
      if (r.reason !== 'pow' || attempt >= MAILBOX_POW_RETRIES) throw new MailboxRefusedError(r.reason);
      this.#learn(r);
    }
  }

  /** Every envelope of the slots of `fetchCaps` (in slot order, then arrival order). */
  async fetch(fetchCaps: readonly Uint8Array[]): Promise<FetchedFromSlot[]> {
    const out: FetchedFromSlot[] = [];
    for (let start = 0; start < fetchCaps.length; start += MAILBOX_MAX_FETCH_CAPS) {
      const caps = fetchCaps.slice(start, start + MAILBOX_MAX_FETCH_CAPS);
      let skip = 0;
      for (;;) {
        const r = await this.#ask({ kind: 'fetch', skip, fetchCaps: caps });
        if (r.kind === 'refused') throw new MailboxRefusedError(r.reason);
        if (r.kind !== 'fetched') throw new MailboxProtocolError(`${r.kind} to fetch`);
        for (const e of r.envelopes) {
          if (e.cap >= caps.length) throw new MailboxProtocolError('capability index out of range');
          out.push({ slot: start + e.cap, envelope: e.envelope, hash: envelopeHash(e.envelope) });
        }
        skip += r.envelopes.length;
        if (r.remaining === 0 || r.envelopes.length === 0) break;
      }
    }
    return out;
  }

  /** Deletes those envelopes from the slot of `deleteCap`; returns how many the mailbox still had. */
  async delete(deleteCap: Uint8Array, hashes: readonly Uint8Array[]): Promise<number> {
    let count = 0;
    for (let i = 0; i < hashes.length; i += MAILBOX_MAX_DELETE_HASHES) {
      const r = await this.#ask({
        kind: 'delete',
        deleteCap,
        hashes: hashes.slice(i, i + MAILBOX_MAX_DELETE_HASHES),
      });
      if (r.kind === 'refused') throw new MailboxRefusedError(r.reason);
      if (r.kind !== 'deleted') throw new MailboxProtocolError(`${r.kind} to delete`);
      count += r.count;
    }
    return count;
  }
}

/** What `withEachMailbox` needs to reach a list of mailboxes. */
export interface EachMailboxInit {
  readonly transport: MailboxTransport;
  readonly mailboxes: readonly MailboxLocator[];
  readonly rng: Rng;
  readonly now: () => number;
  readonly signal: AbortSignal;
}

/**
 * Runs `use` with a session on each mailbox in turn (one stream each, closed after): how many succeeded,
 * and the code of the last failure ('no mailbox' when the list is empty). A failing mailbox does not stop
 * the others; `onError` hears each failure's code.
 */
export async function withEachMailbox(
  init: EachMailboxInit,
  use: (session: MailboxSession) => Promise<void>,
  onError: (code: string) => void = () => {},
): Promise<{ took: number; last: string }> {
  let took = 0;
  let last = 'no mailbox';
  for (const mailbox of init.mailboxes) {
    try {
      const channel = await init.transport.open(mailbox, { signal: init.signal });
      try {
        const session = new MailboxSession({
          channel,
          mailboxId: mailboxIdOf(mailbox.peerId),
          rng: init.rng,
          now: init.now,
          signal: init.signal,
        });
        await use(session);
        took++;
      } finally {
        await channel.close().catch(() => undefined);
      }
    } catch (error) {
      last = String((error as { code?: unknown }).code ?? (error as Error).name);
      onError(last);
    }
  }
  return { took, last };
}

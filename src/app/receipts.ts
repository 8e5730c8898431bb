/**
 * Delivery receipts on the receiving side: ids acknowledged during one turn of the event loop are
 * batched into one encrypted receipt per contact (split at MAX_RECEIPT_IDS), the session state committed
 * before the receipt leaves, and sent best-effort (a lost receipt costs a retransmission, which is
 * acknowledged again). Knows nothing about how messages are stored.
 */
import { encodePayload, newMessageId } from '../protocol/payload.ts';
import type { MessagingContext } from './messaging-context.ts';
import { encodeReceiptBody, MAX_RECEIPT_IDS } from './messaging-payload.ts';
import type { Sessions } from './messaging-session.ts';

export class Receipts {
  readonly #ctx: MessagingContext;
  readonly #sessions: Sessions;
  readonly #pending = new Map<string, string[]>();
  #flush: ReturnType<typeof setImmediate> | undefined;
  #stopped = false;

  constructor(ctx: MessagingContext, sessions: Sessions) {
    this.#ctx = ctx;
    this.#sessions = sessions;
  }

  /** Acknowledge `remoteId` to the contact (sent at the next turn of the event loop). */
  queue(contactId: string, remoteId: string): void {
    let list = this.#pending.get(contactId);
    if (!list) {
      list = [];
      this.#pending.set(contactId, list);
    }
    list.push(remoteId);
    if (this.#flush === undefined && !this.#stopped) {
      this.#flush = setImmediate(() => {
        this.#flush = undefined;
        this.flush();
      });
    }
  }

  /** Drops what is queued for a removed contact. */
  forget(contactId: string): void {
    this.#pending.delete(contactId);
  }

  /** No more scheduled flushes; returns the sends of what was still queued. */
  stop(): Promise<void>[] {
    this.#stopped = true;
    if (this.#flush !== undefined) clearImmediate(this.#flush);
    this.#flush = undefined;
    return this.flush();
  }

  /** One receipt per contact, listing every id acknowledged since the last flush. */
  flush(): Promise<void>[] {
    const ctx = this.#ctx;
    const net = ctx.network();
    const pending = [...this.#pending.entries()];
    this.#pending.clear();
    const sends: Promise<void>[] = [];
    if (!net) return sends;
    for (const [contactId, ids] of pending) {
      const row = ctx.contacts.byId(contactId);
      if (!row) continue;
      const unique = [...new Set(ids)];
      const wires: Uint8Array[] = [];
      try {
        for (let i = 0; i < unique.length; i += MAX_RECEIPT_IDS) {
          const body = encodeReceiptBody(unique.slice(i, i + MAX_RECEIPT_IDS));
          const plaintext = encodePayload({
            type: 'receipt',
            id: newMessageId(ctx.rng),
            timestampMs: ctx.now(),
            body,
          });
          const { state, message } = this.#sessions.encrypt(contactId, plaintext, ctx.rng);
          // The state commits before the receipt leaves: a crash can never reuse its chain position.
          ctx.sql.transaction('saving the session of a receipt', () =>
            this.#sessions.saveInTx(contactId, state),
          );
          this.#sessions.commit(contactId, state);
          wires.push(message);
        }
      } catch (error) {
        ctx.logger.warn('receipt.encrypt_failed', { code: (error as { code?: string }).code ?? 'unknown' });
      }
      if (wires.length === 0) continue;
      sends.push(
        net.chat.send(row.transport.peerId, wires).catch((error: unknown) => {
          ctx.logger.debug('receipt.send_failed', { code: (error as { name?: string }).name ?? 'unknown' });
        }),
      );
    }
    return sends;
  }
}

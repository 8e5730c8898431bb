/**
 * A Peer's inbound group commit (docs/decisions.md, issue 9, "Group commit without a timer"): frames that arrive
 * together wait for `setImmediate` (after the current I/O phase) and are handed to `receive` in batches
 * of up to INBOUND_BATCH_MAX — one transaction and one receipt each; a lone frame waits for nothing. A
 * frame's promise resolves at once while the queue is short (so a stream's next frames can join the
 * batch), else — or when the caller asks for `handled` — once its batch was handled. A batch that throws
 * is logged and dropped whole (nothing of it was stored or acknowledged: the contact sends it again).
 * Owns the queue and its scheduling; knows nothing about sessions, storage or what a frame holds.
 */
import type { Logger } from '../log/logger.ts';
import { INBOUND_BATCH_MAX } from './constants.ts';

export interface InboundBatchInit {
  /** Handles one batch of frames (one transaction); a throw drops the batch. */
  readonly receive: (wires: readonly Uint8Array[]) => void;
  readonly logger: Logger;
}

export class InboundBatch {
  readonly #init: InboundBatchInit;
  readonly #inq: { wire: Uint8Array; done: () => void }[] = [];
  #drainScheduled: ReturnType<typeof setImmediate> | undefined;

  constructor(init: InboundBatchInit) {
    this.#init = init;
  }

  /** Queues one frame; see the module comment for when the promise resolves. Never rejects. */
  push(wire: Uint8Array, handled: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const wait = handled || this.#inq.length >= INBOUND_BATCH_MAX;
      this.#inq.push({ wire, done: wait ? resolve : () => undefined });
      if (!wait) resolve();
      if (this.#drainScheduled === undefined) {
        this.#drainScheduled = setImmediate(() => {
          this.#drainScheduled = undefined;
          this.#drain();
        });
      }
    });
  }

  /** Handles every queued frame now, without waiting for the scheduled turn (on stop). */
  drainNow(): void {
    if (this.#drainScheduled !== undefined) clearImmediate(this.#drainScheduled);
    this.#drainScheduled = undefined;
    this.#drain();
  }

  /** Handles every queued inbound frame now (batches of INBOUND_BATCH_MAX). */
  #drain(): void {
    while (this.#inq.length > 0) {
      const batch = this.#inq.splice(0, INBOUND_BATCH_MAX);
      try {
        this.#init.receive(batch.map((b) => b.wire));
      } catch (error) {
        // Nothing of the batch was stored or acknowledged: the contact sends the same bytes again.
        this.#init.logger.warn('message.receive_failed', {
          code: (error as { code?: string }).code ?? 'unknown',
        });
      } finally {
        for (const b of batch) b.done();
      }
    }
  }
}

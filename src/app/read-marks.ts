/**
 * Read marks (unread counts) with their writes batched: `markRead` takes effect in memory at once and is
 * written at most once per READ_FLUSH_MS (and on stop), so a conversation open while messages stream in
 * costs no commit per message. Losing the last second of read marks in a crash only shows a message as
 * unread again. Knows nothing about sessions or the network.
 */
import type { ChatStore } from '../store/chat-store.ts';
import type { SqlAccess } from '../store/sql-access.ts';
import { READ_FLUSH_MS } from './constants.ts';

export class ReadMarks {
  readonly #chat: ChatStore;
  readonly #sql: SqlAccess;
  /** conversation id → the seq read up to, not yet written. */
  readonly #pending = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(chat: ChatStore, sql: SqlAccess) {
    this.#chat = chat;
    this.#sql = sql;
  }

  markRead(conversationId: string): void {
    this.#pending.set(conversationId, this.#chat.maxSeq(conversationId));
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, READ_FLUSH_MS);
      this.#timer.unref?.();
    }
  }

  unread(conversationId: string): number {
    const seq = this.#pending.get(conversationId);
    return seq === undefined
      ? this.#chat.unread(conversationId)
      : this.#chat.unreadAfter(conversationId, seq);
  }

  /** Drops a removed conversation's pending mark. */
  forget(conversationId: string): void {
    this.#pending.delete(conversationId);
  }

  /** Writes the pending marks (one commit); called by the timer and on stop. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const marks = [...this.#pending];
    this.#sql.transaction('writing read marks', () => {
      for (const [id, seq] of marks) this.#chat.setReadSeq(id, seq);
    });
    for (const [id, seq] of marks) if (this.#pending.get(id) === seq) this.#pending.delete(id);
  }
}

/**
 * A Peer's outgoing queue items and their sealing (docs/messaging.md, "The Peer"): the in-memory mirror
 * of one outbox row, the plaintext payload of a text or an address update, and the step that encrypts,
 * in order, the queued items that have no wire bytes yet (bob before alice's first message) on the
 * tentative session it is given, writing each item's wire in the caller's transaction. Knows nothing
 * about routes, timers or when the transaction runs (`Peer.advance` runs it).
 */
import { fromHex } from '../crypto/bytes.ts';
import { encodePayload, textPayload } from '../protocol/payload.ts';
import type { OutboxKind } from '../store/chat-store.ts';
import type { MessagingContext } from './messaging-context.ts';
import type { SessionCursor } from './session-cursor.ts';

/** One outbox row in memory: its wire bytes once encrypted (they are resent as they are). */
export interface QueuedItem {
  readonly id: string;
  readonly kind: OutboxKind;
  readonly createdAt: number;
  wire: Uint8Array | undefined;
}

/** The payload of an outgoing text, encoded. */
export function textPlaintext(id: string, text: string, createdAt: number): Uint8Array {
  return encodePayload(textPayload(text, fromHex(id), createdAt));
}

/** The payload of an outgoing address update, encoded. */
export function addressPlaintext(id: string, body: Uint8Array, createdAt: number): Uint8Array {
  return encodePayload({ type: 'addressUpdate', id: fromHex(id), timestampMs: createdAt, body });
}

/** What sealing produced: wire bytes by item id, and items dropped because their message row is gone. */
export interface Sealed {
  readonly produced: Map<string, Uint8Array>;
  readonly orphans: string[];
}

/** Encrypts, in order, the items without wire bytes on `session`, inside the caller's transaction. */
export function sealQueuedInTx(
  ctx: MessagingContext,
  contactId: string,
  session: SessionCursor,
  items: readonly QueuedItem[],
): Sealed {
  const sealed: Sealed = { produced: new Map(), orphans: [] };
  for (const item of items) {
    if (item.wire !== undefined) continue;
    let plaintext: Uint8Array;
    if (item.kind === 'text') {
      const message = ctx.chat.message(item.id);
      if (!message) {
        // The message row is gone (cannot happen through the API): drop the orphan item.
        ctx.chat.dequeue(item.id, contactId);
        sealed.orphans.push(item.id);
        continue;
      }
      plaintext = textPlaintext(item.id, message.body, item.createdAt);
    } else {
      const stored = ctx.chat.outboxItem(item.id);
      plaintext = addressPlaintext(item.id, stored?.payload ?? new Uint8Array(0), item.createdAt);
    }
    const wire = session.encrypt(plaintext);
    ctx.chat.setWire(item.id, wire);
    sealed.produced.set(item.id, wire);
  }
  return sealed;
}

/**
 * A Peer's outgoing queue items and their sealing (docs/messaging.md, "The Peer"): the in-memory mirror
 * of the outbox rows, the plaintext payload of a text or an address update, the steps that queue a text
 * or an address update (encrypted at once when the session can send) and that encrypt, in order, the
 * queued items that have no wire bytes yet (bob before alice's first message) — each on the tentative
 * session it is given, writing its rows in the caller's transaction — and which items the window lets
 * the pump send. Knows nothing about timers, receipts or when a transaction runs (`Peer.advance` runs it).
 */
import { fromHex } from '../crypto/bytes.ts';
import { encodePayload, textPayload } from '../protocol/payload.ts';
import type { ChatStore, OutboxKind } from '../store/chat-store.ts';
import type { MessageView } from './api.ts';
import { OUTBOX_BATCH } from './constants.ts';
import type { MessagingContext } from './messaging-context.ts';
import type { DeliveryRoute } from './route.ts';
import type { SessionCursor } from './session-cursor.ts';

/** Unacknowledged items in flight per contact before the pump waits for receipts. */
const WINDOW = 4 * OUTBOX_BATCH;

/** One outbox row in memory: its wire bytes once encrypted (they are resent as they are). */
export interface QueuedItem {
  readonly id: string;
  readonly kind: OutboxKind;
  readonly createdAt: number;
  wire: Uint8Array | undefined;
}

/** The contact's outbox rows as the in-memory queue, oldest first. */
export function loadQueue(chat: ChatStore, contactId: string): Map<string, QueuedItem> {
  const queue = new Map<string, QueuedItem>();
  for (const r of chat.outbox(contactId, Number.MAX_SAFE_INTEGER)) {
    queue.set(r.id, { id: r.id, kind: r.kind, createdAt: r.createdAt, wire: r.wire ?? undefined });
  }
  return queue;
}

/** The payload of an outgoing text, encoded. */
function textPlaintext(id: string, text: string, createdAt: number): Uint8Array {
  return encodePayload(textPayload(text, fromHex(id), createdAt));
}

/** The payload of an outgoing address update, encoded. */
function addressPlaintext(id: string, body: Uint8Array, createdAt: number): Uint8Array {
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

/** Encrypts a newly queued item at once and stores its wire, when the session can send now. */
function sealIfReady(
  ctx: MessagingContext,
  session: SessionCursor,
  id: string,
  plaintext: () => Uint8Array,
): Uint8Array | undefined {
  if (!session.canSend) return undefined;
  const wire = session.encrypt(plaintext());
  ctx.chat.setWire(id, wire);
  return wire;
}

/** Stores a new outgoing text and its outbox item (with its wire when the session can send). */
export function queueTextInTx(
  ctx: MessagingContext,
  contactId: string,
  session: SessionCursor,
  text: { readonly id: string; readonly body: string; readonly createdAt: number },
): { readonly view: MessageView; readonly item: QueuedItem } {
  const { id, body, createdAt } = text;
  const m = ctx.chat.insertMessage({
    id,
    conversationId: contactId,
    direction: 'out',
    state: 'pending',
    createdAt,
    body,
  });
  ctx.chat.enqueue({ id, contactId, kind: 'text', createdAt });
  const wire = sealIfReady(ctx, session, id, () => textPlaintext(id, body, createdAt));
  return { view: { ...m.row, state: 'pending' } as MessageView, item: { id, kind: 'text', createdAt, wire } };
}

/** Stores an address update's outbox item, replacing one not yet encrypted (with its wire when it can). */
export function queueAddressInTx(
  ctx: MessagingContext,
  contactId: string,
  session: SessionCursor,
  update: { readonly id: string; readonly body: Uint8Array; readonly createdAt: number },
): QueuedItem {
  const { id, body, createdAt } = update;
  ctx.chat.dropStaleAddressUpdates(contactId);
  ctx.chat.enqueue({ id, contactId, kind: 'address', createdAt, payload: body });
  const wire = sealIfReady(ctx, session, id, () => addressPlaintext(id, body, createdAt));
  return { id, kind: 'address', createdAt, wire };
}

/** The address update's item committed: it replaces, in memory too, an update not yet encrypted. */
export function replaceAddressItem(queue: Map<string, QueuedItem>, item: QueuedItem): void {
  for (const [k, queued] of queue)
    if (queued.kind === 'address' && queued.wire === undefined) queue.delete(k);
  queue.set(item.id, item);
}

/**
 * The items the pump sends next through the route ranked `rankNow`, oldest first: within the first
 * WINDOW items, at most OUTBOX_BATCH of those not in flight or waiting in a later route than this one
 * (in the contact's mailbox while the contact can now be reached directly).
 */
export function dueItems(
  queue: ReadonlyMap<string, QueuedItem>,
  takenBy: (id: string) => DeliveryRoute | undefined,
  rank: (route: DeliveryRoute) => number,
  rankNow: number,
): QueuedItem[] {
  const due: QueuedItem[] = [];
  let seen = 0;
  for (const item of queue.values()) {
    if (++seen > WINDOW || due.length >= OUTBOX_BATCH) break;
    const taken = takenBy(item.id);
    if (!taken || rank(taken) > rankNow) due.push(item);
  }
  return due;
}

/**
 * The step of a Peer's receive transaction (docs/messaging.md, "Commits per message"): for one batch
 * of inbound ratchet frames, on the tentative session it is given, drops retransmissions (acknowledged
 * again), decrypts, stores texts, dequeues what receipts acknowledge, applies address updates, and
 * encrypts the one receipt (in chunks of MAX_RECEIPT_IDS) for what it stored — all inside the caller's
 * transaction. Returns what the Peer applies in memory once it committed. Undecryptable or malformed
 * frames are logged and dropped, never thrown at the contact. Knows nothing about the Peer's queue,
 * routes, timers or when the transaction runs (`Peer.advance` runs it).
 */
import { toHex } from '../crypto/bytes.ts';
import { sha256Hash } from '../crypto/primitives.ts';
import { UnknownPayloadTypeError } from '../protocol/errors.ts';
import { decodePayload, encodePayload, newMessageId, payloadText } from '../protocol/payload.ts';
import type { ContactRow } from '../store/contacts-store.ts';
import {
  type AddressChange,
  type AddressUpdateHooks,
  receiveAddressUpdateInTx,
} from './address-update-receive.ts';
import type { MessageView } from './api.ts';
import type { MessagingContext } from './messaging-context.ts';
import {
  decodeReceiptBody,
  encodeReceiptBody,
  inboundMessageId,
  MAX_RECEIPT_IDS,
} from './messaging-payload.ts';
import type { SessionCursor } from './session-cursor.ts';

/** What one receive transaction did, for the Peer to apply in memory after the commit. */
export interface ReceivedBatch {
  /** Texts stored (new ones only). */
  readonly received: MessageView[];
  /** Own outbox items a receipt acknowledged (dequeued). */
  readonly delivered: string[];
  /** Of those, the texts now marked delivered. */
  readonly deliveredTexts: Set<string>;
  /** The sealed receipt frames to send. */
  readonly receiptWires: Uint8Array[];
  /** What address updates changed. */
  readonly addresses: AddressChange;
}

/** Runs inside the receive transaction on the tentative `session`; `row` is the contact's current row. */
export function receiveFramesInTx(
  ctx: MessagingContext,
  hooks: AddressUpdateHooks,
  row: ContactRow,
  session: SessionCursor,
  wires: readonly Uint8Array[],
  now: number,
): ReceivedBatch {
  const contactId = row.id;
  const out: ReceivedBatch = {
    received: [],
    delivered: [],
    deliveredTexts: new Set<string>(),
    receiptWires: [],
    addresses: { contact: row, newAddrs: undefined },
  };
  const owe: string[] = [];
  for (const wire of wires) {
    const hash = toHex(sha256Hash(wire));
    const seen = ctx.chat.seen(hash);
    if (seen) {
      // A retransmission of something already stored: acknowledge again, change nothing.
      if (seen.contactId === contactId) owe.push(seen.remoteId);
      continue;
    }
    let plaintext: Uint8Array;
    try {
      plaintext = session.decrypt(wire);
    } catch (error) {
      ctx.logger.info('message.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
      continue;
    }
    let payload: ReturnType<typeof decodePayload>;
    try {
      payload = decodePayload(plaintext);
    } catch (error) {
      ctx.logger.info('message.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
      // A type from a newer pvt decrypted fine: keep the session step and acknowledge it, or the
      // sender would retransmit it forever. Its content is skipped.
      if (error instanceof UnknownPayloadTypeError && error.messageId) {
        const remoteId = toHex(error.messageId);
        ctx.chat.addSeen(hash, contactId, remoteId, now);
        owe.push(remoteId);
      }
      continue;
    }
    const remoteId = toHex(payload.id);
    switch (payload.type) {
      case 'text': {
        const r = ctx.chat.insertMessage({
          id: inboundMessageId(contactId, remoteId),
          conversationId: contactId,
          direction: 'in',
          state: 'delivered',
          createdAt: now,
          body: payloadText(payload),
        });
        ctx.chat.addSeen(hash, contactId, remoteId, now);
        owe.push(remoteId);
        if (r.inserted) out.received.push({ ...r.row, state: 'delivered' });
        break;
      }
      case 'receipt': {
        let ids: string[] = [];
        try {
          ids = decodeReceiptBody(payload.body);
        } catch (error) {
          ctx.logger.info('receipt.dropped', { code: (error as { code?: string }).code ?? 'unknown' });
        }
        for (const id of ids) {
          if (!ctx.chat.dequeue(id, contactId)) continue;
          out.delivered.push(id);
          if (ctx.chat.setMessageState(id, 'delivered')) out.deliveredTexts.add(id);
        }
        break;
      }
      case 'addressUpdate': {
        receiveAddressUpdateInTx(ctx, hooks, row, payload.body, out.addresses);
        ctx.chat.addSeen(hash, contactId, remoteId, now);
        owe.push(remoteId);
        break;
      }
      case 'control':
        ctx.chat.addSeen(hash, contactId, remoteId, now);
        owe.push(remoteId);
        break;
    }
  }
  // The receipt's ratchet step commits with what it acknowledges: it needs no commit of its own.
  const unique = [...new Set(owe)];
  if (unique.length > 0 && session.canSend) {
    for (let i = 0; i < unique.length; i += MAX_RECEIPT_IDS) {
      const body = encodeReceiptBody(unique.slice(i, i + MAX_RECEIPT_IDS));
      out.receiptWires.push(
        session.encrypt(
          encodePayload({ type: 'receipt', id: newMessageId(ctx.rng), timestampMs: now, body }),
        ),
      );
    }
  }
  return out;
}

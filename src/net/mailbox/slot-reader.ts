/**
 * Reading slots of one mailbox (docs/mailbox.md, "Reading slots"): what every reader of a mailbox does —
 * the mailbox route emptying a contact's slots, an offline join reading its join slots — fetch the
 * slots' envelopes through a session, open each with the direction's envelope key and its slot's epoch,
 * reassemble fragments into whole payloads, and name for each payload the envelopes it came in. It
 * deletes nothing by itself: the reader deletes (`deleteEnvelopes`) what it has durably acted on, so a
 * crash in between only costs a second read. Knows nothing about what the payloads mean.
 */
import { toHex } from '../../crypto/bytes.ts';
import { openEnvelope, Reassembler } from '../../protocol/mailbox/envelope.ts';
import type { MailboxSession } from './client.ts';

/** A slot to read: the epoch its envelopes are sealed for, and its capabilities. */
export interface ReadableSlot {
  readonly epoch: number;
  readonly fetchCap: Uint8Array;
  readonly deleteCap: Uint8Array;
}

/** One envelope in a mailbox: its slot (index into the slots read) and its hash (what deletes it). */
export interface EnvelopeRef {
  readonly slot: number;
  readonly hash: Uint8Array;
}

/** A whole payload, and the envelopes it came in. */
export interface SlotPayload {
  readonly payload: Uint8Array;
  readonly envelopes: readonly EnvelopeRef[];
}

export interface SlotRead {
  /** Whole payloads, in slot order then arrival order (of their last fragment). */
  readonly payloads: SlotPayload[];
  /** Envelopes that did not open (wrong key, damaged, malformed): the reader may delete them. */
  readonly unreadable: EnvelopeRef[];
  /** Envelopes fetched, whole or not. */
  readonly fetched: number;
}

/**
 * Fetches every envelope of `slots` from the session's mailbox and reassembles them. A payload whose
 * fragments are not all there yet is left out (its envelopes stay in the mailbox and are read again
 * whole later); `onUnreadable` hears the code of each envelope that did not open.
 */
export async function readSlots(
  session: MailboxSession,
  slots: readonly ReadableSlot[],
  envelopeKey: Uint8Array,
  onUnreadable: (code: string) => void = () => {},
): Promise<SlotRead> {
  const got = await session.fetch(slots.map((s) => s.fetchCap));
  const payloads: SlotPayload[] = [];
  const unreadable: EnvelopeRef[] = [];
  // One reassembler per slot, and the envelopes of each message (per slot and message id).
  const reassemblers = new Map<number, Reassembler>();
  const parts = new Map<string, EnvelopeRef[]>();
  for (const g of got) {
    const slot = slots[g.slot];
    if (!slot) continue;
    const ref = { slot: g.slot, hash: g.hash };
    let fragment: ReturnType<typeof openEnvelope>;
    try {
      fragment = openEnvelope(envelopeKey, slot.epoch, g.envelope);
    } catch (error) {
      unreadable.push(ref);
      onUnreadable(String((error as { code?: unknown }).code ?? 'error'));
      continue;
    }
    const key = `${g.slot}:${toHex(fragment.messageId)}`;
    const refs = parts.get(key) ?? [];
    refs.push(ref);
    parts.set(key, refs);
    let reassembler = reassemblers.get(g.slot);
    if (!reassembler) {
      reassembler = new Reassembler();
      reassemblers.set(g.slot, reassembler);
    }
    const payload = reassembler.add(fragment);
    if (!payload) continue;
    parts.delete(key);
    payloads.push({ payload, envelopes: refs });
  }
  return { payloads, unreadable, fetched: got.length };
}

/** Deletes envelopes from their slots (one request per slot, by hash); how many the mailbox still had. */
export async function deleteEnvelopes(
  session: MailboxSession,
  slots: readonly ReadableSlot[],
  envelopes: Iterable<EnvelopeRef>,
): Promise<number> {
  const bySlot = new Map<number, Uint8Array[]>();
  for (const e of envelopes) {
    const list = bySlot.get(e.slot) ?? [];
    list.push(e.hash);
    bySlot.set(e.slot, list);
  }
  let count = 0;
  for (const [i, hashes] of bySlot) {
    const slot = slots[i];
    if (slot) count += await session.delete(slot.deleteCap, hashes);
  }
  return count;
}

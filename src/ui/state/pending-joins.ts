/**
 * The offline joins in progress (docs/protocol/mailbox.md, "Offline join") as the TUI shows them: the
 * list read from `pendingJoins()`, kept current by `join-pending` (added, or moved on a step) and
 * `join-ended` (gone: completed — the contact arrives with `contact-added` — failed or expired) events.
 * Oldest first, like `pendingJoins()`. Pure; knows nothing about Ink, the PvtApi calls or how a join runs.
 */
import type { PendingJoinView, PvtEvent } from '../../app/api.ts';

export type PendingJoinsAction =
  | { readonly type: 'loaded'; readonly joins: readonly PendingJoinView[] }
  | { readonly type: 'event'; readonly event: PvtEvent };

const bySince = (a: PendingJoinView, b: PendingJoinView): number => a.since - b.since;

/** True for the events that change the list (a load that overlapped one must be read again). */
export function isJoinEvent(event: PvtEvent): boolean {
  return event.type === 'join-pending' || event.type === 'join-ended';
}

export function reducePendingJoins(
  state: readonly PendingJoinView[],
  action: PendingJoinsAction,
): readonly PendingJoinView[] {
  if (action.type === 'loaded') return [...action.joins].sort(bySince);
  const { event } = action;
  if (event.type === 'join-pending') {
    const { join } = event;
    const rest = state.filter((j) => j.id !== join.id);
    return [...rest, join].sort(bySince);
  }
  if (event.type === 'join-ended') {
    return state.some((j) => j.id === event.id) ? state.filter((j) => j.id !== event.id) : state;
  }
  return state;
}

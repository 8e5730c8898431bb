/**
 * An offline join in progress (PendingJoinView) in words for the TUI — the contacts pane's dimmed rows
 * and the `/contacts` panel: who is being joined (the name sanitized and cut) and what it waits for.
 * Pure; knows nothing about Ink or how the join runs.
 */
import type { PendingJoinView } from '../../app/api.ts';
import { sanitizeLine, truncate, wrapText } from './text.ts';

/** A name longer than this is cut with "…" (the sentence must stay readable in a narrow pane). */
const NAME_CELLS = 20;

export function pendingJoinText(p: PendingJoinView): string {
  if (p.role === 'inviter') return 'someone is joining with your invite… (answering through your mailbox)';
  const who = p.name === null ? 'joining…' : `joining ${truncate(sanitizeLine(p.name), NAME_CELLS)}…`;
  if (p.step === 'waiting-for-inviter') return `${who} (waiting in the inviter's mailbox)`;
  const code = p.sas === null ? '' : `code ${sanitizeLine(p.sas)}; `;
  return `${who} (${code}waiting for the inviter's confirmation)`;
}

/** The notice for an offline join that ended without a contact (`join-ended` with a `failure`). */
export function endedJoinText(failure: string, join: PendingJoinView | undefined): string {
  const why = sanitizeLine(failure);
  if (join?.role === 'inviter') return `A join with your invite ended without a contact: ${why}.`;
  const who = join?.name ? truncate(sanitizeLine(join.name), NAME_CELLS) : 'the inviter';
  return `Joining ${who} ended without a contact: ${why}.`;
}

/** The text wrapped into rows of at most `width` cells (at least one row). */
export function pendingJoinRows(p: PendingJoinView, width: number): string[] {
  const rows = wrapText(pendingJoinText(p), Math.max(1, width));
  return rows.length > 0 ? rows : [''];
}

/**
 * How the CLI says an offline join in progress (PendingJoinView) in one line: `pvt contacts` and
 * `pvt status` list them. Knows nothing about how the join runs.
 */
import type { PendingJoinView } from '../../app/api.ts';
import { sanitizeLine } from '../../text/sanitize.ts';

export function describePendingJoin(p: PendingJoinView): string {
  if (p.role === 'inviter')
    return 'someone is joining with one of your invites… (answering through your mailbox)';
  const name = p.name === null ? 'the inviter' : sanitizeLine(p.name);
  if (p.step === 'waiting-for-inviter') return `joining ${name}… (waiting in the inviter's mailbox)`;
  return `joining ${name}… (SAS ${p.sas ?? '?'}; waiting for the inviter's confirmation in its mailbox)`;
}

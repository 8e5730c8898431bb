/**
 * `pvt contacts`: the contact list with verification mark, path badge and fingerprint, then the code
 * (SAS) still to compare for each new contact not yet verified (a join finished in the background,
 * after Ctrl+C on `pvt join`, must show it somewhere), then the offline joins in progress (text only;
 * `--json` prints the contacts alone, with `sas`; `pvt status --json` lists the joins).
 */
import type { ContactView } from '../../app/api.ts';
import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';
import { describePendingJoin } from '../util/pending-joins.ts';

export function verificationMark(c: ContactView): string {
  return c.verification === 'verified' ? '✓' : c.verification === 'rejected' ? '✗' : '?';
}

/** A name as a shell argument the user can paste (quoted when it holds anything but safe characters). */
function quoteName(name: string): string {
  return /^[\p{L}\p{N}._-]+$/u.test(name) ? name : `'${name.replaceAll("'", "'\\''")}'`;
}

export const contactsCommand: CommandSpec = {
  name: 'contacts',
  summary: 'list your contacts (✓ verified, ? not yet compared, ✗ rejected)',
  usage: ['pvt contacts [--json]'],
  details:
    'For each new contact not yet verified, the code (SAS) to compare and how to confirm it. Then the joins in progress through an inviter\'s mailbox ("joining NAME… (waiting in the inviter\'s mailbox)"); --json prints the contacts only, with "sas" (pvt status --json lists the joins).',
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    const [contacts, pending] = await withPvt(ctx, (api) =>
      Promise.all([api.contacts(), api.pendingJoins()]),
    );
    if (ctx.json) {
      ctx.stdout.write(`${JSON.stringify(contacts)}\n`);
      return 0;
    }
    const joining = pending.map((p) => `… ${describePendingJoin(p)}\n`).join('');
    if (contacts.length === 0) {
      ctx.stdout.write(joining || 'no contacts yet — invite someone with: pvt invite\n');
      return 0;
    }
    const names = contacts.map((c) => sanitizeLine(c.name));
    const width = Math.max(...names.map((n) => n.length));
    for (const [i, c] of contacts.entries()) {
      ctx.stdout.write(`${verificationMark(c)} ${names[i]!.padEnd(width)}  ${c.fingerprint}  ${c.path}\n`);
    }
    for (const [i, c] of contacts.entries()) {
      if (c.verification !== 'unverified' || !c.sas) continue;
      ctx.stdout.write(
        `compare this code with ${names[i]}: ${sanitizeLine(c.sas)} — if it matches: pvt verify ${quoteName(names[i]!)} --confirm (else --reject)\n`,
      );
    }
    ctx.stdout.write(joining);
    return 0;
  },
};

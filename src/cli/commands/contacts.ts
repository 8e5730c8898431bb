/**
 * `pvt contacts`: the contact list with verification mark, path badge and fingerprint.
 */
import type { ContactView } from '../../app/api.ts';
import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';

export function verificationMark(c: ContactView): string {
  return c.verification === 'verified' ? '✓' : c.verification === 'rejected' ? '✗' : '?';
}

export const contactsCommand: CommandSpec = {
  name: 'contacts',
  summary: 'list your contacts (✓ verified, ? not yet compared, ✗ rejected)',
  usage: ['pvt contacts [--json]'],
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    const contacts = await withPvt(ctx, (api) => api.contacts());
    if (ctx.json) {
      ctx.stdout.write(`${JSON.stringify(contacts)}\n`);
      return 0;
    }
    if (contacts.length === 0) {
      ctx.stdout.write('no contacts yet — invite someone with: pvt invite\n');
      return 0;
    }
    const names = contacts.map((c) => sanitizeLine(c.name));
    const width = Math.max(...names.map((n) => n.length));
    for (const [i, c] of contacts.entries()) {
      ctx.stdout.write(`${verificationMark(c)} ${names[i]!.padEnd(width)}  ${c.fingerprint}  ${c.path}\n`);
    }
    return 0;
  },
};

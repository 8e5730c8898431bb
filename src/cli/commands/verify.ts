/**
 * `pvt verify NAME`: confirms or rejects a contact after comparing the SAS, or shows the 60-digit safety
 * number (and its QR code) for comparing later.
 */

import { sanitizeLine } from '../../text/sanitize.ts';
import { renderQr } from '../../ui/qr.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';
import { contactArg } from '../util/contact-arg.ts';

export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary: 'confirm/reject a contact after comparing the SAS, or show the safety number',
  usage: ['pvt verify NAME --confirm', 'pvt verify NAME --reject', 'pvt verify NAME [--json]'],
  details: 'Without --confirm/--reject it prints the safety number: compare all 60 digits with the contact.',
  flags: { confirm: { type: 'boolean', default: false }, reject: { type: 'boolean', default: false } },
  complete: ['contact'],
  flagHelp: [
    ['--confirm', 'the SAS codes matched: mark the contact verified (✓)'],
    ['--reject', 'the SAS codes differed: mark the contact as not trusted; chat is refused'],
  ],
  async run(ctx, input, flags) {
    if (input.length !== 1) throw new UsageError('expected one NAME');
    const name = input[0] as string;
    if (flags.confirm === true && flags.reject === true)
      throw new UsageError('use either --confirm or --reject');
    if (flags.confirm === true || flags.reject === true) {
      const decision = flags.confirm === true ? 'confirm' : 'reject';
      const verified = await withPvt(ctx, async (api) =>
        api.verifyContact((await contactArg(api, name)).id, decision),
      );
      const contact = { ...verified, name: sanitizeLine(verified.name) };
      if (ctx.json) ctx.stdout.write(`${JSON.stringify(verified)}\n`);
      else if (decision === 'confirm') ctx.stdout.write(`✓ ${contact.name} is verified\n`);
      else {
        ctx.stdout.write(
          `✗ ${contact.name} is marked as not trusted: the codes differed, so someone may have intercepted the join.\n` +
            '  Chat with this contact is refused. Remove it and invite again in person.\n',
        );
      }
      return 0;
    }
    const [number, stored] = await withPvt(ctx, async (api) => {
      const { id } = await contactArg(api, name);
      return Promise.all([api.safetyNumber(id), api.contact(id)]);
    });
    if (ctx.json) {
      ctx.stdout.write(
        `${JSON.stringify({ name, safetyNumber: number, verification: stored.verification, sas: stored.sas ?? null })}\n`,
      );
      return 0;
    }
    const contact = { ...stored, name: sanitizeLine(stored.name) };
    if (contact.verification === 'unverified' && contact.sas) {
      ctx.stdout.write(
        `${contact.name} is not verified yet. The code (SAS) from your join: ${contact.sas}\n` +
          `Compare it with ${contact.name}, then: pvt verify ${contact.name} --confirm (or --reject)\n\n`,
      );
    }
    ctx.stdout.write(`Safety number with ${contact.name} (compare all 60 digits):\n\n`);
    const groups = number.split(' ');
    for (let i = 0; i < groups.length; i += 4) ctx.stdout.write(`  ${groups.slice(i, i + 4).join('  ')}\n`);
    ctx.stdout.write('\n');
    if (ctx.stdout.isTTY)
      for (const line of renderQr(number.replace(/ /g, ''), { color: ctx.color }))
        ctx.stdout.write(`${line}\n`);
    return 0;
  },
};

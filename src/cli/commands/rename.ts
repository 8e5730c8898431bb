/**
 * `pvt rename OLD NEW`: changes the local name of a contact (only you see it).
 */

import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';
import { contactArg } from '../util/contact-arg.ts';

export const renameCommand: CommandSpec = {
  name: 'rename',
  summary: 'rename a contact (the name is local to you)',
  usage: ['pvt rename OLD NEW'],
  flags: {},
  complete: ['contact'],
  flagHelp: [],
  async run(ctx, input) {
    if (input.length !== 2) throw new UsageError('expected OLD and NEW names');
    const contact = await withPvt(ctx, async (api) =>
      api.renameContact((await contactArg(api, input[0] as string)).id, input[1] as string),
    );
    if (ctx.json) ctx.stdout.write(`${JSON.stringify(contact)}\n`);
    else ctx.stdout.write(`renamed ${sanitizeLine(input[0] as string)} to ${sanitizeLine(contact.name)}\n`);
    return 0;
  },
};

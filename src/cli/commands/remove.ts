/**
 * `pvt remove NAME`: forgets a contact, its session and its conversation, after confirmation.
 */
import { createInterface } from 'node:readline/promises';
import { AppError } from '../../app/errors.ts';
import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';
import { contactArg } from '../util/contact-arg.ts';

export const removeCommand: CommandSpec = {
  name: 'remove',
  summary: 'forget a contact and its conversation (asks first; --yes skips)',
  usage: ['pvt remove NAME [--yes]'],
  flags: { yes: { type: 'boolean', shortFlag: 'y', default: false } },
  complete: ['contact'],
  flagHelp: [['-y, --yes', 'do not ask for confirmation']],
  async run(ctx, input, flags) {
    if (input.length !== 1) throw new UsageError('expected one NAME');
    const name = input[0] as string;
    if (flags.yes !== true) {
      if (!ctx.stdin.isTTY) throw new UsageError('refusing to remove without confirmation: add --yes');
      const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
      const answer = await rl.question(`Remove ${name} and delete your conversation with them? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) throw new AppError('Cancelled', 'nothing removed');
    }
    await withPvt(ctx, async (api) => api.removeContact((await contactArg(api, name)).id));
    if (ctx.json) ctx.stdout.write(`${JSON.stringify({ removed: name })}\n`);
    else ctx.stdout.write(`removed ${sanitizeLine(name)}\n`);
    return 0;
  },
};

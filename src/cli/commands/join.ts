/**
 * `pvt join CODE`: joins with an invite code (dials the inviter, runs the post-quantum handshake) and
 * shows the short authentication string (SAS) to compare with the inviter.
 */

import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';

export const joinCommand: CommandSpec = {
  name: 'join',
  summary: 'join someone with their invite code and show the code (SAS) to compare',
  usage: ['pvt join CODE [--name ALIAS]'],
  details: [
    'The code may contain spaces, dashes and line breaks; case does not matter. Quote it in the shell.',
    'After joining, compare the 6-digit SAS with the inviter (in person or on a call), then run',
    '"pvt verify NAME --confirm" when they match, or "pvt verify NAME --reject" when they do not.',
  ].join('\n'),
  flags: { name: { type: 'string' } },
  flagHelp: [['--name ALIAS', 'your local name for the inviter (default: the name they announce)']],
  async run(ctx, input, flags) {
    if (input.length === 0) throw new UsageError('missing CODE');
    const code = input.join(' ');
    const alias = typeof flags.name === 'string' ? flags.name : undefined;
    if (!ctx.json) ctx.stderr.write('Joining (dialling the inviter, post-quantum handshake)…\n');
    const result = await withPvt(ctx, (api) => api.join(code, alias === undefined ? {} : { alias }), {
      network: true,
    });
    if (ctx.json) {
      ctx.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const c = { ...result.contact, name: sanitizeLine(result.contact.name) };
      ctx.stdout.write(
        [
          `joined ${c.name} (${c.fingerprint})`,
          '',
          `  SAS: ${result.sas}`,
          '',
          `Compare this code with ${c.name}. If it matches: pvt verify ${c.name} --confirm`,
          `If it does not match, someone may be intercepting: pvt verify ${c.name} --reject`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};

/**
 * `pvt join CODE`: joins with an invite code (dials the inviter, runs the post-quantum handshake) and
 * shows the short authentication string (SAS) to compare with the inviter.
 */

import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { promptHidden } from '../passphrase.ts';
import { withPvt } from '../session.ts';
import { readStdin } from '../util/stdin.ts';

export const joinCommand: CommandSpec = {
  name: 'join',
  summary: 'join someone with their invite code and show the code (SAS) to compare',
  usage: ['pvt join [--name ALIAS]', 'pvt join [--name ALIAS] < FILE', 'pvt join CODE [--name ALIAS]'],
  details: [
    'Without CODE, pvt asks for it without echo (in a terminal) or reads it from stdin: the code is a',
    'secret until it is used, and on the command line other local users can read it (/proc/PID/cmdline)',
    'and it stays in the shell history. The code may contain spaces, dashes and line breaks; case does',
    'not matter.',
    'After joining, compare the 6-digit SAS with the inviter (in person or on a call), then run',
    '"pvt verify NAME --confirm" when they match, or "pvt verify NAME --reject" when they do not.',
  ].join('\n'),
  flags: { name: { type: 'string' } },
  flagHelp: [['--name ALIAS', 'your local name for the inviter (default: the name they announce)']],
  async run(ctx, input, flags) {
    const fromStdin = input.length === 0 || (input.length === 1 && input[0] === '-');
    const code = !fromStdin
      ? input.join(' ')
      : ctx.stdin.isTTY
        ? await promptHidden(ctx, 'Invite code (not shown): ', () => new UsageError('missing CODE'))
        : await readStdin(ctx.stdin);
    if (code.trim().length === 0) throw new UsageError('missing CODE');
    const alias = typeof flags.name === 'string' ? flags.name : undefined;
    if (!ctx.json) {
      ctx.stderr.write(
        'Joining (dialling the inviter, post-quantum handshake; if the inviter is offline, the request waits in their mailbox)…\n',
      );
    }
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

/**
 * `pvt note TEXT`: appends a note to the self conversation ("-" reads the text from stdin).
 */
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';
import { readStdin } from '../util/stdin.ts';

export const noteCommand: CommandSpec = {
  name: 'note',
  summary: 'write a note to yourself (stored encrypted)',
  usage: ['pvt note TEXT', 'pvt note -          (reads the text from stdin)'],
  details: 'Use "--" before a text that starts with a dash: pvt note -- "-5 degrees"',
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    if (input.length === 0) throw new UsageError('missing TEXT');
    const text = input.length === 1 && input[0] === '-' ? await readStdin(ctx.stdin) : input.join(' ');
    const message = await withPvt(ctx, (api) => api.sendNote(text.replace(/\r?\n$/, '')));
    if (ctx.json) ctx.stdout.write(`${JSON.stringify(message)}\n`);
    else ctx.stdout.write(`note #${message.seq} stored\n`);
    return 0;
  },
};

/**
 * `pvt join CODE`: joins with an invite code (dials the inviter, runs the post-quantum handshake) and
 * shows the short authentication string (SAS) to compare with the inviter.
 */

import type { JoinResult, PvtApi, PvtEvent } from '../../app/api.ts';
import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandContext, type CommandSpec, UsageError } from '../command.ts';
import { promptHidden } from '../passphrase.ts';
import { withPvt } from '../session.ts';
import { EXIT_INTERRUPTED } from '../util/exit-codes.ts';
import { readStdin } from '../util/stdin.ts';

/** Said on stderr when the join falls back to the inviter's mailbox (docs/protocol/mailbox.md). */
export const JOIN_WAITING_LINE =
  'the inviter is away: your request waits in its mailbox — you can press Ctrl+C, pvt finishes the join when the inviter comes online';

/**
 * Runs the join, saying so when it waits in the inviter's mailbox; Ctrl+C then stops waiting (null)
 * while the join itself goes on (in the daemon, or the next time pvt runs with the network).
 */
function joinWatching(
  ctx: CommandContext,
  api: PvtApi,
  code: string,
  alias: string | undefined,
): Promise<JoinResult | null> {
  return new Promise((resolve, reject) => {
    let waiting = false;
    const unsubscribe = api.subscribe((event: PvtEvent) => {
      if (event.type !== 'join-pending' || event.join.role !== 'joiner' || waiting) return;
      waiting = true;
      ctx.stderr.write(`${JOIN_WAITING_LINE}\n`);
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigint);
    });
    function done() {
      unsubscribe();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    function onSigint() {
      done();
      ctx.stderr.write(
        'stopped waiting; the join is kept: pvt finishes it when the inviter comes online, while pvt runs (the daemon, or your next pvt session) — "pvt contacts" lists it meanwhile\n',
      );
      resolve(null);
    }
    api.join(code, alias === undefined ? {} : { alias }).then(
      (r) => {
        done();
        resolve(r);
      },
      (e: unknown) => {
        done();
        reject(e);
      },
    );
  });
}

export const joinCommand: CommandSpec = {
  name: 'join',
  summary: 'join someone with their invite code and show the code (SAS) to compare',
  usage: ['pvt join [--name ALIAS]', 'pvt join [--name ALIAS] < FILE', 'pvt join CODE [--name ALIAS]'],
  details: [
    'Without CODE, pvt asks for it without echo (in a terminal) or reads it from stdin: the code is a',
    'secret until it is used, and on the command line other local users can read it (/proc/PID/cmdline)',
    'and it stays in the shell history. The code may contain spaces, dashes and line breaks; case does',
    'not matter.',
    'When the inviter cannot be reached and the invite names mailboxes, the request waits there: pvt',
    'says so, and Ctrl+C then only stops waiting: the join is kept (across restarts) and completes when',
    'the inviter comes online, while pvt runs (the daemon, or the next pvt session); "pvt contacts"',
    'lists it meanwhile.',
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
    const result = await withPvt(ctx, (api) => joinWatching(ctx, api, code, alias), { network: true });
    if (result === null) return EXIT_INTERRUPTED;
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

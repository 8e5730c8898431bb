/**
 * `pvt mailbox add|remove|list|suggest|serve`: the mailboxes this user's contacts deposit into while the user is
 * away (add takes a daemon's address as `pvt status --json` prints it, /p2p/ included; at most two),
 * which ones could be added (`suggest`: contacts and known relays that serve one), and whether this
 * node keeps a mailbox for others (`serve on|off`, remembered by the profile and
 * applied at once to a running daemon; `pvt daemon --mailbox` serves for one run). Goes through the
 * daemon when one runs. Details: docs/mailbox.md.
 */
import type { MailboxesView, MailboxSuggestions } from '../../app/api.ts';
import { MAILBOX_RECOMMENDED } from '../../app/constants.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';

function render(v: MailboxesView): string {
  const lines: string[] = [];
  if (v.mine.length === 0) lines.push('your mailboxes: none (add one with: pvt mailbox add ADDRESS)');
  else {
    lines.push('your mailboxes:');
    for (const m of v.mine) lines.push(`  ${m.address}`);
  }
  if (v.mine.length < MAILBOX_RECOMMENDED) {
    lines.push(
      `at least ${MAILBOX_RECOMMENDED === 2 ? 'two' : MAILBOX_RECOMMENDED} mailboxes are recommended (one may be down when a contact deposits): see pvt mailbox suggest`,
    );
  }
  if (v.served) {
    lines.push(
      `serving a mailbox for others: yes — ${v.served.envelopes} of ${v.served.capacity} envelopes held, ${Math.round(v.served.diskBytes / 1024)} KiB on disk, proof of work ${v.served.difficulty} bits; since start ${v.served.storedSinceStart} stored, ${v.served.fetchedSinceStart} fetched`,
    );
  } else if (v.serveSetting)
    lines.push('serving a mailbox for others: yes, when the daemon runs (pvt daemon)');
  else lines.push('serving a mailbox for others: no (turn on with: pvt mailbox serve on)');
  return `${lines.join('\n')}\n`;
}

/** When a candidate was last reached, in words ("reached 3 min ago", "not reached in the last hour"). */
function reached(c: MailboxSuggestions['candidates'][number], nowMs: number): string {
  if (!c.reachable || c.reachedAt === null) return 'not reached in the last hour';
  const minutes = Math.max(0, Math.round((nowMs - c.reachedAt) / 60_000));
  return minutes === 0 ? 'reached just now' : `reached ${minutes} min ago`;
}

function renderSuggestions(v: MailboxSuggestions, nowMs: number): string {
  const lines: string[] = [];
  if (v.candidates.length === 0) {
    lines.push(
      'no mailbox to suggest: no contact said it serves one and no known relay offers one',
      '(a mailbox is any pvt daemon with pvt mailbox serve on; add its address with pvt mailbox add ADDRESS)',
    );
  } else {
    lines.push(`mailboxes you could add (you have ${v.chosen}; ${v.recommended} recommended):`);
    v.candidates.forEach((c, i) => {
      const from = c.from === 'contact' ? `contact ${c.contact ?? ''}`.trim() : 'relay';
      lines.push(`  ${i + 1}. ${from} · ${reached(c, nowMs)}`, `     ${c.address}`);
    });
    lines.push('add one with: pvt mailbox add ADDRESS');
  }
  return `${lines.join('\n')}\n`;
}

export const mailboxCommand: CommandSpec = {
  name: 'mailbox',
  summary: 'choose the mailboxes that keep messages for you while you are away; serve one for others',
  usage: [
    'pvt mailbox list [--json]',
    'pvt mailbox suggest [--json]',
    'pvt mailbox add ADDRESS',
    'pvt mailbox remove ADDRESS|PEERID',
    'pvt mailbox serve on|off',
  ],
  details: [
    'A mailbox is any pvt daemon that serves one (pvt daemon --mailbox, or pvt mailbox serve on). Its',
    'ADDRESS is one of the addresses "pvt status --json" prints on that machine (ending in /p2p/…).',
    'Your contacts learn your mailboxes inside the end-to-end encryption; the mailbox learns neither who',
    'deposits nor who fetches. At most two; two are recommended. "suggest" lists contacts that serve a',
    'mailbox reachable from outside and known relays that offer one, each with the ADDRESS to add.',
    'Details: docs/mailbox.md.',
  ].join('\n'),
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    const [verb, arg, extra] = input;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    let view: MailboxesView;
    switch (verb) {
      case undefined:
      case 'list':
        if (arg !== undefined) throw new UsageError(`unexpected argument "${arg}"`);
        view = await withPvt(ctx, (api) => api.mailboxes());
        break;
      case 'suggest': {
        if (arg !== undefined) throw new UsageError(`unexpected argument "${arg}"`);
        const suggestions = await withPvt(ctx, (api) => api.mailboxSuggestions());
        ctx.stdout.write(
          ctx.json ? `${JSON.stringify(suggestions)}\n` : renderSuggestions(suggestions, Date.now()),
        );
        return 0;
      }
      case 'add':
        if (arg === undefined) throw new UsageError('pvt mailbox add needs the ADDRESS of a mailbox');
        view = await withPvt(ctx, (api) => api.addMailbox(arg));
        break;
      case 'remove':
        if (arg === undefined)
          throw new UsageError('pvt mailbox remove needs the ADDRESS or PEERID of a mailbox');
        view = await withPvt(ctx, (api) => api.removeMailbox(arg));
        break;
      case 'serve':
        if (arg !== 'on' && arg !== 'off') throw new UsageError('pvt mailbox serve expects "on" or "off"');
        view = await withPvt(ctx, (api) => api.setMailboxServe(arg === 'on'));
        break;
      default:
        throw new UsageError(`unknown mailbox action "${verb}" (list, suggest, add, remove, serve)`);
    }
    ctx.stdout.write(ctx.json ? `${JSON.stringify(view)}\n` : render(view));
    return 0;
  },
};

/**
 * `pvt log NAME` / `pvt log --self`: prints a conversation (text or JSON); --follow keeps printing new
 * messages (and state changes with --json) until Ctrl+C.
 */
import type { MessageView, PvtApi } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import { MAX_MESSAGE_PAGE } from '../../app/constants.ts';
import { sanitizeBlock, sanitizeLine } from '../../text/sanitize.ts';
import { type CommandContext, type CommandSpec, UsageError } from '../command.ts';
import { openPvt } from '../session.ts';
import { contactArg } from '../util/contact-arg.ts';
import { EXIT_INTERRUPTED } from '../util/exit-codes.ts';

function stamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const STATE_MARK: Record<string, string> = {
  pending: '…',
  sent: '✓',
  delivered: '✓✓',
  failed: '✗',
  stored: '',
};

/**
 * One message as text. Everything from a contact (the body, the name) goes through the sanitizer: no
 * escape sequence reaches the terminal, and the lines after a body's first are indented by
 * CONTINUATION so no line of a message can pass for another message.
 */
export function line(m: MessageView, peer: string | undefined): string {
  const who = m.direction === 'in' ? sanitizeLine(peer ?? 'them') : 'me';
  const why = m.state === 'failed' && m.failure ? ` ${sanitizeLine(m.failure)}` : '';
  // 'stored' is a note's final state, but for a message to a contact it means: waiting in its mailbox.
  const symbol = m.state === 'stored' && peer !== undefined ? '✉ in their mailbox' : STATE_MARK[m.state];
  const mark = m.direction === 'out' && symbol ? `  ${symbol}${why}` : '';
  const body = sanitizeBlock(m.body, CONTINUATION);
  return peer === undefined
    ? `${stamp(m.createdAt)}  ${body}\n`
    : `${stamp(m.createdAt)}  ${who}: ${body}${mark}\n`;
}

/** The indent of a message's second and later lines (a timestamp never starts with "  │ "). */
const CONTINUATION = '                  │ ';

function follow(
  ctx: CommandContext,
  api: PvtApi,
  conversationId: string,
  peer: string | undefined,
): Promise<number> {
  return new Promise((resolve) => {
    const unsubscribe = api.subscribe((e) => {
      if (e.type === 'message' && e.message.conversationId === conversationId) {
        ctx.stdout.write(ctx.json ? `${JSON.stringify(e.message)}\n` : line(e.message, peer));
      } else if (e.type === 'message-state' && ctx.json) {
        ctx.stdout.write(`${JSON.stringify({ id: e.id, state: e.state, failure: e.failure })}\n`);
      }
    });
    const stop = () => {
      unsubscribe();
      resolve(EXIT_INTERRUPTED);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const logCommand: CommandSpec = {
  name: 'log',
  summary: 'print a conversation with a contact, or your notes (--self)',
  usage: ['pvt log NAME [--limit N] [--json] [--follow]', 'pvt log --self [--limit N] [--json]'],
  details:
    'With --json, prints one JSON array of messages (oldest first); with --follow, then one JSON object per line.',
  complete: ['contact'],
  flags: {
    self: { type: 'boolean', default: false },
    limit: { type: 'number', default: 200 },
    follow: { type: 'boolean', shortFlag: 'f', default: false },
  },
  flagHelp: [
    ['--self', 'your notes (the "Note to self" conversation)'],
    ['--limit N', `the N most recent messages (default 200, at most ${MAX_MESSAGE_PAGE})`],
    ['-f, --follow', 'keep printing new messages until Ctrl+C'],
  ],
  async run(ctx, input, flags) {
    if (flags.self === true && input.length > 0) throw new UsageError('use either NAME or --self');
    if (flags.self !== true && input.length !== 1)
      throw new UsageError('say which conversation: NAME or --self');
    const limit = flags.limit as number;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MESSAGE_PAGE) {
      throw new UsageError(`--limit expects an integer from 1 to ${MAX_MESSAGE_PAGE}, got ${flags.limit}`);
    }
    const name = flags.self === true ? undefined : (input[0] as string);
    const api = await openPvt(ctx, { network: flags.follow === true });
    try {
      let conversationId = SELF_CONVERSATION;
      let messages: MessageView[];
      if (name === undefined) messages = await api.messages(SELF_CONVERSATION, { limit });
      else {
        const contact = await contactArg(api, name);
        conversationId = contact.conversationId;
        messages = await api.contactMessages(contact.id, { limit });
      }
      if (ctx.json) ctx.stdout.write(`${JSON.stringify(messages)}\n`);
      else if (messages.length === 0 && flags.follow !== true) {
        ctx.stdout.write(
          name === undefined
            ? 'no notes yet — write one with: pvt note "text"\n'
            : `no messages with ${sanitizeLine(name)} yet\n`,
        );
      } else for (const m of messages) ctx.stdout.write(line(m, name));
      if (flags.follow === true) return await follow(ctx, api, conversationId, name);
      return 0;
    } finally {
      await api.close();
    }
  },
};

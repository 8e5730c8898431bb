/**
 * `pvt send NAME TEXT`: queues a message (durable before anything is sent). Through a daemon it
 * returns at once; without one it runs the node until the message is delivered, or until --wait runs
 * out, leaving it queued (pending) for the next time pvt runs — an offline contact is not an error.
 */
import type { MessageState, PvtEvent } from '../../app/api.ts';
import { connectDaemon } from '../../daemon/client.ts';
import { assertNotExported } from '../../store/profile-transfer.ts';
import { sanitizeLine } from '../../text/sanitize.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { launcherFor, openInProcess } from '../session.ts';
import { contactArg } from '../util/contact-arg.ts';
import { parseDuration } from '../util/duration.ts';
import { readStdin } from '../util/stdin.ts';

export const sendCommand: CommandSpec = {
  name: 'send',
  summary: 'send a message to a contact (without TEXT, or with "-", reads it from stdin)',
  usage: ['pvt send NAME [--wait 15s] [--json] < FILE', 'pvt send NAME TEXT'],
  details: [
    'The message is stored before it is sent and delivered when the contact is reachable: now, or later',
    'when pvt runs again (a daemon keeps trying). Exit 0 means stored; the state says how far it got.',
    'Prefer stdin: TEXT on the command line is visible to other local users (/proc/PID/cmdline) and',
    'stays in the shell history. Stdin must be UTF-8; it is sent byte-exact except one final line break.',
  ].join('\n'),
  flags: { wait: { type: 'string', default: '15s' } },
  complete: ['contact'],
  flagHelp: [
    ['--wait DURATION', 'without a daemon: how long to wait for delivery (default 15s; 0 = do not wait)'],
  ],
  async run(ctx, input, flags) {
    if (input.length < 1) throw new UsageError('expected NAME (and the text on stdin)');
    const [name, ...rest] = input as [string, ...string[]];
    const fromStdin = rest.length === 0 || (rest.length === 1 && rest[0] === '-');
    if (fromStdin && ctx.stdin.isTTY)
      ctx.stderr.write('type the message, then Ctrl+D on a line of its own\n');
    const text = fromStdin ? await readStdin(ctx.stdin) : rest.join(' ');
    if (text.length === 0) throw new UsageError('the message is empty; nothing was sent');
    const waitMs = String(flags.wait) === '0' ? 0 : parseDuration('--wait', String(flags.wait));
    // An exported profile queues nothing either: its outbox would never leave (issue 14).
    assertNotExported(ctx.dataDir, ctx.profile);
    const daemon = await connectDaemon({ profileDir: launcherFor(ctx).dataDir });
    const api = daemon ?? (await openInProcess(ctx, { network: waitMs > 0 }));
    try {
      let state: MessageState = 'pending';
      let id = '';
      const delivered = new Promise<void>((resolve) => {
        const unsubscribe = api.subscribe((e: PvtEvent) => {
          if (e.type === 'message-state' && e.id === id) {
            state = e.state;
            if (state === 'delivered' || state === 'failed') {
              unsubscribe();
              resolve();
            }
          }
        });
      });
      const contactId = (await contactArg(api, name)).id;
      const message = await api.send(contactId, text);
      id = message.id;
      state = message.state;
      if (!daemon && waitMs > 0 && state !== 'delivered') {
        await Promise.race([delivered, new Promise((r) => setTimeout(r, waitMs).unref())]);
      }
      // Events may have raced the send's own resolution: read the stored state to be sure.
      const stored = (await api.contactMessages(contactId, { limit: 50 })).find((m) => m.id === id);
      if (stored) state = stored.state;
      const shown = sanitizeLine(name);
      if (ctx.json) ctx.stdout.write(`${JSON.stringify({ ...message, state })}\n`);
      else if (state === 'delivered') ctx.stdout.write(`delivered to ${shown}\n`);
      else if (daemon) ctx.stdout.write(`queued for ${shown}; the daemon delivers it\n`);
      else
        ctx.stdout.write(
          `queued for ${shown} (${state}); it goes out when ${shown} is reachable and pvt runs\n`,
        );
      return 0;
    } finally {
      await api.close();
    }
  },
};

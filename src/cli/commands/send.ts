/**
 * `pvt send NAME TEXT`: queues a message (durable before anything is sent). Through a daemon it
 * returns at once; without one it runs the node until the message is delivered, or until --wait runs
 * out, leaving it queued (pending) for the next time pvt runs — an offline contact is not an error.
 */
import type { MessageState, PvtEvent } from '../../app/api.ts';
import { connectDaemon } from '../../daemon/client.ts';
import { assertNotExported } from '../../store/profile-transfer.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { contactArg } from '../contact-arg.ts';
import { launcherFor, openInProcess } from '../session.ts';
import { parseDuration } from '../util/duration.ts';
import { readStdin } from '../util/stdin.ts';

export const sendCommand: CommandSpec = {
  name: 'send',
  summary: 'send a message to a contact ("-" reads it from stdin)',
  usage: ['pvt send NAME TEXT [--wait 15s] [--json]', 'pvt send NAME -'],
  details: [
    'The message is stored before it is sent and delivered when the contact is reachable: now, or later',
    'when pvt runs again (a daemon keeps trying). Exit 0 means stored; the state says how far it got.',
  ].join('\n'),
  flags: { wait: { type: 'string', default: '15s' } },
  complete: ['contact'],
  flagHelp: [
    ['--wait DURATION', 'without a daemon: how long to wait for delivery (default 15s; 0 = do not wait)'],
  ],
  async run(ctx, input, flags) {
    if (input.length < 2) throw new UsageError('expected NAME and TEXT');
    const [name, ...rest] = input as [string, ...string[]];
    const text =
      rest.length === 1 && rest[0] === '-'
        ? (await readStdin(ctx.stdin)).replace(/\r?\n$/, '')
        : rest.join(' ');
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
      if (ctx.json) ctx.stdout.write(`${JSON.stringify({ ...message, state })}\n`);
      else if (state === 'delivered') ctx.stdout.write(`delivered to ${name}\n`);
      else if (daemon) ctx.stdout.write(`queued for ${name}; the daemon delivers it\n`);
      else
        ctx.stdout.write(
          `queued for ${name} (${state}); it goes out when ${name} is reachable and pvt runs\n`,
        );
      return 0;
    } finally {
      await api.close();
    }
  },
};

/**
 * `pvt stop`: asks the profile's daemon to shut down (the `daemon.stop` request, authenticated by the
 * cookie) and waits until its socket is gone and its process has exited.
 */
import { stopDaemon } from '../../daemon/control.ts';
import { DaemonNotRunningError } from '../../daemon/errors.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { launcherFor } from '../session.ts';

export const stopCommand: CommandSpec = {
  name: 'stop',
  summary: 'stop the daemon of this profile',
  usage: ['pvt stop [--json]'],
  details: 'Exits 1 when no daemon runs for the profile.',
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    const stopped = await stopDaemon({ profileDir: launcherFor(ctx).dataDir });
    if (!stopped) throw new DaemonNotRunningError(ctx.profile);
    if (ctx.json)
      ctx.stdout.write(`${JSON.stringify({ profile: ctx.profile, stopped: true, pid: stopped.pid })}\n`);
    else ctx.stdout.write(`stopped the daemon of profile "${ctx.profile}" (pid ${stopped.pid})\n`);
    return 0;
  },
};

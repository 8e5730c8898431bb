/**
 * `pvt chat` (and plain `pvt`): opens the TUI over the profile launcher with the network running (the
 * global --port, --no-mdns, --loopback, --no-port-mapping flags apply; the first time, the TUI asks
 * whether pvt may open a port on the router), or attached to the profile's running daemon (no unlock
 * prompt, the daemon's network; quitting leaves the daemon running; a daemon restart is survived).
 */
import { attachedLauncher } from '../../daemon/attach.ts';
import { connectDaemonReconnecting } from '../../daemon/reconnect.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { readPassphraseFile } from '../passphrase.ts';
import { launcherFor, networkOptions } from '../session.ts';

export const chatCommand: CommandSpec = {
  name: 'chat',
  summary: 'open the chat TUI (the default command)',
  usage: ['pvt chat [--no-bell]', 'pvt'],
  details:
    'First run: onboarding (display name, key protection). The first time the node would open a port on ' +
    'your router (PCP, NAT-PMP, UPnP) it asks once; --no-port-mapping skips it for a run. Press ? or type ' +
    '/help inside for key bindings.',
  flags: { bell: { type: 'boolean', default: true } },
  flagHelp: [['--no-bell', 'no terminal bell on new messages']],
  async run(ctx, input, flags) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
      throw new UsageError('the chat TUI needs a terminal; for scripts use pvt note / pvt log --json');
    }
    const { runTui } = await import('../../ui/run-tui.tsx');
    const launcher = launcherFor(ctx);
    // Attached to a daemon, the TUI reconnects by itself when the daemon restarts.
    const daemon = await connectDaemonReconnecting({ profileDir: launcher.dataDir });
    const options = {
      launcher: daemon ? attachedLauncher(launcher, daemon) : launcher,
      ...(daemon ? {} : { network: networkOptions(ctx, 'ask') }),
      color: ctx.color,
      bell: flags.bell !== false,
      ...(ctx.passphraseFile ? { initialPassphrase: readPassphraseFile(ctx.passphraseFile) } : {}),
    };
    return runTui(options);
  },
};

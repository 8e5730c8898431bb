/**
 * `pvt completion bash|zsh|fish`: prints a completion script generated from the command table, so
 * every command and flag (also ones added later) completes. `pvt completion --contacts` is what the
 * scripts call at TAB time: the contact names of the profile's running daemon, one per line, and
 * nothing (exit 0) when no daemon runs — completion never unlocks a profile or asks for a passphrase.
 */
import { connectDaemon } from '../../daemon/client.ts';
import { profileDir } from '../../store/paths.ts';
import { type CommandContext, type CommandSpec, UsageError } from '../command.ts';
import { bashScript } from '../completion/bash.ts';
import { fishScript } from '../completion/fish.ts';
import { completionModel } from '../completion/model.ts';
import { zshScript } from '../completion/zsh.ts';
import { GLOBAL_FLAG_HELP, GLOBAL_FLAGS } from '../global-flags.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
/** A daemon that does not answer within this time gives no names (TAB must not hang). */
const CONTACTS_TIMEOUT_MS = 2_000;

/** A name that fits one line of the --contacts output (no control characters, no line breaks). */
const PRINTABLE = /^\P{Cc}+$/u;

async function printContacts(ctx: CommandContext): Promise<number> {
  const api = await connectDaemon({ profileDir: profileDir(ctx.dataDir, ctx.profile) }).catch(
    () => undefined,
  );
  if (!api) return 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    const contacts = await Promise.race([
      api.contacts(),
      new Promise<[]>((resolve) => {
        timer = setTimeout(() => resolve([]), CONTACTS_TIMEOUT_MS);
      }),
    ]);
    const names = contacts.map((c) => c.name).filter((n) => PRINTABLE.test(n));
    if (names.length > 0) ctx.stdout.write(`${names.join('\n')}\n`);
  } catch {
    // A daemon on its way out: no names.
  } finally {
    clearTimeout(timer);
    await api.close().catch(() => {});
  }
  return 0;
}

export const completionCommand: CommandSpec = {
  name: 'completion',
  summary: 'print the shell completion script (bash, zsh or fish)',
  usage: ['pvt completion bash|zsh|fish', 'pvt completion --contacts'],
  details: [
    'bash:  pvt completion bash > ~/.local/share/bash-completion/completions/pvt',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh syntax, printed as is
    'zsh:   pvt completion zsh > "${fpath[1]}/_pvt"',
    'fish:  pvt completion fish > ~/.config/fish/completions/pvt.fish',
    'Contact names complete from the running daemon (pvt daemon); without one, nothing is offered.',
  ].join('\n'),
  flags: { contacts: { type: 'boolean', default: false } },
  flagHelp: [['--contacts', "the running daemon's contact names, one per line (what the scripts call)"]],
  complete: [SHELLS],
  async run(ctx, input, flags) {
    if (flags.contacts === true) {
      if (input.length > 0) throw new UsageError('--contacts takes no argument');
      return printContacts(ctx);
    }
    const shell = input[0];
    if (input.length !== 1 || !SHELLS.includes(shell as (typeof SHELLS)[number])) {
      throw new UsageError(`say which shell: ${SHELLS.join(', ')}`);
    }
    // The table imports this command, so it is loaded when needed rather than at module load.
    const { COMMANDS } = await import('./index.ts');
    const model = completionModel(COMMANDS, GLOBAL_FLAGS, GLOBAL_FLAG_HELP);
    const script =
      shell === 'bash'
        ? bashScript(model, ctx.version)
        : shell === 'zsh'
          ? zshScript(model, ctx.version)
          : fishScript(model, ctx.version);
    ctx.stdout.write(script);
    return 0;
  },
};

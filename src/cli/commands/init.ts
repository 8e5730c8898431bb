/**
 * `pvt init`: creates an identity without the TUI. Protection: the passphrase from --passphrase-file
 * when given, else the OS keychain when it answers, else a passphrase asked twice on the terminal.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../app/errors.ts';
import { DB_FILE } from '../../store/constants.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { chooseNewProtection } from '../passphrase.ts';
import { launcherFor } from '../session.ts';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'create your identity without opening the TUI',
  usage: ['pvt init --name NAME [--passphrase-file FILE] [--json]'],
  details: [
    'Keys are protected by the passphrase in --passphrase-file when given, else by the OS keychain',
    'when one answers, else by a passphrase you type twice. The display name is only sent to contacts.',
  ].join('\n'),
  flags: { name: { type: 'string' } },
  flagHelp: [['--name NAME', 'your display name (1–64 characters)']],
  async run(ctx, input, flags) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    const name = typeof flags.name === 'string' ? flags.name.trim() : '';
    if (name.length === 0) throw new UsageError('missing --name NAME');
    const launcher = launcherFor(ctx);
    const state = await launcher.inspect();
    if (state.state === 'present') {
      throw new AppError(
        'ProfileExists',
        `profile "${ctx.profile}" already has an identity (${launcher.dataDir})`,
      );
    }
    const protection = await chooseNewProtection(ctx, () => launcher.keychainAvailable(), {
      prompt: 'New passphrase (no keychain on this machine): ',
      nothingDone: 'nothing was created',
    });
    if (!ctx.json) {
      ctx.stderr.write(
        protection.kind === 'passphrase'
          ? 'Creating identity (tuning Argon2id key derivation, about a second)…\n'
          : 'Creating identity (key in the OS keychain)…\n',
      );
    }
    if (existsSync(join(launcher.dataDir, DB_FILE))) {
      ctx.stderr.write(
        `note: ${join(launcher.dataDir, DB_FILE)} has no key.json; it is kept, renamed ${DB_FILE}.orphan-…, and a new identity is created beside it (restore key.json instead to keep the old one)\n`,
      );
    }
    const api = await launcher.create({ displayName: name, protection });
    try {
      const info = await api.profile();
      if (ctx.json) ctx.stdout.write(`${JSON.stringify(info)}\n`);
      else ctx.stdout.write(`created ${info.displayName} (${info.fingerprint}) in ${info.dataDir}\n`);
    } finally {
      await api.close();
    }
    return 0;
  },
};

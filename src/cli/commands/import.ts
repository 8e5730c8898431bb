/**
 * `pvt import FILE`: restores a profile from a `pvt export` file on this machine (into a profile that
 * has no identity yet) — identity, contacts and their sessions, settings, history if exported. The new
 * copy protects its keys like `pvt init`: --passphrase-file, else the OS keychain, else a passphrase
 * asked twice. The old copy was frozen by the export, so this one is the only one in use.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../../app/errors.ts';
import { importProfile } from '../../store/profile-transfer.ts';
import { systemRng } from '../../store/system-rng.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { chooseNewProtection } from '../passphrase.ts';
import { launcherFor } from '../session.ts';
import { readSecret } from '../util/transfer-secret.ts';

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'restore a profile from a file written by pvt export',
  usage: ['pvt import FILE [--export-passphrase-file FILE] [--passphrase-file FILE]'],
  details: [
    'Asks for the export passphrase (or --export-passphrase-file). The profile must have no identity yet',
    '(use --profile NAME for another one). Keys are then protected like pvt init: --passphrase-file,',
    'else the OS keychain, else a new passphrase asked twice.',
  ].join('\n'),
  flags: { exportPassphraseFile: { type: 'string' } },
  flagHelp: [['--export-passphrase-file FILE', 'read the export passphrase from FILE (else asked)']],
  complete: ['file'],
  async run(ctx, input, flags) {
    if (input.length !== 1) throw new UsageError('expected one FILE (written by pvt export)');
    const file = input[0] as string;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (error) {
      throw new AppError('ImportFileUnreadable', `cannot read ${file}: ${(error as Error).message}`);
    }
    const launcher = launcherFor(ctx);
    if ((await launcher.inspect()).state === 'present') {
      throw new AppError(
        'ProfileExists',
        `profile "${ctx.profile}" already has an identity (${launcher.dataDir}); import into another one with --profile NAME`,
      );
    }
    const exportPassphrase = await readSecret(ctx, flags.exportPassphraseFile, 'Export passphrase');
    const protection = await chooseNewProtection(ctx, () => launcher.keychainAvailable(), {
      prompt: 'New passphrase for this machine (no keychain): ',
      nothingDone: 'nothing was imported',
    });
    if (!ctx.json) ctx.stderr.write('Opening the export and protecting the keys on this machine…\n');
    const header = await importProfile({
      dataDir: ctx.dataDir,
      profile: ctx.profile,
      bytes,
      exportPassphrase,
      protection,
      rng: systemRng,
    });
    const api = await launcher.open(
      protection.kind === 'passphrase'
        ? { passphrase: protection.passphrase, network: false }
        : { network: false },
    );
    try {
      const info = await api.profile();
      if (ctx.json)
        ctx.stdout.write(
          `${JSON.stringify({ ...info, exportedAt: header.createdAt, history: header.history })}\n`,
        );
      else
        ctx.stdout.write(
          `imported ${info.displayName} (${info.fingerprint}) into ${info.dataDir}, exported ${new Date(header.createdAt).toISOString()}${header.history ? '' : ' without history'}\n`,
        );
    } finally {
      await api.close();
    }
    return 0;
  },
};

/**
 * `pvt export --out FILE`: writes this profile (identity, contacts with their sessions, settings, and
 * the history unless --no-history) to a file sealed under an export passphrase, for `pvt import` on
 * another machine; then freezes this copy (it neither sends nor receives) so the two copies never both
 * advance the same ratchet sessions. `pvt export --resume` lifts the freeze on this copy instead.
 * Needs the profile to itself: a running daemon is stopped first (pvt stop).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../../app/errors.ts';
import { ProfileInUseError } from '../../store/errors.ts';
import { exportProfile, readExportFreeze, resumeExportedProfile } from '../../store/profile-transfer.ts';
import { systemRng } from '../../store/system-rng.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { passphraseForUnlock } from '../passphrase.ts';
import { launcherFor } from '../session.ts';
import { newSecret } from '../util/transfer-secret.ts';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'seal this profile into a file for another machine (then this copy stops sending)',
  usage: ['pvt export --out FILE [--no-history] [--export-passphrase-file FILE]', 'pvt export --resume'],
  details: [
    'The file holds your identity, contacts (with their encrypted sessions), settings and, unless',
    '--no-history, your messages; it is sealed under an export passphrase (asked twice, or',
    '--export-passphrase-file). Restore it with "pvt import FILE" on the other machine.',
    'After the export this copy neither sends nor receives: two copies advancing the same sessions would',
    'break them. If you keep using this copy instead, run "pvt export --resume" and do not import the file.',
    'Stop the daemon first (pvt stop).',
  ].join('\n'),
  flags: {
    out: { type: 'string' },
    history: { type: 'boolean', default: true },
    exportPassphraseFile: { type: 'string' },
    resume: { type: 'boolean', default: false },
  },
  flagHelp: [
    ['--out FILE', 'where to write the sealed file (never overwritten)'],
    ['--no-history', 'leave the messages out (those not yet sent stay in)'],
    ['--export-passphrase-file FILE', 'read the export passphrase from FILE (else asked twice)'],
    ['--resume', 'keep using this copy: lift the freeze of an earlier export (then never import it)'],
  ],
  async run(ctx, input, flags) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    if (flags.resume === true) {
      if (flags.out !== undefined) throw new UsageError('use either --out FILE or --resume');
      const lifted = resumeExportedProfile(ctx.dataDir, ctx.profile);
      ctx.stdout.write(
        lifted
          ? `this copy of "${ctx.profile}" is in use again; do not import the export you made from it\n`
          : `"${ctx.profile}" was not frozen by an export\n`,
      );
      return 0;
    }
    if (typeof flags.out !== 'string' || flags.out === '') throw new UsageError('missing --out FILE');
    const out = resolve(flags.out);
    const launcher = launcherFor(ctx);
    const state = await launcher.inspect();
    if (state.state === 'absent') {
      throw new AppError('ProfileNotFound', `no identity in profile "${ctx.profile}" (${launcher.dataDir})`);
    }
    if (readExportFreeze(ctx.dataDir, ctx.profile)) {
      throw new AppError(
        'ProfileExported',
        'this profile was already exported; export again only from the copy in use (pvt export --resume first if this is it)',
      );
    }
    const exportPassphrase = await newSecret(ctx, flags.exportPassphraseFile, 'Export passphrase');
    const passphrase = state.keyProtection === 'passphrase' ? await passphraseForUnlock(ctx) : undefined;
    const history = flags.history !== false;
    if (!ctx.json) ctx.stderr.write('Sealing the export (Argon2id key derivation, about a second)…\n');
    try {
      const exportId = await exportProfile({
        dataDir: ctx.dataDir,
        profile: ctx.profile,
        ...(passphrase === undefined ? {} : { passphrase }),
        exportPassphrase,
        history,
        rng: systemRng,
        nowMs: Date.now(),
        save: (bytes) => writeFileSync(out, bytes, { mode: 0o600, flag: 'wx' }),
      });
      if (ctx.json) ctx.stdout.write(`${JSON.stringify({ file: out, exportId, history })}\n`);
      else
        ctx.stdout.write(
          `exported "${ctx.profile}" to ${out}${history ? '' : ' (without history)'}\n` +
            'This copy now neither sends nor receives. On the new machine: pvt import FILE\n',
        );
      return 0;
    } catch (error) {
      if (error instanceof ProfileInUseError) {
        throw new AppError('ProfileInUse', `${error.message}: stop its daemon first (pvt stop), then export`);
      }
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AppError('OutputExists', `${out} exists; pvt export never overwrites a file`);
      }
      throw error;
    }
  },
};

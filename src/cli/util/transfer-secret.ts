/**
 * The export passphrase of `pvt export` / `pvt import`: from --export-passphrase-file (env
 * PVT_EXPORT_PASSPHRASE_FILE) or asked on the terminal (twice for a new one). Never echoed or logged.
 */
import { AppError } from '../../app/errors.ts';
import type { CommandContext } from '../command.ts';
import { promptPassphrase, readPassphraseFile } from '../passphrase.ts';

const MIN_EXPORT_PASSPHRASE_CHARS = 8;

function fileOf(flag: unknown): string | undefined {
  if (typeof flag === 'string' && flag !== '') return flag;
  return process.env.PVT_EXPORT_PASSPHRASE_FILE || undefined;
}

/** The passphrase that opens an existing export. */
export async function readSecret(ctx: CommandContext, flag: unknown, label: string): Promise<string> {
  const file = fileOf(flag);
  if (file) return readPassphraseFile(file);
  return promptPassphrase(ctx, `${label}: `);
}

/** A new export passphrase: asked twice unless read from a file; at least 8 characters. */
export async function newSecret(ctx: CommandContext, flag: unknown, label: string): Promise<string> {
  const file = fileOf(flag);
  let secret: string;
  if (file) secret = readPassphraseFile(file);
  else {
    secret = await promptPassphrase(ctx, `${label}: `);
    const again = await promptPassphrase(ctx, `Repeat ${label.toLowerCase()}: `);
    if (again !== secret)
      throw new AppError('PassphraseMismatch', 'the two passphrases differ; nothing was written');
  }
  if ([...secret].length < MIN_EXPORT_PASSPHRASE_CHARS) {
    throw new AppError(
      'PassphraseTooShort',
      `export passphrase too short: use at least ${MIN_EXPORT_PASSPHRASE_CHARS} characters`,
    );
  }
  return secret;
}

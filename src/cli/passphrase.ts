/**
 * Where a command gets the key passphrase from: --passphrase-file / PVT_PASSPHRASE_FILE, or a masked
 * prompt on the terminal; and how a new profile's keys are protected (`pvt init`, `pvt import`). Never
 * echoes, logs or stores the passphrase.
 */
import { readFileSync, statSync } from 'node:fs';
import type { ProtectionChoice } from '../app/api.ts';
import { AppError } from '../app/errors.ts';
import type { CommandContext } from './command.ts';

const MIN_PASSPHRASE_CHARS = 8;

/**
 * The protection of a new profile's keys: the passphrase of --passphrase-file when given, else the OS
 * keychain when it answers, else a passphrase asked twice (`prompt` first). `nothingDone` ends the
 * mismatch error ("nothing was created").
 */
export async function chooseNewProtection(
  ctx: CommandContext,
  keychainAvailable: () => Promise<boolean>,
  wording: { readonly prompt: string; readonly nothingDone: string },
): Promise<ProtectionChoice> {
  let protection: ProtectionChoice;
  if (ctx.passphraseFile) {
    protection = { kind: 'passphrase', passphrase: readPassphraseFile(ctx.passphraseFile) };
  } else if (await keychainAvailable()) {
    protection = { kind: 'keychain' };
  } else {
    const first = await promptPassphrase(ctx, wording.prompt);
    const second = await promptPassphrase(ctx, 'Repeat passphrase: ');
    if (first !== second)
      throw new AppError('PassphraseMismatch', `the two passphrases differ; ${wording.nothingDone}`);
    protection = { kind: 'passphrase', passphrase: first };
  }
  if (protection.kind === 'passphrase' && [...protection.passphrase].length < MIN_PASSPHRASE_CHARS) {
    throw new AppError(
      'PassphraseTooShort',
      `passphrase too short: use at least ${MIN_PASSPHRASE_CHARS} characters`,
    );
  }
  return protection;
}

export class PassphraseUnavailableError extends AppError {
  constructor() {
    super(
      'PassphraseUnavailable',
      'this profile is protected by a passphrase: pass --passphrase-file FILE (or PVT_PASSPHRASE_FILE), or run in a terminal to be asked',
    );
  }
}

export function readPassphraseFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError(
      'PassphraseFileUnreadable',
      `cannot read passphrase file ${path}: ${(error as Error).message}`,
    );
  }
  // A passphrase file others can read protects nothing: say so (the file is still used).
  try {
    if ((statSync(path).mode & 0o077) !== 0) {
      process.stderr.write(
        `pvt: warning: passphrase file ${path} is readable by other users; run: chmod 600 ${path}\n`,
      );
    }
  } catch {
    // Read above; a race with its removal changes nothing here.
  }
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase.length === 0) throw new AppError('PassphraseFileEmpty', `passphrase file ${path} is empty`);
  return passphrase;
}

/** Asks on the terminal without echo. Rejects when stdin is not a terminal. */
export function promptPassphrase(ctx: CommandContext, prompt: string): Promise<string> {
  return promptHidden(ctx, prompt, () => new PassphraseUnavailableError());
}

/**
 * Reads one line from the terminal without echo (secrets: passphrases, invite codes), so they are
 * neither shown nor left in the shell history or in /proc/PID/cmdline. Rejects with `noTerminal()`
 * when stdin is not a terminal.
 */
export function promptHidden(ctx: CommandContext, prompt: string, noTerminal: () => Error): Promise<string> {
  const { stdin, stderr } = ctx;
  if (!stdin.isTTY) return Promise.reject(noTerminal());
  return new Promise((resolve, reject) => {
    let value = '';
    // Echo off before the prompt shows: keys typed as soon as it appears must never be echoed.
    stdin.setRawMode(true);
    stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new AppError('Interrupted', 'interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The passphrase for unlocking: the file when given, else a prompt. */
export async function passphraseForUnlock(ctx: CommandContext): Promise<string> {
  if (ctx.passphraseFile) return readPassphraseFile(ctx.passphraseFile);
  return promptPassphrase(ctx, 'Passphrase: ');
}

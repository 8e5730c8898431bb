/**
 * How the UI reads errors that cross the PvtApi: by `name`/`code` only (the UI never imports the
 * classes of the layers below), and turned into one clean line for the screen.
 */
import { sanitizeLine } from './format/text.ts';

function field(error: unknown, key: 'name' | 'code'): string | undefined {
  if (typeof error !== 'object' || error === null || !(key in error)) return undefined;
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

export function errorCode(error: unknown): string | undefined {
  return field(error, 'code');
}

/** The launcher rejects a wrong passphrase with WrongPassphraseError (code "WrongPassphrase"). */
export function isWrongPassphrase(error: unknown): boolean {
  const name = field(error, 'name');
  const code = field(error, 'code');
  return name === 'WrongPassphraseError' || name === 'WrongPassphrase' || code === 'WrongPassphrase';
}

export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return sanitizeLine(message).trim() || 'unknown error';
}

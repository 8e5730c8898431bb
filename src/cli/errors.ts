/**
 * Maps errors thrown by commands to a clear message on stderr (or a JSON object with --json) and an
 * exit code. Domain errors carry a stable `code`; anything else is reported as an internal error.
 */

import { sanitizeLine } from '../text/sanitize.ts';
import type { CommandContext } from './command.ts';
import { EXIT_FAILURE, EXIT_NO_PROFILE, EXIT_USAGE } from './util/exit-codes.ts';

/**
 * Errors about what the user typed (the text, a name): exit 2 like every other usage error, however
 * deep they were found (argv, stdin or the core), so like errors have like exit codes.
 */
const BAD_INPUT = new Set(['MessageTooLong', 'EmptyMessage', 'InvalidContactName', 'ContactNameTaken']);

interface CodedError extends Error {
  code?: unknown;
}

export function reportError(ctx: CommandContext, command: string, error: unknown): number {
  const e: CodedError = error instanceof Error ? error : new Error(String(error));
  const code = typeof e.code === 'string' ? e.code : 'InternalError';
  const known = typeof (e as CodedError).code === 'string';
  const message = sanitizeLine(known ? e.message : `internal error: ${e.message}`);
  if (ctx.json) {
    ctx.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
  } else {
    ctx.stderr.write(`pvt ${command}: ${message}\n`);
    if (!known && process.env.PVT_DEBUG) ctx.stderr.write(`${e.stack ?? ''}\n`);
  }
  if (code === 'ProfileNotFound') return EXIT_NO_PROFILE;
  return BAD_INPUT.has(code) ? EXIT_USAGE : EXIT_FAILURE;
}

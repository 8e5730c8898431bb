/**
 * Help text for `pvt --help` and `pvt <command> --help`, built from the command specs so the two can't
 * drift. Knows nothing about parsing or running commands.
 */
import type { CommandSpec } from './command.ts';
import { GLOBAL_FLAG_HELP } from './global-flags.ts';

function table(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`).join('\n');
}

export function mainHelp(commands: readonly CommandSpec[], version: string): string {
  return [
    `pvt ${version} — private, serverless, post-quantum messenger for the terminal`,
    '',
    'Usage',
    '  pvt [command] [flags]        (no command: opens the chat TUI)',
    '',
    'Commands',
    table(commands.map((c) => [c.name, c.summary])),
    '',
    'Global flags',
    table(GLOBAL_FLAG_HELP),
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage error, 3 no identity yet, 130 interrupted.',
    'Run "pvt <command> --help" for one command; "man pvt" for the manual.',
    '',
  ].join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const parts = ['Usage', ...spec.usage.map((u) => `  ${u}`), '', spec.summary];
  if (spec.details) parts.push('', spec.details);
  if (spec.flagHelp.length > 0) parts.push('', 'Flags', table(spec.flagHelp));
  parts.push('', 'Global flags', table(GLOBAL_FLAG_HELP), '');
  return parts.join('\n');
}

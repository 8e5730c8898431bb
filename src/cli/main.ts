/**
 * Entry point of the `pvt` command: finds the subcommand, parses flags with meow (unknown flags and
 * commands exit 2), resolves the global context and runs the command, mapping errors to exit codes.
 * Knows the command registry; knows nothing about how a command does its work.
 */
import meow from 'meow';
import { resolveDataDir } from '../store/paths.ts';
import { type CommandContext, type LogLevel, UsageError } from './command.ts';
import { COMMANDS, findCommand } from './commands/index.ts';
import { reportError } from './errors.ts';
import { GLOBAL_FLAGS, splitCommand } from './global-flags.ts';
import { commandHelp, mainHelp } from './help.ts';
import { EXIT_USAGE } from './util/exit-codes.ts';
import { PVT_VERSION } from './version.ts';

const pkg = { version: PVT_VERSION };

/**
 * A number or string flag given last or followed by another flag (`pvt log NAME --limit`), which meow
 * would quietly replace by its default; undefined when every such flag has its value.
 */
function flagWithoutValue(
  args: readonly string[],
  flags: Record<string, { readonly type?: string }>,
): string | undefined {
  const valued = new Set(
    Object.entries(flags)
      .filter(([, f]) => f.type === 'number' || f.type === 'string')
      .map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`),
  );
  for (const [i, a] of args.entries()) {
    if (a === '--') return undefined;
    const next = args[i + 1];
    if (valued.has(a) && (next === undefined || /^--?[A-Za-z]/.test(next))) return a;
  }
  return undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  const { command, rest } = splitCommand(argv);
  if (command === undefined && (rest.includes('--version') || rest.includes('-v'))) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (command === undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(mainHelp(COMMANDS, pkg.version));
    return 0;
  }
  const name = command ?? 'chat';
  const spec = findCommand(name);
  if (!spec) {
    process.stderr.write(`pvt: unknown command "${name}" — run "pvt --help" to list commands\n`);
    return EXIT_USAGE;
  }
  const missing = flagWithoutValue(rest, { ...GLOBAL_FLAGS, ...spec.flags });
  if (missing !== undefined) {
    process.stderr.write(`pvt ${name}: ${missing} expects a value\n  run "pvt ${name} --help" for usage\n`);
    return EXIT_USAGE;
  }
  let cli: ReturnType<typeof meow>;
  try {
    cli = meow({
      importMeta: import.meta,
      argv: rest,
      flags: { ...GLOBAL_FLAGS, ...spec.flags },
      autoHelp: false,
      autoVersion: false,
      allowUnknownFlags: false,
      pkg,
      description: false,
      help: commandHelp(spec),
    });
  } catch (error) {
    process.stderr.write(`pvt ${name}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const flags = cli.flags as Record<string, unknown>;
  if (flags.help === true) {
    process.stdout.write(commandHelp(spec));
    return 0;
  }
  if (flags.version === true) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const port = flags.port as number;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`pvt ${name}: --port expects 0..65535, got ${String(flags.port)}\n`);
    return EXIT_USAGE;
  }
  const ctx: CommandContext = {
    dataDir: resolveDataDir({ home: flags.home as string | undefined, env: process.env }),
    profile: flags.profile as string,
    passphraseFile:
      (flags.passphraseFile as string | undefined) ?? (process.env.PVT_PASSPHRASE_FILE || undefined),
    json: flags.json === true,
    color: flags.color !== false && !process.env.NO_COLOR,
    logLevel: flags.logLevel as LogLevel,
    network: {
      port,
      mdns: flags.mdns !== false,
      portMapping: flags.portMapping !== false && process.env.PVT_PORT_MAPPING !== '0',
      loopbackOnly: flags.loopback === true,
    },
    version: pkg.version,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
  };
  try {
    return await spec.run(ctx, cli.input, flags);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`pvt ${name}: ${error.message}\n  run "pvt ${name} --help" for usage\n`);
      return EXIT_USAGE;
    }
    return reportError(ctx, name, error);
  }
}

const code = await main(process.argv.slice(2));
// Flush stdout/stderr, then exit: libraries may leave timers behind (documented libp2p behaviour).
process.exitCode = code;
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);

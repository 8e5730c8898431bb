/**
 * The shape of a subcommand and the context every command receives (resolved global flags, output
 * streams). Owns no behaviour; knows nothing about argv parsing or the TUI.
 */
import type { AnyFlags } from 'meow';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface CommandContext {
  /** Resolved data directory (from --home, PVT_HOME or the platform default). */
  readonly dataDir: string;
  readonly profile: string;
  readonly passphraseFile: string | undefined;
  readonly json: boolean;
  readonly color: boolean;
  readonly logLevel: LogLevel;
  /** Node settings for commands that start the network in-process (no daemon). */
  readonly network: {
    readonly port: number;
    readonly mdns: boolean;
    readonly loopbackOnly: boolean;
    /** Port mapping on the router (PCP, NAT-PMP, UPnP); false with --no-port-mapping. */
    readonly portMapping: boolean;
  };
  readonly version: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/**
 * A positional argument for shell completion (`pvt completion`): a contact's local name (from the
 * running daemon), a file path, or one of fixed words.
 */
export type ArgCompletion = 'contact' | 'file' | readonly string[];

export interface CommandSpec {
  readonly name: string;
  /** One line for `pvt --help`. */
  readonly summary: string;
  /** Usage lines, e.g. "pvt note TEXT". */
  readonly usage: readonly string[];
  /** Longer text for `pvt <cmd> --help`. */
  readonly details?: string;
  /** Command-specific flags (merged with the global ones). */
  readonly flags: AnyFlags;
  readonly flagHelp: readonly (readonly [string, string])[];
  /** What shell completion offers for each positional argument, in order (absent: nothing). */
  readonly complete?: readonly ArgCompletion[];
  run(
    ctx: CommandContext,
    input: readonly string[],
    flags: Readonly<Record<string, unknown>>,
  ): Promise<number>;
}

/** A wrong invocation: printed with a hint and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

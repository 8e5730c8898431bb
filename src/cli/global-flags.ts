/**
 * The flags every command accepts, their help lines, and how they resolve against the environment
 * (PVT_HOME, PVT_PASSPHRASE_FILE, NO_COLOR). Knows nothing about individual commands.
 */
import type { AnyFlags } from 'meow';

export const GLOBAL_FLAGS = {
  home: { type: 'string' },
  profile: { type: 'string', default: 'default' },
  passphraseFile: { type: 'string' },
  json: { type: 'boolean', default: false },
  color: { type: 'boolean', default: true },
  logLevel: { type: 'string', choices: ['debug', 'info', 'warn', 'error'], default: 'info' },
  port: { type: 'number', default: 0 },
  mdns: { type: 'boolean', default: true },
  portMapping: { type: 'boolean', default: true },
  loopback: { type: 'boolean', default: false },
  help: { type: 'boolean', shortFlag: 'h', default: false },
  version: { type: 'boolean', shortFlag: 'v', default: false },
} as const satisfies AnyFlags;

/** Global flags that take a value (used to find the subcommand among the arguments). */
export const VALUE_FLAGS = new Set(['--home', '--profile', '--passphrase-file', '--log-level', '--port']);

export const GLOBAL_FLAG_HELP: readonly (readonly [string, string])[] = [
  ['--home DIR', 'data directory (env PVT_HOME; default: the platform data dir)'],
  ['--profile NAME', 'which identity on this machine (default: default)'],
  ['--passphrase-file FILE', 'read the key passphrase from FILE (env PVT_PASSPHRASE_FILE)'],
  ['--json', 'machine-readable output'],
  ['--no-color', 'no colours (also NO_COLOR=1)'],
  ['--log-level LEVEL', 'debug, info, warn or error (log file in <profile>/logs/)'],
  ['--port N', 'TCP port of the node (default: remembered, first time random)'],
  ['--no-mdns', 'no LAN discovery (mDNS)'],
  ['--no-port-mapping', 'no port mapping on the router (PCP, NAT-PMP, UPnP)'],
  ['--loopback', 'listen on 127.0.0.1 only (local tests and demos)'],
  ['-h, --help', 'show help (pvt <command> --help for one command)'],
  ['-v, --version', 'print the version'],
];

/** Splits argv into the subcommand name (first non-flag token, if any) and the remaining arguments. */
export function splitCommand(argv: readonly string[]): { command: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (VALUE_FLAGS.has(token)) i++;
      continue;
    }
    return { command: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: undefined, rest: [...argv] };
}

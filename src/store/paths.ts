/**
 * Where pvt keeps its data: the data directory (explicit --home, else PVT_HOME, else the platform data
 * dir) and the files of a profile inside it. Pure path logic: creates, reads and checks nothing on disk.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, win32 } from 'node:path';
import { DB_FILE, KEY_FILE, LOCK_FILE, LOG_FILE, LOGS_DIR } from './constants.ts';
import { InvalidProfileNameError } from './errors.ts';

export const DEFAULT_PROFILE = 'default';
const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface DataDirOptions {
  /** The `--home` flag; wins over everything. */
  readonly home?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform?: NodeJS.Platform;
  /** The user's home directory (default: os.homedir()). */
  readonly homeDir?: string;
}

/** The data directory: `--home`, else `$PVT_HOME`, else the platform's per-user data directory + `pvt`. */
export function resolveDataDir(o: DataDirOptions): string {
  if (o.home) return resolve(o.home);
  if (o.env.PVT_HOME) return resolve(o.env.PVT_HOME);
  const platform = o.platform ?? process.platform;
  const home = o.homeDir ?? homedir();
  if (platform === 'win32') {
    const local = o.env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
    return win32.join(local, 'pvt');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'pvt');
  // XDG: a relative $XDG_DATA_HOME is invalid and must be ignored.
  const xdg = o.env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share'), 'pvt');
}

export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

export function validateProfileName(name: string): string {
  if (typeof name !== 'string' || !PROFILE_NAME.test(name)) throw new InvalidProfileNameError(String(name));
  return name;
}

export function profileDir(dataDir: string, profile: string): string {
  return join(dataDir, 'profiles', validateProfileName(profile));
}

export interface ProfilePaths {
  readonly dataDir: string;
  readonly profilesDir: string;
  readonly dir: string;
  readonly db: string;
  readonly keyFile: string;
  readonly lock: string;
  readonly logs: string;
  readonly logFile: string;
}

export function profilePaths(dataDir: string, profile: string): ProfilePaths {
  const dir = profileDir(dataDir, profile);
  return {
    dataDir,
    profilesDir: join(dataDir, 'profiles'),
    dir,
    db: join(dir, DB_FILE),
    keyFile: join(dir, KEY_FILE),
    lock: join(dir, LOCK_FILE),
    logs: join(dir, LOGS_DIR),
    logFile: join(dir, LOGS_DIR, LOG_FILE),
  };
}

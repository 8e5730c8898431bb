/**
 * The file sink of the logger (src/log/logger.ts): JSON lines in `<profile>/logs/pvt.log` (0600,
 * directory 0700), rotated by size to pvt.log.1 … pvt.log.N. It cannot tell a secret from an id, so
 * callers pass only event names, ids, counts, sizes and error codes. Logging never throws and never
 * creates a profile.
 */
import { appendFileSync, chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_LEVEL_ORDER, type LogFields, type Logger, type LogLevel } from '../log/logger.ts';
import {
  FILE_MODE,
  LOG_DEFAULT_KEEP,
  LOG_DEFAULT_MAX_BYTES,
  LOG_FILE,
  LOG_LINES_PER_EVENT_PER_MINUTE,
  LOGS_DIR,
} from './constants.ts';
import { ensurePrivateDir } from './permissions.ts';

const RESERVED = new Set(['t', 'level', 'scope', 'event', 'suppressed']);

export interface FileLoggerOptions {
  /** The profile directory; logs go to `<dir>/logs/pvt.log`. */
  readonly dir: string;
  readonly level: LogLevel;
  /** Rotate when the current file has reached this many bytes (default 1 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept besides the current one (default 3). */
  readonly keep?: number;
  readonly now?: () => number;
}

export function createFileLogger(o: FileLoggerOptions): Logger {
  const logsDir = join(o.dir, LOGS_DIR);
  const file = join(logsDir, LOG_FILE);
  const maxBytes = o.maxBytes ?? LOG_DEFAULT_MAX_BYTES;
  const keep = Math.max(0, o.keep ?? LOG_DEFAULT_KEEP);
  const now = o.now ?? Date.now;
  const threshold = LOG_LEVEL_ORDER[o.level];

  const rotate = () => {
    if (keep === 0) {
      rmSync(file, { force: true });
      return;
    }
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    }
    renameSync(file, `${file}.1`);
  };

  // Per source (scope + event) at most LOG_LINES_PER_EVENT_PER_MINUTE lines a minute (a token bucket):
  // a peer that makes one receive path log on every frame cannot rotate everything earlier away. The
  // next line written after a quiet spell carries how many were suppressed.
  const buckets = new Map<string, { tokens: number; at: number; suppressed: number }>();
  const admit = (key: string): number | false => {
    const t = now();
    const b = buckets.get(key) ?? { tokens: LOG_LINES_PER_EVENT_PER_MINUTE, at: t, suppressed: 0 };
    b.tokens = Math.min(
      LOG_LINES_PER_EVENT_PER_MINUTE,
      b.tokens + ((t - b.at) * LOG_LINES_PER_EVENT_PER_MINUTE) / 60_000,
    );
    b.at = t;
    if (buckets.size >= 1024 && !buckets.has(key)) buckets.clear();
    buckets.set(key, b);
    if (b.tokens < 1) {
      b.suppressed++;
      return false;
    }
    b.tokens -= 1;
    const suppressed = b.suppressed;
    b.suppressed = 0;
    return suppressed;
  };

  const write = (level: LogLevel, scope: string, event: string, fields?: LogFields) => {
    if (LOG_LEVEL_ORDER[level] < threshold) return;
    const suppressed = admit(`${scope} ${event}`);
    if (suppressed === false) return;
    try {
      if (!existsSync(o.dir)) return; // never create a profile directory just to log
      ensurePrivateDir(logsDir);
      const record: Record<string, unknown> = { t: new Date(now()).toISOString(), level, scope, event };
      for (const [k, v] of Object.entries(fields ?? {})) if (!RESERVED.has(k)) record[k] = v;
      if (suppressed > 0) record.suppressed = suppressed;
      const line = `${JSON.stringify(record)}\n`;
      const size = existsSync(file) ? statSync(file).size : -1;
      if (size >= 0 && size + Buffer.byteLength(line) > maxBytes && size > 0) rotate();
      const created = size < 0 || !existsSync(file);
      appendFileSync(file, line, { mode: FILE_MODE });
      if (created && process.platform !== 'win32') chmodSync(file, FILE_MODE);
    } catch {
      // Logging must never take the program down (disk full, permissions): the line is dropped.
    }
  };

  const make = (scope: string): Logger => ({
    debug: (e, f) => write('debug', scope, e, f),
    info: (e, f) => write('info', scope, e, f),
    warn: (e, f) => write('warn', scope, e, f),
    error: (e, f) => write('error', scope, e, f),
    child: (s) => make(scope ? `${scope}.${s}` : s),
  });
  return make('pvt');
}

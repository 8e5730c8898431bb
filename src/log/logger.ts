/**
 * The logger every layer above protocol/ and crypto/ is given (DESIGN §2: an injected logger in a
 * neutral module, not part of storage): the Logger interface, levels and fields, and the null logger.
 * Callers pass only event names, ids, counts, sizes and error codes — never message text, contact or
 * display names, keys, passphrases or addresses that identify a person. The file sink (JSON lines under
 * the profile directory) is storage's: src/store/file-logger.ts. Knows nothing about files.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose lines carry `scope` appended to this one's ("pvt.store"). */
  child(scope: string): Logger;
}

/** Numeric order of the levels (a sink drops lines below its threshold). */
export const LOG_LEVEL_ORDER: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nullLogger;
  },
};

/**
 * The completion model: what `pvt completion bash|zsh|fish` offers, derived from the one command table
 * (src/cli/commands/index.ts) and the global flags — command names and summaries, every flag in its
 * command-line spelling with what its value is (a file, a directory, one of fixed words, free text),
 * and each command's positional arguments (`CommandSpec.complete`). A command or flag added to the
 * table appears in every shell's completion without touching this code. Knows nothing about shells.
 */
import type { AnyFlags } from 'meow';
import type { ArgCompletion, CommandSpec } from '../command.ts';

export type FlagValue = 'none' | 'file' | 'dir' | 'text' | readonly string[];

export interface FlagModel {
  /** Spellings, e.g. ["-h", "--help"] or ["--no-color"]. */
  readonly names: readonly string[];
  readonly value: FlagValue;
  readonly help: string;
}

export interface CommandModel {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagModel[];
  readonly args: readonly ArgCompletion[];
}

export interface CompletionModel {
  readonly commands: readonly CommandModel[];
  readonly globalFlags: readonly FlagModel[];
}

/** Words that can go into a generated script unquoted (command names, flags, fixed values). */
const SAFE_WORD = /^-{0,2}[A-Za-z0-9][A-Za-z0-9_.+:@-]*$/;

export function isSafeWord(word: string): boolean {
  return SAFE_WORD.test(word);
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

type FlagDef = { type?: string; shortFlag?: string; default?: unknown; choices?: readonly unknown[] };

function flagModels(flags: AnyFlags, help: readonly (readonly [string, string])[]): FlagModel[] {
  const out: FlagModel[] = [];
  for (const [key, raw] of Object.entries(flags)) {
    const def = raw as FlagDef;
    const long = `--${kebab(key)}`;
    const negated = `--no-${kebab(key)}`;
    const row = help.find(([left]) =>
      left.split(/,\s*|\s+/).some((token) => token === long || token === negated),
    );
    // A flag --help does not document (a test hook) is not offered either.
    if (!row) continue;
    const tokens = row[0].split(/,\s*|\s+/);
    const names: string[] = [];
    if (def.shortFlag) names.push(`-${def.shortFlag}`);
    let value: FlagValue = 'none';
    if (def.type === 'boolean') {
      if (tokens.includes(long) || !tokens.includes(negated)) names.push(long);
      if (tokens.includes(negated)) names.push(negated);
    } else {
      names.push(long);
      const metavar = tokens[tokens.indexOf(long) + 1] ?? '';
      if (Array.isArray(def.choices)) value = def.choices.map(String).filter(isSafeWord);
      else if (metavar === 'FILE') value = 'file';
      else if (metavar === 'DIR') value = 'dir';
      else value = 'text';
    }
    const safe = names.filter(isSafeWord);
    if (safe.length > 0) out.push({ names: safe, value, help: row[1] });
  }
  return out;
}

export function completionModel(
  commands: readonly CommandSpec[],
  globalFlags: AnyFlags,
  globalHelp: readonly (readonly [string, string])[],
): CompletionModel {
  return {
    globalFlags: flagModels(globalFlags, globalHelp),
    commands: commands
      .filter((c) => isSafeWord(c.name))
      .map((c) => ({
        name: c.name,
        summary: c.summary,
        flags: flagModels(c.flags, c.flagHelp),
        args: (c.complete ?? []).map((a) => (typeof a === 'string' ? a : a.filter(isSafeWord))),
      })),
  };
}

/** Every flag that takes a value, global or of any command (to skip its value when finding the command). */
export function valueFlags(model: CompletionModel): string[] {
  const all = [...model.globalFlags, ...model.commands.flatMap((c) => c.flags)];
  return [...new Set(all.filter((f) => f.value !== 'none').flatMap((f) => f.names))].sort();
}

/** A description on one line without control characters. */
export function plain(text: string): string {
  return text.replace(/\p{Cc}+/gu, ' ').trim();
}

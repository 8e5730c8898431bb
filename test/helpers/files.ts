/**
 * File-system helpers for tests: walk a tree, hash every file, search bytes for a canary.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** path → sha256 of its content, for "nothing changed" assertions. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) out[f] = createHash('sha256').update(readFileSync(f)).digest('hex');
  return out;
}

/** Files under `dir` whose bytes contain `needle` as UTF-8 or UTF-16LE. */
export function filesContaining(dir: string, needle: string): string[] {
  const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')];
  return listFiles(dir).filter((f) => {
    const data = readFileSync(f);
    return forms.some((form) => data.includes(form));
  });
}

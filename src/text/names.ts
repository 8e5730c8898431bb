/**
 * The rules for names people see (display names announced on the wire, contact names and aliases):
 * what makes a name invisible-in-part or disguised, how long it may be, and which names look alike.
 * Pure; shared by the protocol (names received from peers) and the app (local names).
 */

/** Longest name in characters (code points), for display names on the wire and local contact names. */
export const MAX_NAME_CHARS = 64;

/**
 * Characters a name may not contain: C0/C1 controls and DEL; bidi marks, embeddings, overrides and
 * isolates (U+061C, U+200E/F, U+202A–E, U+2066–9); zero-width and invisible characters (U+200B/C,
 * U+2060–4, U+FEFF BOM, U+00AD soft hyphen, U+034F, U+180E, Hangul fillers U+115F/U+1160/U+3164/
 * U+FFA0); line and paragraph separators (U+2028/9); interlinear annotation (U+FFF9–B); tag characters
 * (U+E0000–U+E007F). A zero-width joiner (U+200D) is allowed only inside an emoji sequence.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /\u034f|[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]/u;
const EMOJI_ZWJ = /(?<=\p{Extended_Pictographic}\ufe0f?)\u200d(?=\p{Extended_Pictographic})/gu;

/** Why `name` may not be a name, or undefined when it may (the caller trims first where it wants). */
export function nameProblem(name: string): string | undefined {
  if (name.trim().length === 0) return 'it is empty';
  if ([...name].length > MAX_NAME_CHARS) return `longer than ${MAX_NAME_CHARS} characters`;
  if (INVISIBLE.test(name) || name.replace(EMOJI_ZWJ, '').includes('\u200d')) {
    return 'it contains control, invisible or bidirectional characters';
  }
  return undefined;
}

/** Cyrillic and Greek letters that look like Latin ones (lowercase after NFKC + toLowerCase). */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ɡ: 'g',
  ӏ: 'l',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ζ: 'z',
  μ: 'u',
};

/**
 * What a name looks like, for comparing names: NFKC, lowercase, Cyrillic/Greek look-alike letters
 * replaced by their Latin twins. "Bob", "bob" and Cyrillic "Вob" have the same skeleton.
 */
export function nameSkeleton(name: string): string {
  let out = '';
  for (const ch of name.normalize('NFKC').toLowerCase()) out += HOMOGLYPHS[ch] ?? ch;
  return out;
}

/** True when a name mixes Latin letters with Cyrillic or Greek ones (a look-alike in the making). */
export function mixesScripts(name: string): boolean {
  return /\p{Script=Latin}/u.test(name) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(name);
}

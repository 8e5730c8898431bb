/**
 * The one sanitizer for untrusted text shown to a human (message bodies, contact names and aliases,
 * anything that came from the wire), shared by the CLI and the TUI. Removes what must never reach a
 * terminal: escape sequences (a contact could retitle, clear or reprogram the terminal), C0/C1 control
 * characters, bidi embeddings/overrides/isolates ("Trojan source"), line/paragraph separators and the
 * invisible characters that make a string display as something it is not. Pure; imports nothing from
 * Ink, React, the app or I/O.
 */

/** Escape sequences: CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, and two-byte ESC forms. */
const ANSI_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point.
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[ -/]*[0-~])|\u009b[0-?]*[ -/]*[@-~]|[\u0090\u0098\u009d-\u009f][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/gu;

/**
 * C0 controls except "\n", DEL, C1 controls, bidi embedding/override/isolate marks and the Arabic letter
 * mark (U+061C), zero-width characters (U+200B–U+200F, U+2060–U+2064), the BOM / zero-width no-break
 * space (U+FEFF), interlinear annotation marks (U+FFF9–U+FFFB) and tag characters (U+E0000–U+E007F).
 * U+200D (zero-width joiner) is kept: emoji sequences need it, and it is harmless between graphemes.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;

/** Characters that a terminal or a reader may take as a line break. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching line-break controls is the point.
const LINE_BREAKS = /\r\n?|[\u000b\u000c\u0085\u2028\u2029]/gu;

/**
 * Makes untrusted text safe to print: escape sequences removed, tabs become four spaces, every line
 * break ("\r\n", "\r", U+2028, U+2029, NEL, VT, FF) becomes "\n", every other unsafe character is dropped.
 */
export function sanitize(text: string): string {
  return text
    .replace(ANSI_SEQUENCE, '')
    .replace(LINE_BREAKS, '\n')
    .replace(/\t/gu, '    ')
    .replace(UNSAFE, '');
}

/** Same as `sanitize`, and line breaks become spaces: for one-line places (names, status text, errors). */
export function sanitizeLine(text: string): string {
  return sanitize(text).replace(/\n/gu, ' ');
}

/**
 * For line-oriented output (`pvt log`): sanitizes, then indents every line after the first by `indent`
 * so a multi-line message can never print a line that passes for another message or a status line.
 */
export function sanitizeBlock(text: string, indent: string): string {
  return sanitize(text).replace(/\n/gu, `\n${indent}`);
}

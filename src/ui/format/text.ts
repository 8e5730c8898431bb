/**
 * Terminal text measurement for the UI: re-exports the one sanitizer (src/text/sanitize.ts), splits into graphemes, and wraps/truncates/pads by display width
 * (string-width: emoji and CJK take two cells) — never by `.length`. Pure; knows nothing about Ink,
 * React or the PvtApi.
 */
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export { sanitize, sanitizeLine } from '../../text/sanitize.ts';

export interface Grapheme {
  readonly text: string;
  /** Offset in UTF-16 code units into the source string. */
  readonly index: number;
  readonly width: number;
}

export function graphemes(text: string): Grapheme[] {
  const out: Grapheme[] = [];
  for (const s of segmenter.segment(text)) {
    out.push({ text: s.segment, index: s.index, width: stringWidth(s.segment) });
  }
  return out;
}

export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** A wrapped row: `text.slice(start, end)` is shown; `next` is where the following row starts. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly next: number;
}

/**
 * Wraps one line (no "\n") to `width` cells. Breaks after spaces (the space at a break is not shown)
 * and on either side of wide graphemes (CJK text has no spaces; emoji are wide too), hard-breaks longer
 * runs, and never lets a wide grapheme straddle the edge. Offsets are UTF-16 indices into `line`. An
 * empty line gives one empty segment.
 */
export function wrapSegments(line: string, width: number): Segment[] {
  const max = Math.max(1, Math.floor(width));
  const gs = graphemes(line);
  const segments: Segment[] = [];
  const offsetOf = (gi: number): number => (gi < gs.length ? gs[gi]!.index : line.length);
  let startG = 0;
  let rowWidth = 0;
  // The last place this row may end: row = [startG, breakEnd), next row starts at breakNext.
  let breakEnd = -1;
  let breakNext = -1;
  let i = 0;
  while (i < gs.length) {
    const g = gs[i]!;
    if (rowWidth + g.width <= max || rowWidth === 0) {
      if (g.width > 1 && i > startG) {
        breakEnd = i;
        breakNext = i;
      }
      rowWidth += g.width;
      if (g.text === ' ') {
        breakEnd = i;
        breakNext = i + 1;
      } else if (g.width > 1) {
        breakEnd = i + 1;
        breakNext = i + 1;
      }
      i++;
      continue;
    }
    // g does not fit on this row.
    let endG: number;
    let nextG: number;
    if (g.text === ' ') {
      endG = i;
      nextG = i + 1;
    } else if (g.width > 1 || breakNext <= startG) {
      endG = i;
      nextG = i;
    } else {
      endG = breakEnd;
      nextG = breakNext;
    }
    segments.push({ start: offsetOf(startG), end: offsetOf(endG), next: offsetOf(nextG) });
    startG = nextG;
    i = startG;
    rowWidth = 0;
    breakEnd = -1;
    breakNext = -1;
  }
  segments.push({ start: offsetOf(startG), end: line.length, next: line.length });
  return segments;
}

/** Wraps text (which may contain "\n") into rows no wider than `width` cells. */
export function wrapText(text: string, width: number): string[] {
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    for (const s of wrapSegments(line, width)) rows.push(line.slice(s.start, s.end).replace(/ +$/u, ''));
  }
  return rows;
}

/** Cuts text to at most `width` cells, ending with "…" when something was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const g of graphemes(text)) {
    if (used + g.width > width - 1) break;
    out += g.text;
    used += g.width;
  }
  return `${out}…`;
}

/** Pads with spaces on the right to exactly `width` cells (truncating first when longer). */
export function padEnd(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}

/** Pads with spaces on the left to exactly `width` cells (truncating first when longer). */
export function padStart(text: string, width: number): string {
  const cut = truncate(text, width);
  return ' '.repeat(Math.max(0, width - stringWidth(cut))) + cut;
}

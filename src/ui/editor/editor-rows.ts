/**
 * Lays out editor text for display: logical lines wrapped to the field width (in terminal cells), the
 * row holding the cursor split around the grapheme under it, and optional masking for passphrases (one
 * mask character per grapheme, so the length shows but nothing else). Pure; knows nothing about Ink.
 */
import { graphemes, wrapSegments } from '../format/text.ts';

export interface EditorRow {
  /** The whole row when the cursor is elsewhere; the part before the cursor otherwise. */
  readonly before: string;
  /** The grapheme under the cursor (" " at the end of a row), or null on rows without the cursor. */
  readonly at: string | null;
  readonly after: string;
  /** True on the first row of each logical line (where a prompt goes). */
  readonly lineStart: boolean;
}

export interface EditorRows {
  readonly rows: readonly EditorRow[];
  readonly cursorRow: number;
}

/** Rows of `text` for a field `width` cells wide; one cell per row is kept for the cursor. */
export function editorRows(text: string, cursor: number, width: number): EditorRows {
  const rows: EditorRow[] = [];
  let cursorRow = 0;
  let base = 0;
  for (const line of text.split('\n')) {
    const segments = wrapSegments(line, Math.max(1, width - 1));
    segments.forEach((seg, i) => {
      const start = base + seg.start;
      const end = base + seg.end;
      const next = base + seg.next;
      const last = i === segments.length - 1;
      const row = text.slice(start, end);
      const here = (cursor >= start && cursor < next) || (last && cursor === end);
      if (!here) {
        rows.push({ before: row, at: null, after: '', lineStart: i === 0 });
        return;
      }
      cursorRow = rows.length;
      const offset = Math.min(cursor, end) - start;
      const rest = row.slice(offset);
      const at = cursor < end ? (graphemes(rest)[0]?.text ?? ' ') : ' ';
      rows.push({
        before: row.slice(0, offset),
        at,
        after: cursor < end ? rest.slice(at.length) : '',
        lineStart: i === 0,
      });
    });
    base += line.length + 1;
  }
  return { rows, cursorRow };
}

/** The same text with every grapheme replaced by `mask`, and the cursor moved to match. */
export function masked(text: string, cursor: number, mask: string): { text: string; cursor: number } {
  const gs = graphemes(text);
  const before = gs.filter((g) => g.index < cursor).length;
  return { text: mask.repeat(gs.length), cursor: before * mask.length };
}

/** The `height` rows to show so the cursor row stays visible (the cursor sits on the last one when scrolled). */
export function visibleWindow<T>(rows: readonly T[], cursorRow: number, height: number): T[] {
  const top = Math.max(0, Math.min(cursorRow - height + 1, rows.length - height));
  return rows.slice(top, top + height);
}

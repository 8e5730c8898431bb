/**
 * The screen geometry, from the terminal size alone: the minimum size, the contacts pane width (full
 * height at the left), the message pane and composer at the right (the composer under a rule), the
 * bottom rule and status bar, and the size of a panel. Pure; the one place the full-screen layout is
 * decided, so every component agrees on where the dividers are.
 */

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 15;

export interface Layout {
  readonly columns: number;
  readonly rows: number;
  readonly tooSmall: boolean;
  /** Cells left of the divider "│". */
  readonly contactsWidth: number;
  /** Cells for message text right of "│ " (one cell kept free at the right edge). */
  readonly textWidth: number;
  /** Rows of the composer. */
  readonly bodyRows: number;
  /** Rows above the bottom rule: the contacts pane, or message pane + rule + composer. */
  readonly mainRows: number;
  /** Rows of the message pane (the viewport over the conversation). */
  readonly paneRows: number;
  /** The tallest live frame that still leaves the terminal's last row for the cursor. */
  readonly maxFrameRows: number;
  /** Width and rows of an overlay panel (in place of contacts pane + composer, between the rules). */
  readonly panelWidth: number;
  readonly panelRows: number;
}

/** Rows of the screen that are not the main area: the bottom rule and the status bar. */
export const CHROME_ROWS = 2;

export function computeLayout(columns: number, rows: number): Layout {
  const contactsWidth = Math.min(28, Math.max(16, Math.floor(columns / 4)));
  const bodyRows = rows >= 40 ? 6 : rows >= 30 ? 5 : rows >= 20 ? 4 : 3;
  return {
    columns,
    rows,
    tooSmall: columns < MIN_COLUMNS || rows < MIN_ROWS,
    contactsWidth,
    textWidth: Math.max(1, columns - contactsWidth - 3),
    bodyRows,
    mainRows: Math.max(1, rows - CHROME_ROWS),
    paneRows: Math.max(1, rows - CHROME_ROWS - bodyRows - 1),
    maxFrameRows: rows,
    panelWidth: Math.max(1, columns - 1),
    panelRows: Math.max(1, rows - CHROME_ROWS),
  };
}

/** Where a QR code goes in a panel: beside the text, above it, or nowhere (with the size it needs). */
export type QrFit =
  | { readonly kind: 'beside'; readonly textWidth: number }
  | { readonly kind: 'above'; readonly textWidth: number }
  | {
      readonly kind: 'none';
      readonly textWidth: number;
      readonly needColumns: number;
      readonly needRows: number;
    };

/** Cells between the QR code and the text beside it. */
export const QR_GAP = 3;

/**
 * Fits a QR code of `qr` cells and `textRows` rows of text (at the width beside the code) into a panel
 * of a terminal `columns`×`rows`: beside needs at least `minTextWidth` cells for the text; above needs
 * the text's rows under the code. Otherwise the terminal size that would show it beside.
 */
export function fitQr(
  layout: Layout,
  qr: { readonly columns: number; readonly rows: number },
  minTextWidth: number,
  textRowsAbove: number,
): QrFit {
  // The panel body: one cell of indent, one free at the right; one title row.
  const bodyWidth = layout.panelWidth - 2;
  const bodyRows = layout.panelRows - 1;
  const besideText = bodyWidth - qr.columns - QR_GAP;
  if (besideText >= minTextWidth && bodyRows >= qr.rows) return { kind: 'beside', textWidth: besideText };
  if (bodyWidth >= qr.columns && bodyRows >= qr.rows + textRowsAbove) {
    return { kind: 'above', textWidth: bodyWidth };
  }
  return {
    kind: 'none',
    textWidth: bodyWidth,
    needColumns: qr.columns + QR_GAP + minTextWidth + 2 + (layout.columns - layout.panelWidth),
    needRows: qr.rows + 1 + (layout.rows - layout.panelRows),
  };
}

export function tooSmallMessage(columns: number, rows: number): string {
  const base = `terminal too small: need at least ${MIN_COLUMNS}×${MIN_ROWS}`;
  const full = `${base} (now ${columns}×${rows})`;
  return full.length <= columns ? full : base;
}

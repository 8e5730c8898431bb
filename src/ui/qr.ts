/**
 * Renders a QR code for a terminal so a phone camera can read it: error correction M, a 4-module light
 * quiet zone, and half-block characters (one character column and half a row per module, which is
 * square on usual terminal fonts). Always dark modules on light: with colour, dark modules are drawn
 * black on bright white explicitly (any theme); without colour (NO_COLOR) nothing absolute exists, so
 * the glyphs are the modules that must look like the terminal's foreground — the light ones on a dark
 * theme, the dark ones on a light theme (`/set theme light`, `--light`).
 */
import QRCode from 'qrcode';

export const QR_QUIET_ZONE_MODULES = 4;

export interface QrMatrix {
  readonly size: number;
  /** true = dark module. */
  dark(x: number, y: number): boolean;
}

/** Error correction: M by default; L (7 %) where M does not fit the window (a crisp terminal drawing). */
export type QrLevel = 'M' | 'L';

/**
 * How to draw a code, most robust first: M with the standard 4-module quiet zone, then L, then L with a
 * 2-module quiet zone (scanners read it; the terminal's own margin adds to it). Measured for an 80×24
 * invite in docs/decisions.md.
 */
export const QR_STYLES: readonly { readonly level: QrLevel; readonly quiet: number }[] = [
  { level: 'M', quiet: 4 },
  { level: 'L', quiet: 4 },
  { level: 'L', quiet: 2 },
];

export function qrMatrix(text: string, level: QrLevel = 'M'): QrMatrix & { version: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: level });
  const size = qr.modules.size;
  return {
    size,
    version: qr.version,
    dark: (x, y) => x >= 0 && y >= 0 && x < size && y < size && qr.modules.get(y, x) === 1,
  };
}

/** Width and height in terminal cells of the rendered code, quiet zone included. */
export function qrCells(matrix: QrMatrix, quiet = QR_QUIET_ZONE_MODULES): { columns: number; rows: number } {
  const side = matrix.size + 2 * quiet;
  return { columns: side, rows: Math.ceil(side / 2) };
}

/** Which modules the block glyphs draw (the others are the cell background). */
export type QrInk = 'light' | 'dark';

/** The glyphs to draw: dark modules with explicit colour or on a light theme, else light ones. */
export function qrInk(color: boolean, background: 'dark' | 'light'): QrInk {
  return color || background === 'light' ? 'dark' : 'light';
}

export function renderQr(
  text: string,
  options: { color: boolean; background?: 'dark' | 'light'; ink?: QrInk; level?: QrLevel; quiet?: number },
): string[] {
  const m = qrMatrix(text, options.level ?? 'M');
  const q = options.quiet ?? QR_QUIET_ZONE_MODULES;
  const side = m.size + 2 * q;
  const ink = options.ink ?? qrInk(options.color, options.background ?? 'dark');
  const light = (x: number, y: number) => m.dark(x - q, y - q) === (ink === 'dark');
  const lines: string[] = [];
  for (let y = 0; y < side; y += 2) {
    let line = '';
    for (let x = 0; x < side; x++) {
      const top = light(x, y);
      const bottom = y + 1 < side ? light(x, y + 1) : false;
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(options.color ? `\u001b[30;107m${line}\u001b[0m` : line);
  }
  return lines;
}

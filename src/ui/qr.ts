/**
 * Renders a QR code for a terminal so a phone camera can read it: error correction M, a 4-module light
 * quiet zone, and half-block characters (one character column and half a row per module, which is
 * square on usual terminal fonts). With colour, light modules are drawn white-on-black explicitly (any
 * theme); without colour, light modules are the foreground glyphs (for dark themes, the common case).
 */
import QRCode from 'qrcode';

export const QR_QUIET_ZONE_MODULES = 4;

export interface QrMatrix {
  readonly size: number;
  /** true = dark module. */
  dark(x: number, y: number): boolean;
}

export function qrMatrix(text: string): QrMatrix & { version: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  return {
    size,
    version: qr.version,
    dark: (x, y) => x >= 0 && y >= 0 && x < size && y < size && qr.modules.get(y, x) === 1,
  };
}

/** Width and height in terminal cells of the rendered code, quiet zone included. */
export function qrCells(matrix: QrMatrix): { columns: number; rows: number } {
  const side = matrix.size + 2 * QR_QUIET_ZONE_MODULES;
  return { columns: side, rows: Math.ceil(side / 2) };
}

export function renderQr(text: string, options: { color: boolean }): string[] {
  const m = qrMatrix(text);
  const q = QR_QUIET_ZONE_MODULES;
  const side = m.size + 2 * q;
  const light = (x: number, y: number) => !m.dark(x - q, y - q);
  const lines: string[] = [];
  for (let y = 0; y < side; y += 2) {
    let line = '';
    for (let x = 0; x < side; x++) {
      const top = light(x, y);
      const bottom = y + 1 < side ? light(x, y + 1) : false;
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(options.color ? `\u001b[97;40m${line}\u001b[0m` : line);
  }
  return lines;
}

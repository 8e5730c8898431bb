/**
 * Reads a QR code back from a captured terminal screen (tmux capture-pane, or a test frame), to prove
 * that what pvt draws really scans: finds the half-block drawing (src/ui/qr.ts: "█" both modules
 * light, "▀" top light, "▄" bottom light, " " both dark; a light quiet zone all round), maps it back to
 * a module bitmap, renders that as RGBA pixels (dark modules black on white, a few pixels per module,
 * a white margin) and decodes it with jsQR — a decoder independent of the encoder that drew it.
 * Text before the code on its rows must be one cell per UTF-16 unit (ASCII), as in pvt's panels.
 */
import jsQRModule from 'jsqr';

type Decode = typeof import('jsqr').default;
// jsqr is CommonJS: under NodeNext its default import is module.exports, which is the function itself.
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as Decode;

const LIGHT_TOP = new Set(['█', '▀']);
const LIGHT_BOTTOM = new Set(['█', '▄']);
const BLOCKS = /^[█▀▄ ]*$/u;
/** The smallest code (version 1: 21 modules) plus a quiet zone of 4 on each side. */
const MIN_SIDE = 21 + 8;

export interface ScreenQr {
  /** Row and column (UTF-16 index) of the code's top-left corner, quiet zone included. */
  readonly top: number;
  readonly left: number;
  /** Modules across, quiet zone included. */
  readonly side: number;
  /** light[y][x]: true for a light module. */
  readonly light: readonly (readonly boolean[])[];
}

/** Finds the first QR drawing on the screen: the first row holding a long run of "█" (the quiet zone). */
export function findQr(screen: string): ScreenQr | null {
  const lines = screen.split('\n');
  for (let top = 0; top < lines.length; top++) {
    const run = /█{29,}/u.exec(lines[top]!);
    if (!run || run[0].length < MIN_SIDE) continue;
    const left = run.index;
    const side = run[0].length;
    const rows = Math.ceil(side / 2);
    if (top + rows > lines.length) return null;
    const light: boolean[][] = [];
    for (let r = 0; r < rows; r++) {
      const cells = (lines[top + r] ?? '').slice(left, left + side).padEnd(side, ' ');
      if (!BLOCKS.test(cells)) return null;
      const upper: boolean[] = [];
      const lower: boolean[] = [];
      for (const ch of cells) {
        upper.push(LIGHT_TOP.has(ch));
        lower.push(LIGHT_BOTTOM.has(ch));
      }
      light.push(upper);
      if (light.length < side) light.push(lower);
    }
    return { top, left, side, light };
  }
  return null;
}

/** RGBA pixels of a module bitmap: `scale` pixels per module, `margin` white pixels around. */
export function renderModules(
  light: readonly (readonly boolean[])[],
  scale = 4,
  margin = 8,
): { data: Uint8ClampedArray; width: number; height: number } {
  const side = light.length;
  const width = side * scale + 2 * margin;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (light[y]?.[x]) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const at = ((margin + y * scale + dy) * width + margin + x * scale + dx) * 4;
          data[at] = 0;
          data[at + 1] = 0;
          data[at + 2] = 0;
        }
      }
    }
  }
  return { data, width, height: width };
}

/** The text of the first QR code drawn on the screen, or null when there is none or it does not decode. */
export function decodeQrFromScreen(screen: string): string | null {
  const qr = findQr(screen);
  if (!qr) return null;
  const image = renderModules(qr.light);
  const result = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
  return result?.data ?? null;
}

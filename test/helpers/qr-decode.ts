/**
 * Reads a QR code back from a captured terminal screen (tmux capture-pane, or a test frame), to prove
 * that what pvt draws really scans: finds the half-block drawing (src/ui/qr.ts: "█" both modules
 * light, "▀" top light, "▄" bottom light, " " both dark; a light quiet zone all round), maps it back to
 * a module bitmap, renders that as RGBA pixels (dark modules black on white, a few pixels per module,
 * a white margin) and decodes it with jsQR — a decoder independent of the encoder that drew it.
 * Text before the code on its rows must be one cell per UTF-16 unit (ASCII), as in pvt's panels.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * Finds a QR code drawn with its DARK modules as glyphs (pvt with colour, or NO_COLOR on a light theme:
 * the quiet zone is blank cells), by the top row of its two upper finder patterns ("█▀▀▀▀▀█" twice).
 */
export function findDarkQr(screen: string): ScreenQr | null {
  const lines = screen.split('\n');
  for (let row = 0; row < lines.length; row++) {
    const finders = [...(lines[row] ?? '').matchAll(/█▀▀▀▀▀█/gu)];
    if (finders.length < 2) continue;
    const first = finders[0]!.index;
    const last = finders[finders.length - 1]!.index;
    const size = last + 7 - first;
    if (size < 21) continue;
    const side = size + 8;
    const left = first - 4;
    const top = row - 2;
    const rows = Math.ceil(side / 2);
    const light: boolean[][] = [];
    for (let r = 0; r < rows; r++) {
      const line = lines[top + r] ?? '';
      const padded = left < 0 ? ' '.repeat(-left) + line : line.slice(left);
      const cells = padded.slice(0, side).padEnd(side, ' ');
      const upper: boolean[] = [];
      const lower: boolean[] = [];
      for (const ch of cells) {
        upper.push(!(ch === '█' || ch === '▀'));
        lower.push(!(ch === '█' || ch === '▄'));
      }
      light.push(upper);
      if (light.length < side) light.push(lower);
    }
    return { top, left, side, light };
  }
  return null;
}

/** Which modules the screen's block glyphs are: light ones (dark theme, no colour) or dark ones. */
export type Ink = 'light' | 'dark';

/** The text of the first QR code drawn on the screen, or null when there is none or it does not decode. */
export function decodeQrFromScreen(screen: string, ink: Ink = 'light'): string | null {
  const qr = ink === 'light' ? findQr(screen) : findDarkQr(screen);
  if (!qr) return null;
  const image = renderModules(qr.light);
  const result = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
  return result?.data ?? null;
}

/**
 * Decodes the code as a terminal would show it, with zbar (zbarimg, Debian zbar-tools): glyph cells in
 * the terminal's foreground colour, other cells in its background (`fg`/`bg` grey levels, e.g. black on
 * white for a light theme) — no knowledge of which modules are meant to be dark. Null when it does not scan.
 */
export function zbarDecodeScreen(screen: string, colours: { fg: number; bg: number }): string | null {
  const lines = screen.split('\n');
  const cols = Math.max(...lines.map((l) => [...l].length));
  const scale = 4;
  const width = cols * scale + 32;
  const height = lines.length * 2 * scale + 32;
  const pixels = Buffer.alloc(width * height, colours.bg);
  lines.forEach((line, row) => {
    [...line].forEach((ch, col) => {
      const top = ch === '█' || ch === '▀';
      const bottom = ch === '█' || ch === '▄';
      for (const [half, on] of [
        [0, top],
        [1, bottom],
      ] as const) {
        if (!on) continue;
        for (let dy = 0; dy < scale; dy++) {
          const y = 16 + (row * 2 + half) * scale + dy;
          pixels.fill(colours.fg, y * width + 16 + col * scale, y * width + 16 + (col + 1) * scale);
        }
      }
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'pvt-qr-'));
  const file = join(dir, 'screen.pgm');
  try {
    writeFileSync(file, Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`), pixels]));
    const out = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', file], {
      encoding: 'utf8',
    });
    return out.status === 0 ? out.stdout.trim() : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function zbarAvailable(): boolean {
  return spawnSync('zbarimg', ['--version'], { encoding: 'utf8' }).status === 0;
}

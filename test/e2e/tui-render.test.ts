/**
 * End-to-end rendering checks on the real `pvt chat` in tmux. (1) Text that terminals measure
 * differently — flags, skin tones, ZWJ families, combining marks, CJK, RTL — never pushes the layout:
 * on every row of the capture the divider between the contacts pane and the messages stays in its
 * column. (2) With NO_COLOR on a light terminal theme (`window-style bg=white,fg=black`) and the
 * profile's theme set to light, the invite QR code in an 80×24 window decodes with zbar, read as the
 * terminal shows it (glyphs black, the rest white), to the invite code on the same screen.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PVT_BIN, tempHome } from '../helpers/cli.ts';
import { zbarAvailable, zbarDecodeScreen } from '../helpers/qr-decode.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';

const hasTmux = tmuxAvailable();
const hasZbar = zbarAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');
if (!hasZbar) console.log('skip: zbarimg is not installed (.ci/run installs zbar-tools)');

const PASS = 'render test passphrase';
const home = tempHome(PASS);
const sessions: TmuxSession[] = [];
const NODE = process.execPath;
const pvt = (...args: string[]): string =>
  execFileSync(NODE, [PVT_BIN, ...args], { env: { ...process.env, ...home.env }, encoding: 'utf8' });

const TRICKY = [
  'flags 🇳🇿🇯🇵🇺🇦🇧🇷 end',
  'skin tones 👍🏽👋🏿🧑🏻‍💻 end',
  'families 👨‍👩‍👧‍👦👩‍❤️‍👨 end',
  'combining é ñ̃ ö̈ a̐ end',
  '中文字符测试，这是一条很长的中文消息，用来测试宽字符的换行是否正确处理。日本語のテキストも。',
  'עברית מימין לשמאל וגם العربية من اليمين end',
  '🇳🇿'.repeat(40),
  '👨‍👩‍👧'.repeat(30),
];

beforeAll(() => {
  if (!hasTmux) return;
  pvt('init', '--name', 'Ada');
  for (const note of TRICKY) pvt('note', note);
}, 60_000);

afterAll(() => {
  for (const s of sessions) s.kill();
  home.cleanup();
});

function chat(width: number, height: number, env: Record<string, string> = {}): TmuxSession {
  const s = new TmuxSession(`${NODE} ${PVT_BIN} chat --loopback --no-mdns`, {
    width,
    height,
    env: { ...home.env, TERM: 'xterm-256color', ...env },
  });
  sessions.push(s);
  return s;
}

describe.skipIf(!hasTmux)('pvt chat rendering in tmux', () => {
  test('flags, skin tones, ZWJ families, combining marks, CJK and RTL keep the divider in its column', async () => {
    for (const [w, h] of [
      [80, 40],
      [61, 30],
    ] as const) {
      const s = chat(w, h);
      const screen = await s.waitFor('👨‍👩‍👧', 20_000);
      const rows = screen.split('\n').slice(0, h - 2);
      const column = rows[1]!.indexOf('│');
      expect(column).toBeGreaterThan(10);
      for (const row of rows) expect(row.slice(0, column + 1)).toMatch(/^[ -~]*[│├]$/u);
      s.typeLine('/quit');
      await s.waitFor('[exited 0]');
      s.kill();
    }
  }, 60_000);

  test.skipIf(!hasZbar)(
    'NO_COLOR on a light theme: the 80×24 invite QR decodes with zbar to the code shown',
    async () => {
      pvt('config', 'set', 'theme', 'light');
      const s = chat(80, 24, { NO_COLOR: '1' });
      s.setOption('window-style', 'bg=white,fg=black');
      await s.waitFor('? help', 20_000);
      s.typeLine('/invite');
      const screen = await s.waitFor('waiting for someone to join', 20_000);
      expect(screen).toMatch(/█▀▀▀▀▀█/u);
      const decoded = zbarDecodeScreen(screen, { fg: 0, bg: 255 });
      expect(decoded).toMatch(/^PVT1[0-9A-Z]+$/u);
      // The same code as the text beside it.
      const lines = screen.split('\n');
      const first = lines.findIndex((l) => l.includes('pvt1'));
      const col = lines[first]!.indexOf('pvt1');
      let code = '';
      for (let i = first; i < lines.length; i++) {
        const part = /^[a-z0-9]+/u.exec(lines[i]!.slice(col))?.[0];
        if (!part) break;
        code += part;
      }
      expect(decoded).toBe(code.toUpperCase());
      // Read as a dark theme would show the same glyphs, it does not decode: the theme setting matters.
      expect(zbarDecodeScreen(screen, { fg: 255, bg: 0 })).toBeNull();
      s.keys('Escape');
      // Let the terminal's Escape timeout pass, so the next "/" is not read as Alt+/.
      await new Promise((r) => setTimeout(r, 400));
      s.typeLine('/quit');
      await s.waitFor('[exited 0]');
    },
    60_000,
  );
});

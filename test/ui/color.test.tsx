/**
 * NO_COLOR / --no-color: with `color: false` no frame carries a colour code (bold/inverse may remain),
 * and the screen stays readable (selection marked with ">"). Colour is forced on for this file so the
 * `color: true` side really emits colours.
 */
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { createMemoryLauncher } from '../helpers/memory-api.ts';
import { decodeQrFromScreen } from '../helpers/qr-decode.ts';
import { ContactsPvt, contactsLauncher, SAMPLE_CODE } from './contacts-api.ts';
import { openMain, renderApp, type Tui } from './harness.tsx';

const saved = vi.hoisted(() => {
  const before = { force: process.env.FORCE_COLOR, no: process.env.NO_COLOR };
  process.env.FORCE_COLOR = '3';
  delete process.env.NO_COLOR;
  return before;
});
afterAll(() => {
  if (saved.force === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = saved.force;
  if (saved.no !== undefined) process.env.NO_COLOR = saved.no;
});

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

/** SGR parameters that set a foreground/background colour (3x, 4x, 9x, 10x incl. 38/48 extended). */
function colourCodes(output: string): string[] {
  const found: string[] = [];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: SGR sequences start with ESC.
  for (const m of output.matchAll(/\u001b\[([0-9;]*)m/gu)) {
    const params = (m[1] ?? '').split(';').map(Number);
    if (params.some((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 107))) found.push(m[0]);
  }
  return found;
}

describe('colour', () => {
  test('color: true uses colours', async () => {
    const launcher = createMemoryLauncher({ state: 'passphrase', passphrase: PASS, notes: ['hi'] });
    tui = await openMain(launcher, { color: true });
    expect(colourCodes(tui.lastFrame()).length).toBeGreaterThan(0);
  });

  test('color: false (NO_COLOR) emits no colour code on any screen, and stays readable', async () => {
    const launcher = createMemoryLauncher({ state: 'absent', keychainAvailable: true });
    tui = renderApp(launcher, { color: false });
    await tui.waitFor('Your display name:');
    await tui.type('Ada\r');
    await tui.waitFor('How should pvt protect your keys?');
    expect(tui.screen()).toMatch(/> 1 OS keychain/);
    await tui.press('down', 'enter');
    await tui.type(`${PASS}\r${PASS}\r`);
    await tui.waitFor((x) => x.includes('Ada · 3KQ7-9XWA') && !x.includes('loading…'));
    await tui.type('/nope\r');
    await tui.waitFor('unknown command /nope');
    await tui.press('ctrl+u');
    await tui.type('?');
    await tui.waitFor('Esc closes this help');
    const everything = tui.stdout.writes.join('');
    expect(colourCodes(everything)).toEqual([]);
    expect(everything).toContain('\u001b[7m'); // the cursor, drawn in inverse
    await tui.press('escape');
    expect(await tui.waitFor('? help')).toMatch(/> Note to self/);
  });

  test('contacts and panels: no colour code without colour; the QR code is dark on bright white with it', async () => {
    for (const color of [false, true]) {
      const api = new ContactsPvt([
        { name: 'Grace', verification: 'verified', path: 'lan', unread: 2 },
        { name: 'Mallory', verification: 'rejected' },
      ]);
      tui = renderApp(contactsLauncher(api), {
        color,
        columns: 100,
        rows: 32,
        initialPassphrase: PASS,
      });
      await tui.waitFor((x) => x.includes('✗ Mallory') && !x.includes('loading…'));
      await tui.type('/invite\r');
      const invite = await tui.waitFor('waiting for someone to join');
      // With colour the glyphs are the dark modules (black on bright white); without, the light ones.
      expect(decodeQrFromScreen(invite, color ? 'dark' : 'light')).toBe(SAMPLE_CODE.toUpperCase());
      await tui.press('escape');
      api.addContact({ name: 'Heidi' }, '123 456');
      await tui.waitFor('[y] it matches');
      await tui.type('n');
      await tui.waitFor('Heidi is not trusted');
      await tui.press('escape');
      await tui.type('/verify Grace\r');
      await tui.waitFor('Safety number with Grace');
      const everything = tui.stdout.writes.join('');
      if (color) {
        // Black modules on bright white, explicitly: scans on light and dark themes alike.
        expect(everything).toContain(`\u001b[107m\u001b[30m${' '.repeat(45)}`);
      } else {
        expect(colourCodes(everything)).toEqual([]);
      }
      tui.unmount();
      tui = undefined;
    }
  });
});

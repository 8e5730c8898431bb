/**
 * Settings inside the TUI: `/set` lists them, `/set KEY VALUE` changes one through the PvtApi (a bad
 * value is an error and stays in the composer), the bell follows `bell off`, desktop notifications are
 * off by default and once on carry no message text unless `notify-text on`; `time 12h` changes the times.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createMemoryLauncher } from '../helpers/memory-api.ts';
import { composerText, openMain, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

const writes = (t: Tui): string => t.stdout.writes.join('');
const OSC9 = '\u001b]9;';

describe('settings', () => {
  test('/set lists and changes settings; a bad value stays in the composer', async () => {
    const l = createMemoryLauncher({ state: 'passphrase', passphrase: PASS, notes: ['hello'] });
    tui = await openMain(l, { columns: 120, rows: 30 });
    await tui.type('/set\r');
    await tui.waitFor('bell on · notifications off · notify-text off · theme dark · time 24h');
    await tui.type('/set theme purple\r');
    await tui.waitFor('"theme" expected dark or light or no-colour');
    expect(composerText(tui.screen())).toBe('/set theme purple');
    await tui.press('ctrl+u');
    await tui.type('/set time 12h\r');
    await tui.waitFor('✓ bell on · notifications off · notify-text off · theme dark · time 12h');
    await tui.waitFor(/\d:\d\d[ap] {2}hello ✓/u);
    expect(l.api?.settings.timeFormat).toBe('12h');
  });

  test('notifications: off by default; on without text; with text only after notify-text on; bell off', async () => {
    const l = createMemoryLauncher({ state: 'passphrase', passphrase: PASS });
    tui = await openMain(l, { bell: true });
    l.api!.receive('secret words one');
    await tui.waitFor('secret words one');
    expect(writes(tui)).not.toContain(OSC9);
    expect(tui.bells()).toBeGreaterThanOrEqual(1);

    await tui.type('/set notifications on\r');
    await tui.waitFor('notifications on');
    await new Promise((r) => setTimeout(r, 1100));
    l.api!.receive('secret words two');
    await tui.waitFor('secret words two');
    await tui.waitFor(() => writes(tui!).includes(OSC9));
    expect(writes(tui)).toContain('\u001b]9;pvt: new message\u0007');
    expect(writes(tui)).toContain('\u001b]777;notify;pvt;new message\u0007');
    // No notification carries the text.
    expect(
      writes(tui)
        .split(OSC9)
        .slice(1)
        .some((n) => n.split('\u0007')[0]!.includes('secret')),
    ).toBe(false);

    await tui.type('/set notify-text on\r');
    await tui.waitFor('notify-text on');
    await new Promise((r) => setTimeout(r, 1100));
    l.api!.receive('visible words three');
    await tui.waitFor('visible words three');
    await tui.waitFor(() => writes(tui!).includes('visible words three\u0007'));

    await tui.type('/set bell off\r');
    await tui.waitFor('bell off');
    const before = tui.stdout.writes.length;
    await new Promise((r) => setTimeout(r, 1100));
    l.api!.receive('quiet now');
    await tui.waitFor('quiet now');
    await tui.waitFor(() => tui!.stdout.writes.slice(before).some((w) => w.includes('quiet now\u0007')));
    // The notification is written (its OSC ends in BEL), but no bell of its own before it.
    const alert = tui.stdout.writes.slice(before).find((w) => w.includes(OSC9))!;
    expect(alert.startsWith(OSC9)).toBe(true);
  });
});

/**
 * The main screen: the full-screen layout, the history viewport (pages loaded on demand, PgUp/PgDn,
 * Home/End, ▲/▼ markers, new messages not moving the view), help overlay, wide-character wrapping, the
 * status line, pending messages, resize and too-small terminals, the bell, opening on unread messages.
 */
import stringWidth from 'string-width';
import { afterEach, describe, expect, test } from 'vitest';
import { createMemoryLauncher, type MemoryLauncher } from '../helpers/memory-api.ts';
import { liveLines, openMain, paneText, sleep, type Tui, widestLine } from './harness.tsx';

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

function launcher(options: { notes?: number | string[] } = {}): MemoryLauncher {
  return createMemoryLauncher({ state: 'passphrase', passphrase: PASS, ...options });
}

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe('main screen', () => {
  test('contacts pane, status bar and history with timestamps, day separators and state glyphs', async () => {
    tui = await openMain(launcher({ notes: ['first', 'second'] }), { columns: 80, rows: 24 });
    const s = tui.screen();
    expect(s).toMatch(/> Note to self/);
    expect(s).toContain('Ada Tester · 3KQ7-9XWA · offline');
    expect(s).toContain('? help');
    expect(s).toMatch(/│ ── \w{3} \d{1,2} \w{3} \d{4} ──/);
    expect(s).toMatch(/│ \d\d:\d\d {2}first ✓/);
    expect(widestLine(s)).toBeLessThanOrEqual(80);
  });

  test('1,000 notes: one page loads; PgUp/PgDn scroll, Home reaches note 1, End comes back', async () => {
    const l = launcher({ notes: 1000 });
    tui = await openMain(l, { columns: 100, rows: 30 });
    let s = await tui.waitFor('note 1000 ✓');
    // Opening reads one page, never the whole conversation.
    expect(l.api?.pageCalls).toEqual([{ conversationId: 'self', options: { limit: 100 } }]);
    expect(l.api?.messageCalls).toEqual([]);
    expect(s).toMatch(/▲ 9\d\d older · PgUp/);
    expect(s).not.toContain('▼');

    await tui.press('pageUp');
    s = await tui.waitFor('▼');
    expect(s).not.toContain('note 1000 ✓');
    expect(s).toMatch(/▼ \d+ newer · End/);
    // A message arriving while reading older ones does not move the view; the marker counts it.
    const before = paneText(s).join('\n');
    l.api!.receive('arrived meanwhile');
    s = await tui.waitFor(/▼ 1 new · \d+ below/);
    expect(paneText(s).slice(1, -1).join('\n')).toBe(before.split('\n').slice(1, -1).join('\n'));

    // Paging up past the loaded window loads the page before it.
    for (let i = 0; i < 8; i++) await tui.press('pageUp');
    await tui.waitFor(() => (l.api?.pageCalls.length ?? 0) >= 2);
    expect(l.api?.pageCalls[1]?.options).toMatchObject({ before: 901 });

    await tui.press('home');
    s = await tui.waitFor(/ note 1 ✓/);
    expect(s).not.toContain('▲');
    await tui.press('pageDown');
    await tui.waitFor((x) => !x.includes(' note 1 ✓'));
    await tui.press('end');
    s = await tui.waitFor('arrived meanwhile');
    expect(s).not.toContain('▼');
    expect(liveLines(s).length).toBeLessThanOrEqual(30);
  });

  test('wide characters wrap by display width and never pass the pane edge', async () => {
    const cjk = '中文字符测试，这是一条很长的中文消息，用来测试宽字符的换行是否正确处理。';
    const emoji = '🙂👍🏽🇳🇿👨‍👩‍👧'.repeat(12);
    tui = await openMain(launcher({ notes: [cjk, emoji, `mixed ${cjk} and ${emoji}`] }), {
      columns: 72,
      rows: 24,
    });
    const s = await tui.waitFor((x) => x.split('✓').length === 4);
    for (const line of s.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(72);
    const divider = s
      .split('\n')
      .find((l) => l.includes('中'))!
      .indexOf('│');
    // The text column: right of "│ ", one cell kept free at the right edge.
    const paneWidth = 72 - divider - 3;
    for (const line of s.split('\n').filter((l) => l.includes('│ '))) {
      const text = line.slice(line.indexOf('│') + 2);
      expect(stringWidth(text)).toBeLessThanOrEqual(paneWidth);
    }
    expect(s.replace(/[\s│✓]|\d\d:\d\d/gu, '')).toContain('这是一条很长的');
  });

  test('? opens the help overlay on an empty composer, Esc closes it; /help too', async () => {
    tui = await openMain(launcher(), { columns: 80, rows: 24 });
    await tui.type('?');
    let s = await tui.waitFor('Esc closes this help');
    expect(s).toContain('/quit');
    expect(s).toContain('PgUp');
    expect(liveLines(s).length).toBeLessThanOrEqual(24);
    await tui.press('escape');
    s = await tui.waitFor((x) => !x.includes('Esc closes this help'));
    expect(s).toContain('Write a note to yourself');

    await tui.type('what?');
    expect(tui.screen()).not.toContain('Esc closes this help');
    await tui.press('ctrl+u');
    await tui.type('/help\r');
    await tui.waitFor('Esc closes this help');
    await tui.press('escape');
    await tui.waitFor('? help');
  });

  test('the help overlay fits a 60×15 terminal', async () => {
    tui = await openMain(launcher(), { columns: 60, rows: 15 });
    await tui.type('?');
    const s = await tui.waitFor('Esc closes this help');
    expect(liveLines(s).length).toBeLessThanOrEqual(15);
    expect(widestLine(s)).toBeLessThanOrEqual(60);
    expect(s).toContain('/quit');
  });

  test('status events replace the status text', async () => {
    const l = launcher();
    tui = await openMain(l);
    l.api?.emit({ type: 'status', text: 'direct · UPnP 203.0.113.7:41873' });
    await tui.waitFor('Ada Tester · 3KQ7-9XWA · direct · UPnP 203.0.113.7:41873');
  });

  test('a pending message stays live with its state glyph and is printed once it is final', async () => {
    const l = launcher();
    tui = await openMain(l, { columns: 80, rows: 24 });
    const m = l.api!.addOutgoing('on its way', 'pending');
    await tui.waitFor('on its way ⋯');
    l.api!.setState(m.id, 'sent');
    await tui.waitFor('on its way ✓');
    l.api!.setState(m.id, 'delivered');
    const s = await tui.waitFor('on its way ✓✓');
    expect(count(s, 'on its way')).toBe(1);
  });

  test('message bodies cannot smuggle escape sequences to the terminal', async () => {
    const l = launcher();
    tui = await openMain(l);
    l.api!.receive('evil\u001b]0;pwned\u0007\u001b[2J text\u202e');
    await tui.waitFor('evil text');
    expect(tui.lastFrame()).not.toContain('\u001b]0;');
    expect(tui.lastFrame()).not.toContain('\u001b[2J');
  });

  test('resizing lays the history out again at the new width, and never clears the scrollback', async () => {
    const long = 'a long note with many words that wraps differently at different terminal widths, surely';
    tui = await openMain(launcher({ notes: [long, 'short'] }), { columns: 120, rows: 30 });
    await tui.waitFor('short ✓');
    await tui.resize(70, 30);
    const s = await tui.waitFor((x) => x.includes('short ✓') && widestLine(x) <= 70);
    expect(count(s, 'short ✓')).toBe(1);
    expect(tui.stdout.writes.some((w) => w.includes('\u001b[3J'))).toBe(false);
  });

  test('a too-small terminal shows one line, and the screen comes back when it grows', async () => {
    tui = await openMain(launcher({ notes: ['kept'] }), { columns: 100, rows: 30 });
    await tui.type('draft kept too');
    await tui.resize(50, 12);
    const small = await tui.waitFor('terminal too small: need at least 60×15');
    expect(small.trim().split('\n')).toHaveLength(1);
    await tui.resize(59, 40);
    await tui.waitFor('terminal too small: need at least 60×15');
    await tui.resize(100, 30);
    const back = await tui.waitFor((x) => x.includes('kept ✓') && x.includes('? help'));
    expect(count(back, 'kept ✓')).toBe(1);
    expect(back).toContain('draft kept too');
  });

  test('the bell rings for a message from someone else, not for own notes', async () => {
    const l = launcher();
    tui = await openMain(l, { bell: true });
    await tui.type('my own note\r');
    await tui.waitFor('my own note ✓');
    expect(tui.bells()).toBe(0);
    l.api!.receive('hello from afar');
    await tui.waitFor('hello from afar');
    expect(tui.bells()).toBe(1);
  });

  test('no bell when it is turned off', async () => {
    const l = launcher();
    tui = await openMain(l, { bell: false });
    l.api!.receive('quietly');
    await tui.waitFor('quietly');
    await sleep(10);
    expect(tui.bells()).toBe(0);
  });

  test('opens on the conversation with unread messages; Tab switches; messages go to the contact', async () => {
    const l = createMemoryLauncher({
      state: 'passphrase',
      passphrase: PASS,
      notes: ['a note'],
      conversations: [{ id: 'c-grace', title: 'Grace', unread: 3, lastActivityAt: 5 }],
    });
    tui = await openMain(l, { columns: 80, rows: 24 });
    let s = await tui.waitFor(/> Grace/);
    expect(s).toContain('Message Grace');
    await tui.press('tab');
    s = await tui.waitFor('a note ✓');
    l.api!.receive('hi from grace', 'c-grace');
    await tui.waitFor(/ {2}Grace +1 +│/);
    expect(tui.screen()).not.toContain('hi from grace');

    await tui.press('tab');
    s = await tui.waitFor(/\d\d:\d\d» hi from grace/);
    expect(s).toMatch(/> Grace +│/);
    expect(s).not.toContain('a note');
    await tui.type('hello grace\r');
    await tui.waitFor('hello grace ⋯');
    expect(l.api?.notes).toEqual([]);
  });
});

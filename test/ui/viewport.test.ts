/**
 * The history viewport and the chat reducer, pure: an anchor keeps the text in place when pages are
 * joined above or below, scrolling past the window asks for a page and remembers the overshoot, the
 * ▲/▼ counts include what is outside the window, the window never holds more than its cap, a message
 * arriving after an older window only counts, and a daemon that went away turns badges offline and the
 * status into "reconnecting…" until it is back.
 */
import { describe, expect, test } from 'vitest';
import type { ContactView, MessageView } from '../../src/app/api.ts';
import { initialChat, MAX_WINDOW_MESSAGES, reduceChat, statusText } from '../../src/ui/state/chat.ts';
import { BOTTOM, frame } from '../../src/ui/state/viewport.ts';

const DAY = Date.UTC(2026, 10, 23, 12);
const note = (seq: number): MessageView => ({
  id: `m${seq}`,
  conversationId: 'self',
  seq,
  direction: 'out',
  body: `note ${seq}`,
  createdAt: DAY,
  state: 'stored',
});
const range = (from: number, to: number): MessageView[] =>
  Array.from({ length: to - from + 1 }, (_, i) => note(from + i));
const texts = (f: ReturnType<typeof frame>): string[] =>
  f.rows.map((r) => (r.kind === 'message' ? r.text : `-- ${r.label}`));

describe('viewport', () => {
  test('bottom, scrolling up, counts outside the window, and asking for the page before it', () => {
    const w = { messages: range(901, 1000), older: 900, newer: 0 };
    const bottom = frame(w, BOTTOM, 10, 60);
    expect(texts(bottom).at(-1)).toBe('note 1000');
    expect(bottom.above).toBe(990);
    expect(bottom.below).toBe(0);
    const up = frame(w, bottom.anchor, 10, 60, -20);
    expect(texts(up)[0]).toBe('note 971');
    expect(up.below).toBe(20);
    const top = frame(w, up.anchor, 10, 60, -500);
    expect(top.needOlder).toBe(true);
    expect(top.overshoot).toBeLessThan(0);
    expect(top.above).toBe(900);
  });

  test('a page joined above does not move the text on screen', () => {
    const w1 = { messages: range(901, 1000), older: 900, newer: 0 };
    const at = frame(w1, BOTTOM, 10, 60, -50);
    const w2 = { messages: range(801, 1000), older: 800, newer: 0 };
    expect(texts(frame(w2, at.anchor, 10, 60))).toEqual(texts(at));
  });

  test('an older window: the bottom asks for the page after it; the anchor survives new messages', () => {
    const w = { messages: range(1, 100), older: 0, newer: 900 };
    const end = frame(w, { kind: 'at', id: 'm95', row: 0 }, 10, 60, 50);
    expect(end.needNewer).toBe(true);
    expect(end.below).toBe(900);
    expect(end.anchor.kind).toBe('at');
  });
});

describe('chat reducer', () => {
  const loaded = reduceChat(initialChat, {
    type: 'loaded',
    profile: {
      displayName: 'Ada',
      fingerprint: 'A-B-C-D',
      profile: 'p',
      dataDir: '/d',
      keyProtection: 'keychain',
      createdAt: 0,
    },
    conversations: [{ id: 'self', title: 'Note to self', unread: 0, lastActivityAt: null }],
    contacts: [],
    network: null,
    selected: 'self',
    page: { messages: range(1, 100), older: 0, newer: 900 },
  });

  test('a message after an older window is counted, not appended', () => {
    const s = reduceChat(loaded, { type: 'event', event: { type: 'message', message: note(1001) } });
    expect(s.messages).toHaveLength(100);
    expect(s.newer).toBe(901);
  });

  test('joined pages are capped; the side away from the reader is dropped and counted', () => {
    // A conversation of 1,500, read from the first page down to the end.
    let s = { ...loaded, newer: 1400 };
    for (let from = 101; from <= 1401; from += 100) {
      s = reduceChat(s, {
        type: 'page',
        id: 'self',
        side: 'newer',
        page: { messages: range(from, from + 99), older: from - 1, newer: 1500 - (from + 99) },
      });
    }
    expect(s.messages).toHaveLength(MAX_WINDOW_MESSAGES);
    expect(s.messages.at(-1)?.seq).toBe(1500);
    expect(s.older).toBe(500);
    expect(s.older + s.messages.length + s.newer).toBe(1500);
  });

  test('a daemon that went away: reconnecting…, no stale path badges; restored clears it', () => {
    const grace = { id: 'g', name: 'Grace', path: 'lan', conversationId: 'g' } as unknown as ContactView;
    let s = reduceChat(loaded, { type: 'contacts', contacts: [grace] });
    s = reduceChat(s, { type: 'event', event: { type: 'connection', state: 'reconnecting' } });
    expect(statusText(s, 0)).toBe('reconnecting to the daemon…');
    expect(s.contacts[0]?.path).toBe('offline');
    s = reduceChat(s, { type: 'event', event: { type: 'connection', state: 'restored' } });
    expect(s.reconnecting).toBe(false);
  });
});

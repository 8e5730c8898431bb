/**
 * The PvtApi's history viewport, search and UI settings over a real profile (store, sealing, SQLite):
 * pages around a cursor with the counts outside them, search by decrypt-and-scan in bounded steps
 * (case-insensitive, resumable, nothing written), bad arguments refused, and settings stored sealed
 * (the settings row holds no readable value) and kept across a reopen.
 */

import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PvtApi } from '../../src/app/api.ts';
import { createLauncher } from '../../src/app/launcher.ts';
import { type TempDir, tempDir } from './helpers.ts';

const PASS = 'history search passphrase';
let tmp: TempDir;
let api: PvtApi;
const launcher = () => createLauncher({ dataDir: tmp.dir, profile: 'default', logLevel: 'warn' });

beforeAll(async () => {
  tmp = tempDir();
  api = await launcher().create({ displayName: 'Ada', protection: { kind: 'passphrase', passphrase: PASS } });
  for (let i = 1; i <= 1000; i++) await api.sendNote(`note ${i}${i === 3 ? ' with a Quokka in it' : ''}`);
}, 60_000);

afterAll(async () => {
  await api?.close();
  tmp?.cleanup();
});

const bodies = (p: { messages: readonly { body: string }[] }): string[] => p.messages.map((m) => m.body);

describe('messagePage', () => {
  test('the newest page, the one before it, the first page, the last few, with the counts outside', async () => {
    const newest = await api.messagePage('self');
    expect(newest.messages).toHaveLength(100);
    expect(bodies(newest).at(-1)).toBe('note 1000');
    expect([newest.older, newest.newer]).toEqual([900, 0]);

    const before = await api.messagePage('self', { before: newest.messages[0]!.seq, limit: 50 });
    expect(bodies(before)[0]).toBe('note 851');
    expect(bodies(before).at(-1)).toBe('note 900');
    expect([before.older, before.newer]).toEqual([850, 100]);

    const first = await api.messagePage('self', { after: 0, limit: 10 });
    expect(bodies(first)).toEqual(
      Array.from({ length: 10 }, (_, i) => `note ${i + 1}${i === 2 ? ' with a Quokka in it' : ''}`),
    );
    expect([first.older, first.newer]).toEqual([0, 990]);

    const tail = await api.messagePage('self', { after: 995 });
    expect(bodies(tail)).toEqual(['note 996', 'note 997', 'note 998', 'note 999', 'note 1000']);
    expect([tail.older, tail.newer]).toEqual([995, 0]);
  });

  test('bad arguments are refused with a clear error', async () => {
    await expect(api.messagePage('self', { limit: 0 })).rejects.toThrow(RangeError);
    await expect(api.messagePage('self', { limit: 5000 })).rejects.toThrow(RangeError);
    await expect(api.messagePage('self', { before: -1 })).rejects.toThrow(RangeError);
    await expect(api.messagePage('self', { before: 5, after: 1 })).rejects.toThrow(TypeError);
  });
});

describe('searchMessages', () => {
  test('finds a word in message #3 of 1,000, case-insensitively, newest first', async () => {
    const r = await api.searchMessages('self', { text: 'quokka' });
    expect(r.match?.seq).toBe(3);
    expect(r.match?.body).toBe('note 3 with a Quokka in it');
    expect(r.scanned).toBe(998);
    expect(r.remaining).toBe(2);
  });

  test('scans in bounded steps and resumes where it stopped', async () => {
    const step = await api.searchMessages('self', { text: 'QUOKKA', scanLimit: 500 });
    expect(step.match).toBeNull();
    expect(step.scanned).toBe(500);
    expect(step.remaining).toBe(500);
    const next = await api.searchMessages('self', { text: 'QUOKKA', scanLimit: 500, before: step.next });
    expect(next.match?.seq).toBe(3);
    const none = await api.searchMessages('self', { text: 'not there at all' });
    expect(none).toMatchObject({ match: null, scanned: 1000, remaining: 0 });
  });

  test('an empty or oversized query is refused', async () => {
    await expect(api.searchMessages('self', { text: '  ' })).rejects.toThrow(TypeError);
    await expect(api.searchMessages('self', { text: 'x'.repeat(201) })).rejects.toThrow(RangeError);
    await expect(api.searchMessages('self', { text: 'x', scanLimit: 0 })).rejects.toThrow(RangeError);
  });
});

describe('UI settings', () => {
  test('defaults, a change, a bad value refused, kept sealed across a reopen', async () => {
    expect(await api.uiSettings()).toEqual({
      bell: true,
      notifications: false,
      notifyText: false,
      theme: 'dark',
      timeFormat: '24h',
    });
    expect((await api.setUiSetting('theme', 'light')).theme).toBe('light');
    expect((await api.setUiSetting('notifications', 'on')).notifications).toBe(true);
    await expect(api.setUiSetting('theme', 'purple')).rejects.toThrow(
      /"theme" expected dark or light or no-colour/u,
    );
    await expect(api.setUiSetting('volume', '11')).rejects.toThrow(/unknown setting "volume"/u);
    await api.close();

    const db = new DatabaseSync(join(tmp.dir, 'profiles', 'default', 'pvt.db'), { readOnly: true });
    const rows = db.prepare("SELECT key, value FROM net_settings WHERE key LIKE 'ui.%'").all() as {
      key: string;
      value: string;
    }[];
    db.close();
    expect(rows.map((r) => r.key).sort()).toEqual(['ui.notifications', 'ui.theme']);
    for (const r of rows) {
      const raw = Buffer.from(r.value, 'base64');
      expect(['light', 'on']).not.toContain(r.value);
      expect(raw.toString('latin1')).not.toContain('light');
      expect(raw.length).toBeGreaterThan(24);
    }

    api = await launcher().open({ passphrase: PASS });
    expect(await api.uiSettings()).toMatchObject({ theme: 'light', notifications: true, bell: true });
  });
});

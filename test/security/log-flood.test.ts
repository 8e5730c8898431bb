/**
 * Issue 10 item 8 (log rotation) — a contact sending garbage made one receive path log on every frame
 * and rotated every earlier log entry away in two minutes. Now each source (scope + event) writes at most
 * LOG_LINES_PER_EVENT_PER_MINUTE lines a minute (a bucket refilled continuously); the rest are counted
 * and the count rides on the next line written.
 * The flood here is 100,000 "dropped" events in one simulated minute.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { LOG_LINES_PER_EVENT_PER_MINUTE } from '../../src/store/constants.ts';
import { createFileLogger } from '../../src/store/file-logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvt-logflood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lines(): Record<string, unknown>[] {
  const logs = join(dir, 'logs');
  return readdirSync(logs)
    .sort()
    .reverse()
    .flatMap((f) => readFileSync(join(logs, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('a flood of one event keeps earlier entries and reports what it suppressed', () => {
  let now = 0;
  const log = createFileLogger({ dir, level: 'info', maxBytes: 64 * 1024, keep: 2, now: () => now });
  log.info('profile.opened', { contacts: 3 });
  const chat = log.child('net');
  for (let i = 0; i < 100_000; i++) {
    now = Math.floor((i * 60_000) / 100_000);
    chat.info('chat.dropped', { code: 'garbage' });
  }
  const during = lines();
  expect(during.some((l) => l.event === 'profile.opened')).toBe(true);
  const dropped = during.filter((l) => l.event === 'chat.dropped');
  // The bucket starts full and refills over the minute: at most twice the per-minute figure.
  expect(dropped.length).toBeLessThanOrEqual(2 * LOG_LINES_PER_EVENT_PER_MINUTE);
  expect(dropped.length).toBeGreaterThanOrEqual(LOG_LINES_PER_EVENT_PER_MINUTE);
  // Another source is not starved by the flood.
  log.warn('net.other', {});
  expect(lines().some((l) => l.event === 'net.other')).toBe(true);
  // Nothing is silently lost: the written lines and the suppressed counts they carry add up.
  now += 60_000;
  chat.info('chat.dropped', { code: 'garbage' });
  const all = lines().filter((l) => l.event === 'chat.dropped');
  const suppressed = all.reduce((n, l) => n + Number(l.suppressed ?? 0), 0);
  expect(all.length + suppressed).toBe(100_001);
});

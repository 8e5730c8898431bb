/**
 * Timestamps as the message list shows them: "HH:MM" (24 h, local time) on each message and a day label
 * ("Tue 3 Nov 2026") on the separator when the day changes. Fixed English format, so the output does not
 * depend on the machine's locale. Pure; knows nothing about Ink or the PvtApi.
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const two = (n: number): string => String(n).padStart(2, '0');

/** 24-hour "14:05" or 12-hour " 2:05p" (both five cells, so bodies line up). */
export type TimeStyle = '24h' | '12h';

export function formatTime(ms: number, style: TimeStyle = '24h'): string {
  const d = new Date(ms);
  if (style === '12h') {
    const h = d.getHours() % 12 || 12;
    return `${String(h).padStart(2, ' ')}:${two(d.getMinutes())}${d.getHours() < 12 ? 'a' : 'p'}`;
  }
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A key that is equal for two timestamps on the same local calendar day. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

export function formatDay(ms: number): string {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

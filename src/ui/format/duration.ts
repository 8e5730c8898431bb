/**
 * Human durations for the TUI: parses what `/invite 24h` takes ("90s", "30m", "24h", "7d", or plain
 * seconds) and formats a remaining time for "expires in 23h 59m". Pure; the same rules as the CLI's
 * --expires flag (the UI does not import the CLI layer).
 */

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or an error message for the status line. */
export function parseDuration(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/iu.exec(text.trim());
  const unit = UNIT_MS[(m?.[2] || 's').toLowerCase()];
  const ms = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    return { ok: false, message: `expected a duration like 30m, 24h or 7d, got "${text}"` };
  }
  return { ok: true, ms };
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

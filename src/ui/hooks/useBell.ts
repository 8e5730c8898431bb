/**
 * Rings the terminal bell (BEL, which tmux turns into a window alert) when a message from someone else
 * arrives while the app runs: never for one's own notes or messages, never for the history loaded at
 * start, and at most once per BELL_MIN_INTERVAL_MS so a burst of deliveries is one ring.
 */
import { useStdout } from 'ink';
import { useEffect } from 'react';
import type { PvtApi } from '../../app/api.ts';

export const BELL = '\u0007';
export const BELL_MIN_INTERVAL_MS = 1000;

export function useBell(api: PvtApi, enabled: boolean): void {
  const { stdout } = useStdout();
  useEffect(() => {
    if (!enabled) return;
    let last = Number.NEGATIVE_INFINITY;
    return api.subscribe((event) => {
      if (event.type !== 'message' || event.message.direction !== 'in') return;
      const now = Date.now();
      if (now - last < BELL_MIN_INTERVAL_MS) return;
      last = now;
      stdout.write(BELL);
    });
  }, [api, enabled, stdout]);
}

/**
 * Keeps the <Static> history consistent with the terminal. Static output is printed once and cannot be
 * laid out again, so after a resize (debounced), after the history was hidden (terminal too small), on
 * Ctrl+L and when another conversation is shown, the screen and scrollback are cleared and the Static is
 * re-mounted under a new key (`epoch`), which prints the loaded history again at the new width. Until
 * then `ready` is false and the caller must not render the Static. On mount it scrolls the terminal so
 * the live frame starts at the bottom row (the history then grows upwards like a chat).
 * Knows nothing about messages.
 */
import { useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Layout } from '../layout.ts';

/** ED2 (screen) + ED3 (scrollback) + home: a clean terminal to print the history into again. */
export const CLEAR_TERMINAL = '\u001b[2J\u001b[3J\u001b[H';
export const RESIZE_DEBOUNCE_MS = 150;

export interface StaticRefresh {
  /** Key for the <Static>: changes whenever the history is printed again. */
  readonly epoch: number;
  /** False between a size change and the refresh: render no <Static> then. */
  readonly ready: boolean;
  /** Clears the terminal and prints the history again (Ctrl+L, conversation switch). */
  readonly refresh: () => void;
}

export function useStaticRefresh(layout: Layout, debounceMs = RESIZE_DEBOUNCE_MS): StaticRefresh {
  const { write } = useStdout();
  const size = `${layout.columns}x${layout.rows}`;
  const [state, setState] = useState<{ epoch: number; laidOut: string | null; requested: boolean }>({
    epoch: 0,
    laidOut: size,
    requested: false,
  });
  const visible = !layout.tooSmall;
  const ready = visible && state.laidOut === size && !state.requested;
  const current = useRef({ size, rows: layout.rows, visible });
  current.current = { size, rows: layout.rows, visible };

  // Asking only sets a flag: the clear happens after the frame that asked was drawn (a frame that just
  // shrank, e.g. the help overlay closing, must be the one that lands at the bottom).
  const refresh = useCallback(() => setState((s) => (s.requested ? s : { ...s, requested: true })), []);

  const padded = useRef(false);
  useEffect(() => {
    if (padded.current) return;
    padded.current = true;
    // Start at the bottom of the screen; what was on it scrolls into the scrollback.
    write('\n'.repeat(Math.max(0, current.current.rows - 1)));
  }, [write]);

  useEffect(() => {
    if (!state.requested) return;
    const { visible: isVisible, size: now, rows } = current.current;
    if (!isVisible) {
      setState((s) => ({ ...s, requested: false }));
      return;
    }
    write(CLEAR_TERMINAL + '\n'.repeat(Math.max(0, rows - 1)));
    setState((s) => ({ epoch: s.epoch + 1, laidOut: now, requested: false }));
  }, [state.requested, write]);

  useEffect(() => {
    if (!visible) {
      if (state.laidOut !== null) {
        // The printed history is re-wrapped by the terminal into a mess; show the one-line notice alone.
        write(CLEAR_TERMINAL);
        setState((s) => ({ ...s, laidOut: null }));
      }
      return;
    }
    if (state.laidOut === size || state.requested) return;
    const timer = setTimeout(refresh, debounceMs);
    return () => clearTimeout(timer);
  }, [visible, size, state.laidOut, state.requested, refresh, debounceMs, write]);

  return { epoch: state.epoch, ready, refresh };
}

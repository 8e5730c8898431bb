/**
 * Search in the conversation on screen: asks the core to decrypt-and-scan the history in bounded steps
 * (newest first, from the newest message or after the last hit), reports progress while it runs
 * ("searching "word"… 4,000 of 100,000"), shows a hit in the viewport, and stops on Esc or when another
 * conversation is shown. Nothing about the query or the bodies is kept beyond this hook's state.
 * Knows the PvtApi's search; nothing about keys or layout.
 */
import { type Dispatch, useCallback, useEffect, useRef, useState } from 'react';
import type { ConversationId, PvtApi } from '../../app/api.ts';
import { describeError } from '../errors.ts';
import type { ChatAction } from '../state/chat.ts';

/** Messages one step scans (one daemon round trip each; progress is shown between steps). */
export const SEARCH_STEP = 2_000;

export interface SearchState {
  readonly text: string;
  /** Scan below this seq next (the last hit, or where the scan stopped). */
  readonly next: number | undefined;
  readonly running: boolean;
  readonly scanned: number;
  readonly total: number;
  readonly hits: number;
}

export interface Search {
  readonly state: SearchState | null;
  /** Starts a search for `text`, or finds the next (older) match of the current one when text is null. */
  find(text: string | null): void;
  stop(): void;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

export function useSearch(
  api: PvtApi,
  selected: ConversationId,
  dispatch: Dispatch<ChatAction>,
  show: (seq: number, id: string) => void,
): Search {
  const [state, setState] = useState<SearchState | null>(null);
  const run = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  const stop = useCallback(() => {
    run.current++;
    setState(null);
  }, []);

  useEffect(() => {
    void selected;
    run.current++;
    setState(null);
  }, [selected]);

  const find = useCallback(
    (text: string | null) => {
      const previous = stateRef.current;
      const query = text ?? previous?.text;
      if (!query) return;
      const again = text === null || text === previous?.text;
      const token = ++run.current;
      let next = again ? previous?.next : undefined;
      let scanned = again ? (previous?.scanned ?? 0) : 0;
      const hits = again ? (previous?.hits ?? 0) : 0;
      const step = async (): Promise<void> => {
        for (;;) {
          const r = await api.searchMessages(selected, {
            text: query,
            scanLimit: SEARCH_STEP,
            ...(next === undefined ? {} : { before: next }),
          });
          if (token !== run.current) return;
          scanned += r.scanned;
          next = r.next;
          const total = scanned + r.remaining;
          if (r.match) {
            setState({ text: query, next, running: false, scanned, total, hits: hits + 1 });
            show(r.match.seq, r.match.id);
            dispatch({
              type: 'notice',
              message: `found "${query}" in message #${fmt(r.match.seq)} · Ctrl+F next · Esc ends`,
            });
            return;
          }
          if (r.remaining === 0 || r.scanned === 0) {
            setState({ text: query, next, running: false, scanned, total, hits });
            dispatch({
              type: 'error',
              message: hits > 0 ? `no older match for "${query}"` : `"${query}" is not in this conversation`,
            });
            return;
          }
          setState({ text: query, next, running: true, scanned, total, hits });
          dispatch({ type: 'notice', message: `searching "${query}"… ${fmt(scanned)} of ${fmt(total)}` });
        }
      };
      setState({ text: query, next, running: true, scanned, total: 0, hits });
      dispatch({ type: 'notice', message: `searching "${query}"…` });
      step().catch((error: unknown) => {
        if (token !== run.current) return;
        setState(null);
        dispatch({ type: 'error', message: `search failed: ${describeError(error)}` });
      });
    },
    [api, selected, dispatch, show],
  );

  return { state, find, stop };
}

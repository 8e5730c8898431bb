/**
 * The message pane's viewport as a hook: keeps the anchor (follow the bottom, or a row of a message),
 * computes the frame for the pane's size, scrolls by rows and pages, jumps to the first message, the
 * newest, or a given seq (a search hit), and loads a page from the store when the view reaches the edge
 * of the loaded window — so opening and paging never read a whole conversation. Counts messages that
 * arrived while the user reads older ones (the view does not move for them). Knows the PvtApi's paging
 * and the chat reducer; nothing about keys.
 */
import { type Dispatch, useCallback, useEffect, useRef, useState } from 'react';
import type { PvtApi, TimeFormat } from '../../app/api.ts';
import { describeError } from '../errors.ts';
import type { ChatAction, ChatState } from '../state/chat.ts';
import { type Anchor, anchorOn, BOTTOM, type Frame, frame } from '../state/viewport.ts';
import { HISTORY_PAGE } from './usePvtStore.ts';

/** Rows shown above a search hit. */
const HIT_CONTEXT_ROWS = 3;

export interface HistoryView {
  readonly frame: Frame;
  /** Messages that arrived since the view left the bottom. */
  readonly fresh: number;
  /** The seq to highlight (a search hit), if any. */
  readonly highlight: string | null;
  scroll(rows: number): void;
  page(direction: -1 | 1): void;
  top(): void;
  bottom(): void;
  /** Shows the message with this seq near the top of the pane, highlighted. */
  show(seq: number, id: string): void;
}

export function useHistoryView(
  api: PvtApi,
  chat: ChatState,
  dispatch: Dispatch<ChatAction>,
  height: number,
  width: number,
  time: TimeFormat = '24h',
): HistoryView {
  const [anchor, setAnchor] = useState<Anchor>(BOTTOM);
  const [highlight, setHighlight] = useState<string | null>(null);
  const newest = (chat.messages.at(-1)?.seq ?? 0) + chat.newer;
  const seen = useRef(newest);
  const loading = useRef<string | null>(null);
  const window = { messages: chat.messages, older: chat.older, newer: chat.newer };
  const current = frame(window, anchor, height, width, 0, time);
  if (current.anchor.kind === 'bottom') seen.current = newest;
  const fresh = Math.max(0, newest - seen.current);

  const chatRef = useRef(chat);
  chatRef.current = chat;
  const geometry = useRef({ height, width, time, anchor });
  geometry.current = { height, width, time, anchor };

  // Another conversation: start at its bottom.
  const shown = useRef(chat.selected);
  useEffect(() => {
    if (shown.current === chat.selected) return;
    shown.current = chat.selected;
    pending.current = 0;
    setAnchor(BOTTOM);
    setHighlight(null);
  }, [chat.selected]);

  const load = useCallback(
    (side: 'older' | 'newer') => {
      const c = chatRef.current;
      const id = c.selected;
      const edge = side === 'older' ? c.messages[0]?.seq : c.messages.at(-1)?.seq;
      if (edge === undefined) return;
      const key = `${id}:${side}:${edge}`;
      if (loading.current === key) return;
      loading.current = key;
      const options = side === 'older' ? { before: edge } : { after: edge };
      api.messagePage(id, { limit: HISTORY_PAGE, ...options }).then(
        (page) => {
          if (loading.current === key) loading.current = null;
          dispatch({ type: 'page', id, side, page });
        },
        (error: unknown) => {
          if (loading.current === key) loading.current = null;
          dispatch({ type: 'error', message: `could not load older messages: ${describeError(error)}` });
        },
      );
    },
    [api, dispatch],
  );

  useEffect(() => {
    if (!chat.loaded) return;
    if (current.needOlder) load('older');
    if (current.needNewer) load('newer');
  }, [chat.loaded, current.needOlder, current.needNewer, load]);

  // Scrolling past the loaded window (keys faster than pages load) is kept and applied when the page is in.
  const pending = useRef(0);
  const scroll = useCallback((rows: number) => {
    const c = chatRef.current;
    const g = geometry.current;
    const next = frame(
      { messages: c.messages, older: c.older, newer: c.newer },
      g.anchor,
      g.height,
      g.width,
      rows + pending.current,
      g.time,
    );
    pending.current = next.overshoot;
    geometry.current = { ...g, anchor: next.anchor };
    setAnchor(next.anchor);
  }, []);
  useEffect(() => {
    void chat.messages;
    if (pending.current !== 0) scroll(0);
  }, [chat.messages, scroll]);

  const page = useCallback(
    (direction: -1 | 1) => scroll(direction * Math.max(1, geometry.current.height - 2)),
    [scroll],
  );

  const jump = useCallback(
    (options: { after?: number; before?: number }, anchorFor: (ids: readonly string[]) => Anchor) => {
      const id = chatRef.current.selected;
      api.messagePage(id, { limit: HISTORY_PAGE, ...options }).then(
        (p) => {
          dispatch({ type: 'history', id, page: p });
          setAnchor(anchorFor(p.messages.map((m) => m.id)));
        },
        (error: unknown) =>
          dispatch({ type: 'error', message: `could not load the conversation: ${describeError(error)}` }),
      );
    },
    [api, dispatch],
  );

  const top = useCallback(() => {
    pending.current = 0;
    const c = chatRef.current;
    if (c.older === 0 && c.messages[0]) {
      setAnchor(anchorOn(c.messages[0].id));
      return;
    }
    jump({ after: 0 }, (ids) => (ids[0] ? anchorOn(ids[0]) : BOTTOM));
  }, [jump]);

  const bottom = useCallback(() => {
    pending.current = 0;
    setHighlight(null);
    if (chatRef.current.newer === 0) {
      setAnchor(BOTTOM);
      return;
    }
    jump({}, () => BOTTOM);
  }, [jump]);

  const show = useCallback(
    (seq: number, id: string) => {
      setHighlight(id);
      const c = chatRef.current;
      if (c.messages.some((m) => m.id === id)) {
        setAnchor(anchorOn(id, HIT_CONTEXT_ROWS));
        return;
      }
      // A page with the hit near its end, so what led up to it can be read above.
      jump({ before: seq + 1 + Math.floor(HISTORY_PAGE / 4) }, () => anchorOn(id, HIT_CONTEXT_ROWS));
    },
    [jump],
  );

  return { frame: current, fresh, highlight, scroll, page, top, bottom, show };
}

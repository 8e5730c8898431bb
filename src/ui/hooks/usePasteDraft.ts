/**
 * Paste safety for the composer: a bracketed paste (Ink's usePaste), or an unbracketed burst of lines in
 * one read and the chunks within PASTE_CONTINUE_MS after it (a large paste comes in several reads), is
 * inserted as one draft, never sent; the status line says how many lines it holds, or that the draft is
 * now too long to send. Knows the editor only through `draft` and `insert`; nothing about the PvtApi,
 * the panels or the other keys.
 */
import { type Key, usePaste } from 'ink';
import { type Dispatch, useRef } from 'react';
import { tooLong } from '../format/composer.ts';
import { isPasteBurst, pastedText } from '../keys.ts';
import type { ChatAction } from '../state/chat.ts';

/** Chunks arriving this soon after a paste are the rest of it. */
export const PASTE_CONTINUE_MS = 40;

export interface PasteDraft {
  /** True when this input is (the rest of) a paste: then it was inserted and is no key press. */
  take(input: string, key: Key): boolean;
}

export function usePasteDraft(options: {
  /** False while a panel is shown or the terminal is too small. */
  readonly active: boolean;
  /** The composer's text now. */
  readonly draft: () => string;
  readonly insert: (text: string) => void;
  readonly dispatch: Dispatch<ChatAction>;
}): PasteDraft {
  const { draft, insert, dispatch } = options;
  const lastPaste = useRef(Number.NEGATIVE_INFINITY);

  const insertPaste = (text: string): void => {
    // The draft's size is what it held plus the paste, wherever the cursor was.
    const after = draft() + text;
    insert(text);
    const lines = text.split('\n').length;
    const long = tooLong(after);
    if (long) dispatch({ type: 'error', message: long });
    else if (lines > 1) {
      dispatch({
        type: 'notice',
        message: `pasted ${lines} lines as one draft · Enter sends it as one message`,
      });
    }
  };

  usePaste(
    (text) => {
      lastPaste.current = Date.now();
      insertPaste(pastedText(text));
    },
    { isActive: options.active },
  );

  return {
    take(input, key) {
      const t = Date.now();
      if (key.return) return false;
      if (!isPasteBurst(input) && !(t - lastPaste.current < PASTE_CONTINUE_MS && input.length > 1)) {
        return false;
      }
      lastPaste.current = t;
      insertPaste(pastedText(input));
      return true;
    },
  };
}

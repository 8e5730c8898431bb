/**
 * The composer's editor as a hook: applies the commands of one input event (a burst may hold several,
 * e.g. "hello\rworld\r") one after the other against the latest state, hands each submit to the
 * container (which says whether it was taken: then it goes to the history and the editor empties), and
 * passes commands the editor does not own (quit, escape, redraw…) on. Knows nothing about the PvtApi.
 */
import { useCallback, useRef, useState } from 'react';
import {
  apply,
  commit,
  type EditorOptions,
  type EditorState,
  emptyEditor,
  HISTORY_LIMIT,
} from '../editor/line-editor.ts';
import type { Command } from '../keys.ts';

export interface LineEditorHandlers {
  /** Returns true when the text was taken (sent, or a command ran). */
  readonly onSubmit: (text: string) => boolean;
  readonly onUnhandled: (command: Command) => void;
}

export interface LineEditor {
  readonly state: EditorState;
  readonly run: (commands: readonly Command[]) => void;
  /** Adds entries to the front of the history (older ones, e.g. notes sent in earlier sessions). */
  readonly seedHistory: (entries: readonly string[]) => void;
}

export function useLineEditor(options: EditorOptions, handlers: LineEditorHandlers): LineEditor {
  const [state, setState] = useState<EditorState>(emptyEditor);
  const latest = useRef<EditorState>(emptyEditor);
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const multiline = options.multiline;

  const run = useCallback(
    (commands: readonly Command[]) => {
      let s = latest.current;
      for (const command of commands) {
        const { state: next, outcome } = apply(s, command, { multiline });
        s = next;
        if (outcome.kind === 'submit') {
          latest.current = s;
          if (handlersRef.current.onSubmit(outcome.text)) s = commit(s, outcome.text);
        } else if (outcome.kind === 'unhandled') {
          latest.current = s;
          handlersRef.current.onUnhandled(outcome.command);
        }
      }
      latest.current = s;
      setState(s);
    },
    [multiline],
  );

  const seedHistory = useCallback((entries: readonly string[]) => {
    const s = latest.current;
    const history = [...entries, ...s.history].slice(-HISTORY_LIMIT);
    latest.current = { ...s, history };
    setState(latest.current);
  }, []);

  return { state, run, seedHistory };
}

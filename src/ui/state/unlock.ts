/**
 * The unlock prompt as a reducer: a masked passphrase field; Enter starts an attempt (the screen calls
 * `launcher.open`); a rejection comes back as an error and the prompt is ready for another try. Keychain
 * profiles and a passphrase from --passphrase-file start with an attempt already under way. Pure.
 */
import { apply, type EditorState, emptyEditor } from '../editor/line-editor.ts';
import type { Command } from '../keys.ts';

export interface UnlockState {
  readonly editor: EditorState;
  /** The open call under way: a new object per attempt (the screen starts one `open` per object). */
  readonly request: OpenRequest | null;
  readonly error: string | null;
  readonly quit: boolean;
}

/** `passphrase` undefined: the keychain. */
export interface OpenRequest {
  readonly passphrase?: string;
}

export type UnlockAction =
  | { readonly type: 'commands'; readonly commands: readonly Command[] }
  | { readonly type: 'failed'; readonly message: string };

export function initialUnlock(options: {
  keychain: boolean;
  initialPassphrase?: string | undefined;
}): UnlockState {
  let request: OpenRequest | null = null;
  if (options.keychain) request = {};
  else if (options.initialPassphrase !== undefined) request = { passphrase: options.initialPassphrase };
  return { editor: emptyEditor, request, error: null, quit: false };
}

function onCommand(keychain: boolean) {
  return (s: UnlockState, command: Command): UnlockState => {
    if (s.request !== null) return s;
    if (keychain) {
      // Nothing to type: Enter tries the keychain again.
      if (command.type === 'submit') return { ...s, request: {}, error: null };
      if (command.type === 'eof') return { ...s, quit: true };
      return s;
    }
    const { state: editor, outcome } = apply(s.editor, command, { multiline: false });
    if (outcome.kind === 'submit') {
      if (outcome.text === '') return { ...s, error: 'type your passphrase, then Enter' };
      return { ...s, editor: emptyEditor, request: { passphrase: outcome.text } };
    }
    if (outcome.kind === 'unhandled' && outcome.command.type === 'eof') return { ...s, quit: true };
    return { ...s, editor };
  };
}

export function reduceUnlock(keychain: boolean) {
  const step = onCommand(keychain);
  return (s: UnlockState, action: UnlockAction): UnlockState => {
    switch (action.type) {
      case 'commands':
        return action.commands.reduce(step, s);
      case 'failed':
        return { ...s, request: null, error: action.message };
    }
  };
}

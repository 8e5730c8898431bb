/**
 * The first-run flow as a reducer: display name → key protection (OS keychain when one answers, else a
 * passphrase) → passphrase twice with a strength hint → creating. Every key command of an input event is
 * applied in order, so a burst such as "Ada\rmy passphrase\rmy passphrase\r" walks through the steps
 * exactly as typing would. Pure; the Onboarding screen runs the side effects (keychain probe, create).
 */
import type { ProtectionChoice } from '../../app/api.ts';
import { apply, clear, type EditorState, editorWith, emptyEditor } from '../editor/line-editor.ts';
import { estimateStrength } from '../format/strength.ts';
import type { Command } from '../keys.ts';

export const MAX_NAME_CHARS = 64;

export type OnboardingStep = 'name' | 'protection' | 'passphrase' | 'confirm' | 'creating';
export type ProtectionKind = ProtectionChoice['kind'];

export interface OnboardingState {
  readonly step: OnboardingStep;
  readonly editor: EditorState;
  readonly name: string;
  /** null while the keychain probe has not answered. */
  readonly keychain: boolean | null;
  /** Highlighted option on the protection step. */
  readonly choice: ProtectionKind;
  /** The first passphrase entry, while the second is typed. */
  readonly passphrase: string;
  /** The create call to make: a new object per attempt (the screen starts one `create` per object). */
  readonly request: CreateRequest | null;
  readonly error: string | null;
  /** Quit was asked for (Ctrl+D on an empty field). */
  readonly quit: boolean;
}

export interface CreateRequest {
  readonly displayName: string;
  readonly protection: ProtectionChoice;
}

export type OnboardingAction =
  | { readonly type: 'commands'; readonly commands: readonly Command[] }
  | { readonly type: 'keychain'; readonly available: boolean }
  | { readonly type: 'create-failed'; readonly message: string; readonly badName: boolean };

export const initialOnboarding: OnboardingState = {
  step: 'name',
  editor: emptyEditor,
  name: '',
  keychain: null,
  choice: 'keychain',
  passphrase: '',
  request: null,
  error: null,
  quit: false,
};

const SINGLE_LINE = { multiline: false } as const;

function afterName(s: OnboardingState): OnboardingState {
  if (s.keychain === false) return { ...s, step: 'passphrase', editor: emptyEditor };
  return { ...s, step: 'protection', choice: 'keychain', editor: emptyEditor };
}

function creating(s: OnboardingState, protection: ProtectionChoice): OnboardingState {
  return {
    ...s,
    step: 'creating',
    request: { displayName: s.name, protection },
    editor: emptyEditor,
    error: null,
  };
}

function submit(s: OnboardingState, text: string): OnboardingState {
  switch (s.step) {
    case 'name': {
      const name = text.trim();
      if (name === '') return { ...s, error: 'enter a name: it is shown to the contacts you invite' };
      if ([...name].length > MAX_NAME_CHARS) {
        return { ...s, error: `too long: at most ${MAX_NAME_CHARS} characters` };
      }
      return afterName({ ...s, name, error: null });
    }
    case 'protection':
      if (s.keychain === null) return s;
      if (s.choice === 'keychain') return creating(s, { kind: 'keychain' });
      return { ...s, step: 'passphrase', editor: emptyEditor, error: null };
    case 'passphrase': {
      const estimate = estimateStrength(text);
      if (estimate.strength === 'too-short') return { ...s, editor: clear(s.editor), error: estimate.hint };
      return { ...s, step: 'confirm', passphrase: text, editor: emptyEditor, error: null };
    }
    case 'confirm':
      if (text !== s.passphrase) {
        return {
          ...s,
          step: 'passphrase',
          passphrase: '',
          editor: emptyEditor,
          error: 'the passphrases do not match: choose it again',
        };
      }
      return creating({ ...s, passphrase: '' }, { kind: 'passphrase', passphrase: text });
    case 'creating':
      return s;
  }
}

function back(s: OnboardingState): OnboardingState {
  switch (s.step) {
    case 'protection':
      return { ...s, step: 'name', editor: editorWith(s.name), error: null };
    case 'passphrase':
      return s.keychain
        ? { ...s, step: 'protection', editor: emptyEditor, error: null }
        : { ...s, step: 'name', editor: editorWith(s.name), error: null };
    case 'confirm':
      return { ...s, step: 'passphrase', passphrase: '', editor: emptyEditor, error: null };
    default:
      return s;
  }
}

function onCommand(s: OnboardingState, command: Command): OnboardingState {
  if (s.step === 'creating') return s;
  if (command.type === 'escape') return back(s);
  if (s.step === 'protection') {
    if (
      command.type === 'up' ||
      command.type === 'down' ||
      command.type === 'tab' ||
      command.type === 'backtab'
    ) {
      return { ...s, choice: s.choice === 'keychain' ? 'passphrase' : 'keychain' };
    }
    if (command.type === 'insert' && (command.text === '1' || command.text === '2')) {
      return { ...s, choice: command.text === '1' ? 'keychain' : 'passphrase' };
    }
    if (command.type === 'submit') return submit(s, '');
    if (command.type === 'eof') return { ...s, quit: true };
    return s;
  }
  const { state: editor, outcome } = apply(s.editor, command, SINGLE_LINE);
  if (outcome.kind === 'submit') return submit({ ...s, editor }, outcome.text);
  if (outcome.kind === 'unhandled' && outcome.command.type === 'eof') return { ...s, quit: true };
  // Typing after an error starts over: the message no longer applies.
  const typed = command.type === 'insert' && s.error !== null;
  return { ...s, editor, error: typed ? null : s.error };
}

export function reduceOnboarding(s: OnboardingState, action: OnboardingAction): OnboardingState {
  switch (action.type) {
    case 'commands':
      return action.commands.reduce(onCommand, s);
    case 'keychain': {
      const next = { ...s, keychain: action.available };
      // Waiting on the protection step for an answer that turned out "no keychain": go on to the passphrase.
      if (!action.available && s.step === 'protection')
        return { ...next, step: 'passphrase', editor: emptyEditor };
      return next;
    }
    case 'create-failed':
      if (action.badName) {
        return { ...s, step: 'name', request: null, editor: editorWith(s.name), error: action.message };
      }
      return {
        ...s,
        step: s.request?.protection.kind === 'keychain' ? 'protection' : 'passphrase',
        request: null,
        editor: emptyEditor,
        error: action.message,
      };
  }
}

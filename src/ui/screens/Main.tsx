/**
 * The main screen container: wires the chat store, the offline joins in progress, the history viewport,
 * search, the overlay panels (help, invite, join, code comparison, safety number, contacts, remove
 * question, the network questions, notices), the composer's editor, slash commands and keys, paste
 * detection, settings, the bell and notifications together, and hands the result to MainFrame, which
 * lays out the full screen. Talks to the PvtApi only through its hooks; what it renders is
 * presentational.
 */
import { useInput } from 'ink';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { PvtApi, ThemeName } from '../../app/api.ts';
import { parseSubmission, unknownCommandMessage } from '../commands.ts';
import { helpLayout } from '../components/HelpOverlay.tsx';
import { MainFrame } from '../components/MainFrame.tsx';
import { TooSmall } from '../components/TooSmall.tsx';
import { placeholder, tooLong } from '../format/composer.ts';
import { useArmed } from '../hooks/useArmed.ts';
import { useBell } from '../hooks/useBell.ts';
import { useContactActions } from '../hooks/useContactActions.ts';
import { useConversationNav } from '../hooks/useConversationNav.ts';
import { useHistoryView } from '../hooks/useHistoryView.ts';
import { useLayout } from '../hooks/useLayout.ts';
import { useLineEditor } from '../hooks/useLineEditor.ts';
import { isNetworkIntent, useNetworkQuestions } from '../hooks/useNetworkQuestions.ts';
import { useNow } from '../hooks/useNow.ts';
import { usePasteDraft } from '../hooks/usePasteDraft.ts';
import { usePendingJoins } from '../hooks/usePendingJoins.ts';
import { usePvtStore } from '../hooks/usePvtStore.ts';
import { useSearch } from '../hooks/useSearch.ts';
import { useSendQueue } from '../hooks/useSendQueue.ts';
import { useUiSettings } from '../hooks/useUiSettings.ts';
import { useWheel } from '../hooks/useWheel.ts';
import { type Command, commandsFor } from '../keys.ts';
import type { WheelEvents } from '../mouse-wheel.ts';
import { statusText } from '../state/chat.ts';
import {
  initialOverlay,
  overlayIntent,
  reduceOverlay,
  type Visible,
  visibleOverlay,
} from '../state/overlay.ts';

export interface MainProps {
  readonly api: PvtApi;
  /** False with --no-bell (overrides the profile setting). */
  readonly bell: boolean;
  readonly onQuit: () => void;
  readonly onFatal: (message: string) => void;
  /** The profile's theme setting, applied by the App (NO_COLOR / --no-color still win). */
  readonly onTheme?: (theme: ThemeName) => void;
  /** Mouse wheel notches (runTui); the pane scrolls three rows per notch. */
  readonly wheel?: WheelEvents | undefined;
}

export function Main(props: MainProps) {
  const { api, onQuit, onFatal, onTheme } = props;
  const layout = useLayout();
  const [chat, dispatch] = usePvtStore(api);
  const joining = usePendingJoins(api);
  const [overlays, dispatchOverlay] = useReducer(reduceOverlay, initialOverlay);
  const { settings, change: changeSetting } = useUiSettings(api, dispatch, onTheme);
  useBell(
    api,
    {
      bell: props.bell && settings.bell,
      notifications: settings.notifications,
      notifyText: settings.notifyText,
    },
    chat.contacts,
  );

  const chatRef = useRef(chat);
  chatRef.current = chat;
  const current = useCallback(() => chatRef.current, []);
  const actions = useContactActions(api, dispatch, dispatchOverlay, current);
  const network = useNetworkQuestions(api, chat, overlays.panel !== null, dispatch, dispatchOverlay);

  const visible = visibleOverlay(overlays);
  const armed = useArmed(visible?.kind === 'sas' ? visible.prompt.contact.id : null);
  const now = useNow(1000, visible?.kind === 'invite');
  const history = useHistoryView(api, chat, dispatch, layout.paneRows, layout.textWidth, settings.timeFormat);
  const search = useSearch(api, chat.selected, dispatch, history.show);
  useWheel(props.wheel, !layout.tooSmall && visible === null, history.scroll);

  const cycleConversation = useConversationNav(api, chat, dispatch, current);

  const clearStatus = useCallback(() => {
    dispatch({ type: 'error', message: null });
    dispatch({ type: 'notice', message: null });
  }, [dispatch]);

  const editorRef = useRef<{ restore: (text: string) => void }>({ restore: () => {} });
  const send = useSendQueue(api, dispatch, current, (text) => editorRef.current.restore(text));

  const editor = useLineEditor(
    { multiline: true },
    {
      onSubmit: (text) => {
        const submission = parseSubmission(text);
        if (submission.kind === 'blank') return false;
        clearStatus();
        switch (submission.kind) {
          case 'text': {
            // Over the limit: said before sending, and the text stays in the composer to shorten.
            const long = tooLong(submission.text);
            if (long) {
              dispatch({ type: 'error', message: long });
              return false;
            }
            send(submission.text);
            history.bottom();
            break;
          }
          case 'help':
            dispatchOverlay({ type: 'open', panel: { kind: 'help', offset: 0 } });
            break;
          case 'quit':
            onQuit();
            break;
          case 'invite':
            actions.invite(submission.expiresInMs);
            break;
          case 'join':
            actions.join(submission.code, submission.alias);
            break;
          case 'verify':
            actions.showSafetyNumber(submission.name);
            break;
          case 'contacts':
            actions.showContacts();
            break;
          case 'rename':
            actions.rename(submission.args);
            break;
          case 'remove':
            actions.askRemove(submission.name);
            break;
          case 'nat':
          case 'relay':
          case 'mailbox':
            network.run(submission);
            break;
          case 'search':
            search.find(submission.text);
            break;
          case 'set':
            changeSetting(submission.key, submission.value, (line) => editorRef.current.restore(line));
            break;
          // A rejected line stays in the composer for correction.
          case 'usage':
            dispatch({ type: 'error', message: submission.message });
            return false;
          case 'unknown':
            dispatch({ type: 'error', message: unknownCommandMessage(submission.name) });
            return false;
        }
        return true;
      },
      onUnhandled: (command: Command) => {
        const empty = editorState.current === '';
        if (command.type === 'eof') onQuit();
        else if (command.type === 'escape') {
          if (search.state) search.stop();
          clearStatus();
        } else if (command.type === 'tab' || command.type === 'nextConversation') cycleConversation(1);
        else if (command.type === 'backtab' || command.type === 'prevConversation') cycleConversation(-1);
        else if (command.type === 'pageUp') history.page(-1);
        else if (command.type === 'pageDown') history.page(1);
        else if (command.type === 'historyTop' || (command.type === 'home' && empty)) history.top();
        else if (command.type === 'historyBottom' || (command.type === 'end' && empty)) history.bottom();
        else if (command.type === 'search') {
          if (search.state && empty) search.find(null);
          else if (empty) editorRef.current.restore('/search ');
        }
      },
    },
  );
  const editorState = useRef(editor.state.text);
  editorState.current = editor.state.text;
  editorRef.current.restore = (text: string) => {
    if (editorState.current !== '') return;
    editor.run([{ type: 'insert', text }]);
  };

  // ↑ recalls what was sent, including notes of earlier sessions.
  const seeded = useRef(false);
  const { seedHistory } = editor;
  useEffect(() => {
    if (!chat.loaded || seeded.current) return;
    seeded.current = true;
    seedHistory(chat.messages.filter((m) => m.direction === 'out').map((m) => m.body));
  }, [chat.loaded, chat.messages, seedHistory]);

  useEffect(() => {
    if (chat.fatal) onFatal(chat.fatal);
  }, [chat.fatal, onFatal]);

  const onOverlayKey = (shown: Visible, input: string, commands: readonly Command[]): void => {
    const intent = overlayIntent(shown, input, commands, armed);
    if (isNetworkIntent(intent)) {
      network.answer(intent, shown);
      return;
    }
    switch (intent.type) {
      case 'none':
        return;
      case 'close':
        dispatchOverlay({ type: 'close' });
        return;
      case 'scroll':
        dispatchOverlay({
          type: 'scroll',
          by: intent.by,
          max: helpLayout(layout.panelWidth, layout.panelRows).maxOffset,
        });
        return;
      case 'sas':
        if (shown.kind === 'sas') actions.answerSas(shown.prompt, intent.decision);
        return;
      case 'verify':
        if (shown.kind === 'safety') actions.decide(shown.contact, intent.decision);
        return;
      case 'remove':
        if (shown.kind === 'confirm-remove') actions.remove(shown.name);
        return;
      case 'cancel-join':
        actions.cancelJoin();
        return;
    }
  };

  // A burst of lines in one read is a paste (bracketed or not): one draft, never several sends.
  const paste = usePasteDraft({
    active: !layout.tooSmall && visible === null,
    draft: () => editorState.current,
    insert: (text) => editor.run([{ type: 'insert', text }]),
    dispatch,
  });

  useInput(
    (input, key) => {
      if (!visible && paste.take(input, key)) return;
      const commands = commandsFor(input, key);
      if (visible) {
        onOverlayKey(visible, input, commands);
        return;
      }
      if (input === '?' && editor.state.text === '' && !key.ctrl && !key.meta) {
        dispatchOverlay({ type: 'open', panel: { kind: 'help', offset: 0 } });
        return;
      }
      // Home / End move in a composer that has text.
      editor.run(
        commands.map((c) =>
          c.type === 'home' && editorState.current !== ''
            ? { type: 'lineStart' }
            : c.type === 'end' && editorState.current !== ''
              ? { type: 'lineEnd' }
              : c,
        ),
      );
    },
    { isActive: !layout.tooSmall },
  );

  if (layout.tooSmall) return <TooSmall columns={layout.columns} rows={layout.rows} />;

  return (
    <MainFrame
      layout={layout}
      chat={chat}
      joining={joining}
      history={history}
      composer={{ text: editor.state.text, cursor: editor.state.cursor, placeholder: placeholder(chat) }}
      overlay={{ visible, now, waiting: Math.max(0, overlays.sas.length - 1), armed }}
      status={[network.token, statusText(chat, Date.now())].filter(Boolean).join(' · ')}
    />
  );
}

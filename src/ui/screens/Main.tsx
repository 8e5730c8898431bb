/**
 * The main screen container: wires the chat store, the history viewport, search, the overlay panels
 * (help, invite, join, code comparison, safety number, contacts, remove question, port-mapping question
 * and reachability, notices), the composer's editor, slash commands, paste detection, settings, the bell
 * and notifications together, and lays out the full screen: the contacts pane at the left, the message
 * pane over the composer at the right (or a panel in their place), the bottom rule and the status bar.
 * Talks to the PvtApi only through its hooks; the pieces it renders are presentational.
 */
import { Box, Text, useInput, usePaste } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { PvtApi, ThemeName, UiSettings } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import { MAX_MESSAGE_BODY_BYTES } from '../../app/constants.ts';
import { parseSubmission, unknownCommandMessage } from '../commands.ts';
import { Composer } from '../components/Composer.tsx';
import { ContactsPane } from '../components/ContactsPane.tsx';
import { Divider, VerticalRule } from '../components/Divider.tsx';
import { helpLayout } from '../components/HelpOverlay.tsx';
import { MessagePane } from '../components/MessagePane.tsx';
import { OverlayView } from '../components/OverlayView.tsx';
import { StatusBar } from '../components/StatusBar.tsx';
import { TooSmall } from '../components/TooSmall.tsx';
import { describeError } from '../errors.ts';
import { sanitizeLine } from '../format/text.ts';
import { useArmed } from '../hooks/useArmed.ts';
import { useBell } from '../hooks/useBell.ts';
import { useContactActions } from '../hooks/useContactActions.ts';
import { useHistoryView } from '../hooks/useHistoryView.ts';
import { useLayout } from '../hooks/useLayout.ts';
import { useLineEditor } from '../hooks/useLineEditor.ts';
import { useMailboxSuggest } from '../hooks/useMailboxSuggest.ts';
import { useNow } from '../hooks/useNow.ts';
import { usePortMapping } from '../hooks/usePortMapping.ts';
import { selectConversation, usePvtStore } from '../hooks/usePvtStore.ts';
import { useRelay } from '../hooks/useRelay.ts';
import { useSearch } from '../hooks/useSearch.ts';
import { useSendQueue } from '../hooks/useSendQueue.ts';
import { useWheel } from '../hooks/useWheel.ts';
import { type Command, commandsFor, isPasteBurst, pastedText } from '../keys.ts';
import type { WheelEvents } from '../mouse-wheel.ts';
import { type ChatState, contactOf, statusText } from '../state/chat.ts';
import {
  initialOverlay,
  overlayIntent,
  reduceOverlay,
  type Visible,
  visibleOverlay,
} from '../state/overlay.ts';
import { useTheme } from '../theme.ts';

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

/** Chunks arriving this soon after a paste are the rest of it (a large paste comes in several reads). */
const PASTE_CONTINUE_MS = 40;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function tooLong(text: string): string | null {
  const bytes = utf8Bytes(text);
  if (bytes <= MAX_MESSAGE_BODY_BYTES) return null;
  return `too long to send: ${bytes.toLocaleString('en-US')} bytes, a message holds ${MAX_MESSAGE_BODY_BYTES.toLocaleString('en-US')} — shorten it`;
}

/** Until the profile's settings are read: the defaults (src/app/ui-settings.ts). */
const DEFAULT_UI_SETTINGS: UiSettings = {
  bell: true,
  notifications: false,
  notifyText: false,
  theme: 'dark',
  timeFormat: '24h',
};

const onOff = (b: boolean): string => (b ? 'on' : 'off');

function settingsLine(s: UiSettings): string {
  return [
    `bell ${onOff(s.bell)}`,
    `notifications ${onOff(s.notifications)}`,
    `notify-text ${onOff(s.notifyText)}`,
    `theme ${s.theme}`,
    `time ${s.timeFormat}`,
  ].join(' · ');
}

function placeholder(chat: ChatState): string {
  if (!chat.loaded) return 'loading…';
  if (chat.selected === SELF_CONVERSATION) return 'Write a note to yourself · Enter sends · ? for help';
  const contact = contactOf(chat, chat.selected);
  const name = sanitizeLine(
    contact?.name ?? chat.conversations.find((c) => c.id === chat.selected)?.title ?? '',
  );
  if (contact?.verification === 'rejected') {
    return `chat with ${name} is refused (the codes differed) · /remove ${name}`;
  }
  if (contact?.verification === 'unverified') {
    return `Message ${name} · not verified yet: /verify ${name} · Enter sends`;
  }
  return `Message ${name} · Enter sends · ? for help`;
}

export function Main(props: MainProps) {
  const { api, onQuit, onFatal, onTheme } = props;
  const layout = useLayout();
  const [chat, dispatch] = usePvtStore(api);
  const [overlays, dispatchOverlay] = useReducer(reduceOverlay, initialOverlay);
  const [settings, setSettings] = useState<UiSettings>(DEFAULT_UI_SETTINGS);
  useBell(
    api,
    {
      bell: props.bell && settings.bell,
      notifications: settings.notifications,
      notifyText: settings.notifyText,
    },
    chat.contacts,
  );

  useEffect(() => {
    let alive = true;
    api.uiSettings().then(
      (s) => {
        if (!alive) return;
        setSettings(s);
        onTheme?.(s.theme);
      },
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, onTheme]);

  const chatRef = useRef(chat);
  chatRef.current = chat;
  const current = useCallback(() => chatRef.current, []);
  const actions = useContactActions(api, dispatch, dispatchOverlay, current);
  const portMapping = usePortMapping(api, chat, overlays.panel !== null, dispatch, dispatchOverlay);
  const relay = useRelay(api, chat, overlays.panel !== null, dispatch, dispatchOverlay);
  const mailboxes = useMailboxSuggest(api, chat, overlays.panel !== null, dispatch, dispatchOverlay);

  const visible = visibleOverlay(overlays);
  const armed = useArmed(visible?.kind === 'sas' ? visible.prompt.contact.id : null);
  const now = useNow(1000, visible?.kind === 'invite');
  const history = useHistoryView(api, chat, dispatch, layout.paneRows, layout.textWidth, settings.timeFormat);
  const search = useSearch(api, chat.selected, dispatch, history.show);
  useWheel(props.wheel, !layout.tooSmall && visible === null, history.scroll);

  // The conversation on screen was removed: back to the notes.
  useEffect(() => {
    if (!chat.loaded || chat.selected === SELF_CONVERSATION) return;
    if (!chat.conversations.some((c) => c.id === chat.selected)) {
      selectConversation(api, dispatch, SELF_CONVERSATION);
    }
  }, [api, dispatch, chat.loaded, chat.selected, chat.conversations]);

  const cycleConversation = useCallback(
    (step: number) => {
      const { conversations, selected } = chatRef.current;
      if (conversations.length < 2) return;
      const at = conversations.findIndex((c) => c.id === selected);
      const next = conversations[(at + step + conversations.length) % conversations.length];
      if (next) selectConversation(api, dispatch, next.id);
    },
    [api, dispatch],
  );

  const clearStatus = useCallback(() => {
    dispatch({ type: 'error', message: null });
    dispatch({ type: 'notice', message: null });
  }, [dispatch]);

  const editorRef = useRef<{ restore: (text: string) => void }>({ restore: () => {} });
  const send = useSendQueue(api, dispatch, current, (text) => editorRef.current.restore(text));

  const changeSetting = (key: string | null, value: string | null): void => {
    if (key === null || value === null) {
      dispatch({ type: 'notice', message: `${settingsLine(settings)} · /set KEY VALUE` });
      return;
    }
    api.setUiSetting(key, value).then(
      (s) => {
        setSettings(s);
        onTheme?.(s.theme);
        dispatch({ type: 'notice', message: `✓ ${settingsLine(s)}` });
      },
      (error: unknown) => {
        dispatch({ type: 'error', message: describeError(error) });
        // A rejected line stays for correction.
        editorRef.current.restore(`/set ${key} ${value}`);
      },
    );
  };

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
            if (submission.set === null) portMapping.show();
            else portMapping.set(submission.set);
            break;
          case 'relay':
            relay.set(submission.set);
            break;
          case 'mailbox':
            if (submission.add === null) mailboxes.show();
            else mailboxes.addNth(submission.add);
            break;
          case 'search':
            search.find(submission.text);
            break;
          case 'set':
            changeSetting(submission.key, submission.value);
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
      case 'port-mapping':
        portMapping.answer(intent.allow);
        return;
      case 'relay':
        relay.answer(intent.allow);
        return;
      case 'mailbox-add': {
        const c = shown.kind === 'mailboxes' ? shown.suggestions.candidates[intent.index] : undefined;
        if (shown.kind === 'mailboxes' && c) mailboxes.add(c, shown.asked);
        return;
      }
      case 'mailbox-decline':
        mailboxes.decline();
        return;
      case 'mailbox-later':
        mailboxes.later();
        return;
      case 'cancel-join':
        actions.cancelJoin();
        return;
    }
  };

  // A burst of lines in one read is a paste (bracketed or not): one draft, never several sends.
  const lastPaste = useRef(Number.NEGATIVE_INFINITY);
  const insertPaste = (text: string): void => {
    // The draft's size is what it held plus the paste, wherever the cursor was.
    const draft = editorState.current + text;
    editor.run([{ type: 'insert', text }]);
    const lines = text.split('\n').length;
    const long = tooLong(draft);
    if (long) dispatch({ type: 'error', message: long });
    else if (lines > 1) {
      dispatch({
        type: 'notice',
        message: `pasted ${lines} lines as one draft · Enter sends it as one message`,
      });
    }
  };

  useInput(
    (input, key) => {
      const t = Date.now();
      if (
        !visible &&
        !key.return &&
        (isPasteBurst(input) || (t - lastPaste.current < PASTE_CONTINUE_MS && input.length > 1))
      ) {
        lastPaste.current = t;
        insertPaste(pastedText(input));
        return;
      }
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

  usePaste(
    (text) => {
      lastPaste.current = Date.now();
      insertPaste(pastedText(text));
    },
    { isActive: !layout.tooSmall && visible === null },
  );

  if (layout.tooSmall) return <TooSmall columns={layout.columns} rows={layout.rows} />;

  const { columns, contactsWidth, textWidth, bodyRows, mainRows, paneRows } = layout;
  const rightWidth = Math.max(1, columns - contactsWidth - 1);
  return (
    <Box flexDirection="column" width={columns} height={layout.rows}>
      {visible ? (
        // A panel takes the whole main area.
        <Box flexDirection="column" height={mainRows} overflow="hidden">
          <OverlayView
            visible={visible}
            layout={layout}
            contacts={chat.contacts}
            now={now}
            waiting={Math.max(0, overlays.sas.length - 1)}
            armed={armed}
          />
        </Box>
      ) : (
        <Box flexDirection="row" height={mainRows}>
          <ContactsPane
            conversations={chat.conversations}
            contacts={chat.contacts}
            selected={chat.selected}
            width={contactsWidth}
            height={mainRows}
          />
          <VerticalRule height={mainRows} teeAt={paneRows} />
          <Box flexDirection="column" width={rightWidth}>
            <Box marginLeft={1}>
              <MessagePane
                frame={history.frame}
                fresh={history.fresh}
                highlight={history.highlight}
                width={textWidth}
                height={paneRows}
                loaded={chat.loaded}
                empty={chat.selected === SELF_CONVERSATION ? 'No notes yet.' : 'No messages yet.'}
              />
            </Box>
            <HorizontalRule width={rightWidth} />
            <Box marginLeft={1}>
              <Composer
                text={editor.state.text}
                cursor={editor.state.cursor}
                width={textWidth}
                height={bodyRows}
                placeholder={placeholder(chat)}
                focused
              />
            </Box>
          </Box>
        </Box>
      )}
      <Divider columns={columns} contactsWidth={contactsWidth} junction={visible ? 'none' : 'up'} />
      <StatusBar
        profile={chat.profile}
        status={[relay.token, statusText(chat, Date.now())].filter(Boolean).join(' · ')}
        error={chat.error}
        notice={chat.notice}
        width={columns - 1}
      />
    </Box>
  );
}

function HorizontalRule(props: { readonly width: number }) {
  const theme = useTheme();
  return (
    <Text {...theme.border} wrap="truncate-end">
      {theme.glyphs.horizontal.repeat(props.width)}
    </Text>
  );
}

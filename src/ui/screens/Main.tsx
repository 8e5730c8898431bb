/**
 * The main screen container: wires the chat store, the overlay panels (help, invite, join, code
 * comparison, safety number, contacts, remove question, port-mapping question and reachability,
 * notices), the composer's editor, slash commands, the bell and the Static refresh together, and lays
 * out the live frame (pending messages, contacts pane | composer — or a panel — and the status bar)
 * under the printed history. Talks to the PvtApi only through its hooks; the pieces it renders are
 * presentational.
 */
import { Box, useInput, usePaste } from 'ink';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { PvtApi } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import { parseSubmission, unknownCommandMessage } from '../commands.ts';
import { Composer } from '../components/Composer.tsx';
import { ContactsPane } from '../components/ContactsPane.tsx';
import { Divider, VerticalRule } from '../components/Divider.tsx';
import { helpLayout } from '../components/HelpOverlay.tsx';
import { MessageList } from '../components/MessageList.tsx';
import { OverlayView } from '../components/OverlayView.tsx';
import { StatusBar } from '../components/StatusBar.tsx';
import { TooSmall } from '../components/TooSmall.tsx';
import { sanitizeLine } from '../format/text.ts';
import { useArmed } from '../hooks/useArmed.ts';
import { useBell } from '../hooks/useBell.ts';
import { useContactActions } from '../hooks/useContactActions.ts';
import { useLayout } from '../hooks/useLayout.ts';
import { useLineEditor } from '../hooks/useLineEditor.ts';
import { useNow } from '../hooks/useNow.ts';
import { usePortMapping } from '../hooks/usePortMapping.ts';
import { selectConversation, usePvtStore } from '../hooks/usePvtStore.ts';
import { useSendQueue } from '../hooks/useSendQueue.ts';
import { useStaticRefresh } from '../hooks/useStaticRefresh.ts';
import { type Command, commandsFor } from '../keys.ts';
import { type ChatState, contactOf, statusText } from '../state/chat.ts';
import {
  initialOverlay,
  overlayIntent,
  reduceOverlay,
  type Visible,
  visibleOverlay,
} from '../state/overlay.ts';

export interface MainProps {
  readonly api: PvtApi;
  readonly bell: boolean;
  readonly onQuit: () => void;
  readonly onFatal: (message: string) => void;
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
  const { api, onQuit, onFatal } = props;
  const layout = useLayout();
  const [chat, dispatch] = usePvtStore(api);
  const [overlays, dispatchOverlay] = useReducer(reduceOverlay, initialOverlay);
  const { epoch, ready, refresh } = useStaticRefresh(layout);
  useBell(api, props.bell);

  const chatRef = useRef(chat);
  chatRef.current = chat;
  const current = useCallback(() => chatRef.current, []);
  const send = useSendQueue(api, dispatch, current);
  const actions = useContactActions(api, dispatch, dispatchOverlay, current);
  const portMapping = usePortMapping(api, chat, overlays.panel !== null, dispatch, dispatchOverlay);

  const visible = visibleOverlay(overlays);
  const armed = useArmed(visible?.kind === 'sas' ? visible.prompt.contact.id : null);
  const now = useNow(1000, visible?.kind === 'invite');

  // A panel that closes (or gives way to another) changes the frame's height: print the history again
  // so the frame sits at the bottom. Likewise when another conversation is shown.
  const shownPanel = useRef<Visible['kind'] | null>(null);
  const visibleKind = visible?.kind ?? null;
  useEffect(() => {
    if (shownPanel.current !== null && shownPanel.current !== visibleKind) refresh();
    shownPanel.current = visibleKind;
  }, [visibleKind, refresh]);
  const shownConversation = useRef(chat.selected);
  useEffect(() => {
    if (shownConversation.current === chat.selected) return;
    shownConversation.current = chat.selected;
    refresh();
  }, [chat.selected, refresh]);

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

  const editor = useLineEditor(
    { multiline: true },
    {
      onSubmit: (text) => {
        const submission = parseSubmission(text);
        if (submission.kind === 'blank') return false;
        clearStatus();
        switch (submission.kind) {
          case 'text':
            send(submission.text);
            break;
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
          case 'usage':
            dispatch({ type: 'error', message: submission.message });
            break;
          case 'unknown':
            dispatch({ type: 'error', message: unknownCommandMessage(submission.name) });
            break;
        }
        return true;
      },
      onUnhandled: (command: Command) => {
        if (command.type === 'eof') onQuit();
        else if (command.type === 'escape') clearStatus();
        else if (command.type === 'redraw') refresh();
        else if (command.type === 'tab' || command.type === 'nextConversation') cycleConversation(1);
        else if (command.type === 'backtab' || command.type === 'prevConversation') cycleConversation(-1);
      },
    },
  );

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
      case 'cancel-join':
        actions.cancelJoin();
        return;
    }
  };

  useInput(
    (input, key) => {
      const commands = commandsFor(input, key);
      if (visible) {
        onOverlayKey(visible, input, commands);
        return;
      }
      if (input === '?' && editor.state.text === '' && !key.ctrl && !key.meta) {
        dispatchOverlay({ type: 'open', panel: { kind: 'help', offset: 0 } });
        return;
      }
      editor.run(commands);
    },
    { isActive: !layout.tooSmall },
  );

  usePaste((text) => editor.run([{ type: 'insert', text }]), {
    isActive: !layout.tooSmall && visible === null,
  });

  if (layout.tooSmall) return <TooSmall columns={layout.columns} rows={layout.rows} />;

  const { columns, contactsWidth, textWidth, bodyRows } = layout;
  return (
    <Box flexDirection="column" width={columns}>
      <MessageList
        messages={chat.messages}
        columns={columns}
        contactsWidth={contactsWidth}
        textWidth={textWidth}
        epoch={epoch}
        ready={ready && chat.loaded}
        showLive={visible === null}
      />
      <Divider columns={columns} contactsWidth={contactsWidth} junction={visible ? 'up' : 'cross'} />
      {visible ? (
        // Never shorter than the body it covers: a frame that shrinks leaves blank rows under it.
        <Box flexDirection="column" minHeight={bodyRows}>
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
        <Box flexDirection="row" height={bodyRows}>
          <ContactsPane
            conversations={chat.conversations}
            contacts={chat.contacts}
            selected={chat.selected}
            width={contactsWidth}
            height={bodyRows}
          />
          <VerticalRule height={bodyRows} />
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
      )}
      <Divider columns={columns} contactsWidth={contactsWidth} junction={visible ? 'none' : 'up'} />
      <StatusBar
        profile={chat.profile}
        status={statusText(chat, Date.now())}
        error={chat.error}
        notice={chat.notice}
        width={columns - 1}
      />
    </Box>
  );
}

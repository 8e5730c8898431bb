/**
 * The main screen's full-screen frame: the contacts pane at the left (with the offline joins in
 * progress), the message pane over the composer at the right — or the panel on screen in their place —
 * then the bottom rule and the status bar. Presentational: everything comes in through props; knows
 * nothing about the PvtApi, keys or how the state is kept.
 */
import { Box } from 'ink';
import type { PendingJoinView } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import type { Layout } from '../layout.ts';
import type { ChatState } from '../state/chat.ts';
import type { Visible } from '../state/overlay.ts';
import type { Frame } from '../state/viewport.ts';
import { Composer } from './Composer.tsx';
import { ContactsPane } from './ContactsPane.tsx';
import { Divider, HorizontalRule, VerticalRule } from './Divider.tsx';
import { MessagePane } from './MessagePane.tsx';
import { OverlayView } from './OverlayView.tsx';
import { StatusBar } from './StatusBar.tsx';

export interface MainFrameProps {
  readonly layout: Layout;
  readonly chat: ChatState;
  readonly joining: readonly PendingJoinView[];
  /** The message pane's rows, new-message count and search hit (useHistoryView). */
  readonly history: { readonly frame: Frame; readonly fresh: number; readonly highlight: string | null };
  readonly composer: { readonly text: string; readonly cursor: number; readonly placeholder: string };
  /** The panel or code comparison on screen, if any, with what it needs. */
  readonly overlay: {
    readonly visible: Visible | null;
    readonly now: number;
    /** Code comparisons queued after the one shown. */
    readonly waiting: number;
    readonly armed: boolean;
  };
  /** The status bar's middle part. */
  readonly status: string;
}

export function MainFrame(props: MainFrameProps) {
  const { layout, chat, overlay } = props;
  const { columns, contactsWidth, textWidth, bodyRows, mainRows, paneRows } = layout;
  const rightWidth = Math.max(1, columns - contactsWidth - 1);
  return (
    <Box flexDirection="column" width={columns} height={layout.rows}>
      {overlay.visible ? (
        // A panel takes the whole main area.
        <Box flexDirection="column" height={mainRows} overflow="hidden">
          <OverlayView
            visible={overlay.visible}
            layout={layout}
            contacts={chat.contacts}
            joining={props.joining}
            now={overlay.now}
            waiting={overlay.waiting}
            armed={overlay.armed}
          />
        </Box>
      ) : (
        <Box flexDirection="row" height={mainRows}>
          <ContactsPane
            conversations={chat.conversations}
            contacts={chat.contacts}
            selected={chat.selected}
            joining={props.joining}
            width={contactsWidth}
            height={mainRows}
          />
          <VerticalRule height={mainRows} teeAt={paneRows} />
          <Box flexDirection="column" width={rightWidth}>
            <Box marginLeft={1}>
              <MessagePane
                frame={props.history.frame}
                fresh={props.history.fresh}
                highlight={props.history.highlight}
                width={textWidth}
                height={paneRows}
                loaded={chat.loaded}
                empty={chat.selected === SELF_CONVERSATION ? 'No notes yet.' : 'No messages yet.'}
              />
            </Box>
            <HorizontalRule width={rightWidth} />
            <Box marginLeft={1}>
              <Composer
                text={props.composer.text}
                cursor={props.composer.cursor}
                width={textWidth}
                height={bodyRows}
                placeholder={props.composer.placeholder}
                focused
              />
            </Box>
          </Box>
        </Box>
      )}
      <Divider columns={columns} contactsWidth={contactsWidth} junction={overlay.visible ? 'none' : 'up'} />
      <StatusBar
        profile={chat.profile}
        status={props.status}
        error={chat.error}
        notice={chat.notice}
        width={columns - 1}
      />
    </Box>
  );
}

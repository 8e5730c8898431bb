/**
 * The message pane. Finished messages go into Ink <Static>: printed once above the live frame into the
 * terminal's scrollback and never rendered again, so a long history neither flickers nor slows typing.
 * Outgoing messages whose state may still change (pending/sent) stay in the live frame until final.
 * The <Static> is keyed by `epoch` and only rendered when `ready` (see useStaticRefresh and docs/tui.md).
 */
import { Box, Static } from 'ink';
import { useMemo, useRef } from 'react';
import type { MessageView } from '../../app/api.ts';
import { buildTimeline, lastDay, printableCount } from '../state/timeline.ts';
import { type RowGeometry, TimelineRow } from './TimelineRow.tsx';

export interface MessageListProps extends RowGeometry {
  readonly messages: readonly MessageView[];
  readonly columns: number;
  readonly epoch: number;
  readonly ready: boolean;
  /** False while a panel covers the frame: the live tail is not drawn (the frame must fit the screen). */
  readonly showLive?: boolean;
}

export function MessageList(props: MessageListProps) {
  const { messages, epoch, contactsWidth, textWidth } = props;
  // What has been printed stays printed: the split point only moves forward within an epoch.
  const printed = useRef({ epoch, count: 0 });
  if (printed.current.epoch !== epoch) printed.current = { epoch, count: 0 };
  const count = printableCount(messages, props.ready ? printed.current.count : 0);
  if (props.ready) printed.current.count = count;

  const finished = useMemo(() => messages.slice(0, count), [messages, count]);
  const staticItems = useMemo(() => buildTimeline(finished, null), [finished]);
  const liveItems = buildTimeline(messages.slice(count), lastDay(finished));
  const style = useMemo(() => ({ width: props.columns }), [props.columns]);

  return (
    <>
      {props.ready ? (
        <Static key={epoch} items={staticItems} style={style}>
          {(item) => (
            <TimelineRow key={item.key} item={item} contactsWidth={contactsWidth} textWidth={textWidth} />
          )}
        </Static>
      ) : null}
      {liveItems.length > 0 && props.showLive !== false ? (
        <Box flexDirection="column">
          {liveItems.map((item) => (
            <TimelineRow key={item.key} item={item} contactsWidth={contactsWidth} textWidth={textWidth} />
          ))}
        </Box>
      ) : null}
    </>
  );
}

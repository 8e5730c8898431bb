/**
 * The message pane: exactly `height` rows of the viewport's frame (day separators, messages with their
 * time, body rows and state glyph), a "▲ N older" marker on the top row when there is history above the
 * view and a "▼ N newer" marker on the bottom row when there is more below it. Every row is cut to the
 * pane width, so nothing spills over the pane edge. Presentational: the viewport hook decides the rows.
 */
import { Box, Text } from 'ink';
import { type MessageView, SELF_CONVERSATION } from '../../app/api.ts';
import { padEnd } from '../format/text.ts';
import type { Frame, ViewRow } from '../state/viewport.ts';
import { stateStyle, useTheme } from '../theme.ts';

export interface MessagePaneProps {
  readonly frame: Frame;
  readonly fresh: number;
  readonly highlight: string | null;
  readonly width: number;
  readonly height: number;
  readonly loaded: boolean;
  readonly empty: string;
}

const count = (n: number): string => n.toLocaleString('en-US');

function Row(props: { readonly row: ViewRow; readonly width: number; readonly highlight: string | null }) {
  const theme = useTheme();
  const { row, width } = props;
  if (row.kind === 'day') {
    return (
      <Text {...theme.muted} wrap="truncate-end">
        {padEnd(`── ${row.label} ──`, width)}
      </Text>
    );
  }
  const m: MessageView = row.message;
  const incoming = m.direction === 'in';
  // A message to a contact in state 'stored' waits in the contact's mailbox (a note's 'stored' is final).
  const inMailbox = m.state === 'stored' && m.conversationId !== SELF_CONVERSATION;
  const glyph = incoming ? '' : inMailbox ? '✉' : theme.glyphs.state[m.state];
  const lit = props.highlight === m.id;
  const bodyStyle = lit ? { inverse: true } : incoming ? theme.incoming : theme.plain;
  return (
    <Text wrap="truncate-end">
      {row.line === 0 ? (
        <>
          <Text {...theme.muted}>{row.time}</Text>
          {incoming ? <Text {...theme.incoming}>{`${theme.glyphs.incoming} `}</Text> : '  '}
        </>
      ) : (
        ' '.repeat(row.time.length + 2)
      )}
      <Text {...bodyStyle}>{row.text}</Text>
      {glyph && row.last ? (
        <Text {...stateStyle(theme, m.state)}>
          {' '}
          {glyph}
          {m.state === 'failed' && m.failure ? ` ${m.failure}` : ''}
        </Text>
      ) : null}
    </Text>
  );
}

export function MessagePane(props: MessagePaneProps) {
  const theme = useTheme();
  const { frame, width, height } = props;
  const rows: React.ReactNode[] = frame.rows.map((row) => (
    <Row key={row.key} row={row} width={width} highlight={props.highlight} />
  ));
  if (!props.loaded)
    rows.splice(
      0,
      rows.length,
      <Text key="loading" {...theme.muted}>
        loading…
      </Text>,
    );
  else if (frame.rows.length === 0) {
    rows.push(
      <Text key="empty" {...theme.muted} wrap="truncate-end">
        {props.empty}
      </Text>,
    );
  }
  // A short conversation sits at the bottom of the pane, like a chat.
  const padding = Math.max(0, height - rows.length);
  if (frame.above > 0 && rows.length > 0) {
    const marker = `▲ ${count(frame.above)} older · PgUp`;
    rows[0] = (
      <Text key="older" {...theme.accent} wrap="truncate-end">
        {padEnd(marker, width)}
      </Text>
    );
  }
  if (frame.below > 0 && rows.length > 0) {
    const marker =
      props.fresh > 0
        ? `▼ ${count(props.fresh)} new · ${count(frame.below)} below · End`
        : `▼ ${count(frame.below)} newer · End`;
    rows[rows.length - 1] = (
      <Text key="newer" {...theme.accent} bold wrap="truncate-end">
        {padEnd(marker, width)}
      </Text>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {padding > 0 ? <Box height={padding} /> : null}
      {rows}
    </Box>
  );
}

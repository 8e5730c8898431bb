/**
 * One item of the message pane: a day separator or a message (timestamp, body rows wrapped to the text
 * column, state glyph after outgoing messages), each row drawn behind the contacts-pane gutter and the
 * divider so printed history lines up with the live frame. Knows the layout numbers it is given.
 */
import { Box, Text } from 'ink';
import { type MessageView, SELF_CONVERSATION } from '../../app/api.ts';
import { BODY_INDENT, layoutMessage, type TimelineItem } from '../state/timeline.ts';
import { stateStyle, useTheme } from '../theme.ts';

export interface RowGeometry {
  readonly contactsWidth: number;
  readonly textWidth: number;
}

function Gutter(props: { readonly contactsWidth: number }) {
  const theme = useTheme();
  return (
    <>
      {' '.repeat(props.contactsWidth)}
      <Text {...theme.border}>{theme.glyphs.vertical}</Text>{' '}
    </>
  );
}

export function DayRow(props: { readonly label: string } & RowGeometry) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      <Gutter contactsWidth={props.contactsWidth} />
      <Text {...theme.muted}>── {props.label} ──</Text>
    </Text>
  );
}

export function MessageRow(props: { readonly message: MessageView } & RowGeometry) {
  const theme = useTheme();
  const { message } = props;
  const { time, rows } = layoutMessage(message, props.textWidth);
  const incoming = message.direction === 'in';
  // A message to a contact in state 'stored' waits in the contact's mailbox (a note's 'stored' is final).
  const inMailbox = message.state === 'stored' && message.conversationId !== SELF_CONVERSATION;
  const glyph = incoming ? '' : inMailbox ? '✉' : theme.glyphs.state[message.state];
  const indent = ' '.repeat(BODY_INDENT);
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows of one message never reorder.
        <Text key={i} wrap="truncate-end">
          <Gutter contactsWidth={props.contactsWidth} />
          {i === 0 ? (
            <>
              <Text {...theme.muted}>{time}</Text>
              {incoming ? <Text {...theme.incoming}>{`${theme.glyphs.incoming} `}</Text> : '  '}
            </>
          ) : (
            indent
          )}
          <Text {...(incoming ? theme.incoming : theme.plain)}>{row}</Text>
          {glyph && i === rows.length - 1 ? (
            <Text {...stateStyle(theme, message.state)}>
              {' '}
              {glyph}
              {message.state === 'failed' && message.failure ? ` ${message.failure}` : ''}
            </Text>
          ) : null}
        </Text>
      ))}
    </Box>
  );
}

export function TimelineRow(props: { readonly item: TimelineItem } & RowGeometry) {
  const { item, ...geometry } = props;
  return item.kind === 'day' ? (
    <DayRow label={item.label} {...geometry} />
  ) : (
    <MessageRow message={item.message} {...geometry} />
  );
}

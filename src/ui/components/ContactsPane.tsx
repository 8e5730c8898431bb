/**
 * The conversations list at the left of the live frame: a header, then "Note to self" and one row per
 * contact — the selection marked with ">" (visible without colour) and highlighted, the verification
 * mark (✓ verified, ? not compared yet, ✗ the codes differed), the name, the unread count and the path
 * badge (LAN / direct / offline; short forms in a narrow pane). Shows a window around the selection
 * when there are more conversations than rows. Under them, dimmed, the offline joins in progress
 * ("joining Ann… (waiting in the inviter's mailbox)", wrapped to the pane): they may take the rows the
 * conversations do not need, and at least half the pane. Knows only what it is given.
 */
import { Box, Text } from 'ink';
import type { ContactView, ConversationId, ConversationSummary, PendingJoinView } from '../../app/api.ts';
import { pathLabel } from '../format/contact.ts';
import { pendingJoinRows } from '../format/pending-join.ts';
import { displayWidth, padEnd, sanitizeLine, truncate } from '../format/text.ts';
import { pathStyle, useTheme, verificationStyle } from '../theme.ts';

export interface ContactsPaneProps {
  readonly conversations: readonly ConversationSummary[];
  readonly contacts: readonly ContactView[];
  readonly selected: ConversationId;
  /** Offline joins in progress, oldest first. */
  readonly joining: readonly PendingJoinView[];
  readonly width: number;
  readonly height: number;
}

/** Below this pane width the path badges use their short forms. */
const LONG_BADGE_MIN_WIDTH = 24;

function unreadLabel(n: number): string {
  if (n <= 0) return '';
  return n > 999 ? '999+' : String(n);
}

function Row(props: {
  readonly conversation: ConversationSummary;
  readonly contact: ContactView | undefined;
  readonly selected: boolean;
  readonly width: number;
}) {
  const theme = useTheme();
  const { conversation, contact, selected, width } = props;
  const unread = unreadLabel(conversation.unread);
  const badge = contact ? pathLabel(contact.path, width < LONG_BADGE_MIN_WIDTH) : '';
  // "> ✓ " before a contact's name ("> " before "Note to self"); " 12 LAN" and one free cell after it.
  const lead = contact ? 4 : 2;
  const right = (unread ? displayWidth(unread) + 1 : 0) + (badge ? displayWidth(badge) + 1 : 0);
  const room = Math.max(1, width - lead - right - 1);
  const title = truncate(sanitizeLine(contact?.name ?? conversation.title), room);
  const gap = ' '.repeat(Math.max(1, room - displayWidth(title) + 1));
  const marker = selected ? theme.glyphs.selected : theme.glyphs.unselected;
  return (
    <Text wrap="truncate-end">
      <Text {...(selected ? theme.selected : theme.plain)}>{marker} </Text>
      {contact ? (
        <Text {...verificationStyle(theme, contact.verification)}>
          {theme.glyphs.verification[contact.verification]}{' '}
        </Text>
      ) : null}
      <Text {...(selected ? theme.selected : theme.plain)}>{title}</Text>
      {gap}
      {unread ? (
        <Text {...theme.accent} bold>
          {unread}
        </Text>
      ) : null}
      {unread && badge ? ' ' : null}
      {badge && contact ? <Text {...pathStyle(theme, contact.path)}>{badge}</Text> : null}
    </Text>
  );
}

/** The rows of the offline joins that fit in `room` rows: whole joins, then "+N more joins" if cut. */
export function joiningRows(joins: readonly PendingJoinView[], width: number, room: number): string[] {
  const rows: string[] = [];
  // Two cells of indent (under the selection marker), one free at the right.
  const blocks = joins.map((p) => pendingJoinRows(p, width - 3).map((r) => `  ${r}`));
  const total = blocks.reduce((n, b) => n + b.length, 0);
  const fit = total <= room ? room : room - 1;
  let shown = 0;
  for (const b of blocks) {
    if (rows.length + b.length > fit) break;
    rows.push(...b);
    shown++;
  }
  if (shown < joins.length && room > 0)
    rows.push(truncate(`  +${joins.length - shown} more joins`, width - 1));
  return rows;
}

export function ContactsPane(props: ContactsPaneProps) {
  const theme = useTheme();
  const { conversations, selected, width, height } = props;
  const all = Math.max(0, height - 1);
  const joinRoom = Math.max(Math.floor(all / 2), all - Math.min(conversations.length, all));
  const joins = joiningRows(props.joining, width, joinRoom);
  const slots = all - joins.length;
  const at = Math.max(
    0,
    conversations.findIndex((c) => c.id === selected),
  );
  const top = Math.max(0, Math.min(at - slots + 1, conversations.length - slots));
  const shown = conversations.slice(top, top + slots);
  const byConversation = new Map(props.contacts.map((c) => [c.conversationId, c]));
  const hidden = conversations.length - shown.length;
  // With more conversations than rows, the header says how many there are.
  const counted = ` Conversations (${conversations.length})`;
  const header =
    hidden === 0
      ? ' Conversations'
      : displayWidth(counted) <= width
        ? counted
        : ` Chats (${conversations.length})`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text {...theme.muted} wrap="truncate-end">
        {padEnd(header, width)}
      </Text>
      {shown.map((c) => (
        <Row
          key={c.id}
          conversation={c}
          contact={byConversation.get(c.id)}
          selected={c.id === selected}
          width={width}
        />
      ))}
      {joins.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows of wrapped text have no identity of their own.
        <Text key={i} {...theme.muted} wrap="truncate-end">
          {r}
        </Text>
      ))}
    </Box>
  );
}

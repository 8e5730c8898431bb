/**
 * The `/contacts` panel: one row per contact — verification mark, name, the verification and path in
 * words, the short fingerprint, when it was added — or how to add one when there are none — then, dimmed,
 * the offline joins in progress ("… joining Ann… (waiting in the inviter's mailbox)"). Cut to the rows it
 * is given ("… and N more"). Presentational.
 */
import { Text } from 'ink';
import type { ContactView, PendingJoinView } from '../../app/api.ts';
import { pathLabel, verificationLabel } from '../format/contact.ts';
import { pendingJoinText } from '../format/pending-join.ts';
import { padEnd, sanitizeLine } from '../format/text.ts';
import { formatDay } from '../format/time.ts';
import { pathStyle, useTheme, verificationStyle } from '../theme.ts';
import { Panel } from './Panel.tsx';

const NAME_CELLS = 20;

export function ContactList(props: {
  readonly contacts: readonly ContactView[];
  readonly joining: readonly PendingJoinView[];
  readonly width: number;
  readonly rows: number;
}) {
  const theme = useTheme();
  const { contacts } = props;
  // The joins get a row each while they leave the contacts at least half the panel.
  const all = Math.max(1, props.rows - 1);
  const half = Math.floor(all / 2);
  const joins = props.joining.length > half ? props.joining.slice(0, Math.max(0, half - 1)) : props.joining;
  const moreJoins = props.joining.length - joins.length;
  const room = Math.max(1, all - joins.length - (moreJoins > 0 ? 1 : 0));
  const shown = contacts.length > room ? contacts.slice(0, room - 1) : contacts;
  return (
    <Panel title={`Contacts (${contacts.length})`} hint="Esc closes" width={props.width}>
      {contacts.length === 0 ? (
        <Text wrap="wrap" {...theme.muted}>
          No contacts yet. /invite shows an invite to give someone; /join CODE uses theirs.
        </Text>
      ) : null}
      {shown.map((c) => (
        <Text key={c.id} wrap="truncate-end">
          <Text {...verificationStyle(theme, c.verification)}>
            {theme.glyphs.verification[c.verification]}
          </Text>{' '}
          <Text bold>{padEnd(sanitizeLine(c.name), NAME_CELLS)}</Text>{' '}
          <Text {...verificationStyle(theme, c.verification)}>
            {padEnd(verificationLabel(c.verification), 15)}
          </Text>
          <Text {...pathStyle(theme, c.path)}>{padEnd(pathLabel(c.path), 8)}</Text>
          <Text {...theme.muted}>
            {c.fingerprint} · added {formatDay(c.addedAt)}
          </Text>
        </Text>
      ))}
      {shown.length < contacts.length ? (
        <Text {...theme.muted}>… and {contacts.length - shown.length} more</Text>
      ) : null}
      {joins.map((p) => (
        <Text key={p.id} {...theme.muted} wrap="truncate-end">
          … {pendingJoinText(p)}
        </Text>
      ))}
      {moreJoins > 0 ? <Text {...theme.muted}>… and {moreJoins} more joins</Text> : null}
    </Panel>
  );
}

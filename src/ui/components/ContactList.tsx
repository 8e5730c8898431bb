/**
 * The `/contacts` panel: one row per contact — verification mark, name, the verification and path in
 * words, the short fingerprint, when it was added — or how to add one when there are none. Cut to the
 * rows it is given ("… and N more"). Presentational.
 */
import { Text } from 'ink';
import type { ContactView } from '../../app/api.ts';
import { pathLabel, verificationLabel } from '../format/contact.ts';
import { padEnd, sanitizeLine } from '../format/text.ts';
import { formatDay } from '../format/time.ts';
import { pathStyle, useTheme, verificationStyle } from '../theme.ts';
import { Panel } from './Panel.tsx';

const NAME_CELLS = 20;

export function ContactList(props: {
  readonly contacts: readonly ContactView[];
  readonly width: number;
  readonly rows: number;
}) {
  const theme = useTheme();
  const { contacts } = props;
  const room = Math.max(1, props.rows - 1);
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
    </Panel>
  );
}

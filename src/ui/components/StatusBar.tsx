/**
 * The status bar: who you are (display name + short fingerprint), the connectivity/status line (or the
 * last rejected command, or the last confirmation, which take its place until cleared), and the help
 * hint at the right. One row, cut to the width in terminal cells. Knows only what it is given.
 */
import { Text } from 'ink';
import type { ProfileInfo } from '../../app/api.ts';
import { displayWidth, sanitizeLine, truncate } from '../format/text.ts';
import { useTheme } from '../theme.ts';

export interface StatusBarProps {
  readonly profile: ProfileInfo | null;
  readonly status: string;
  readonly error: string | null;
  readonly notice?: string | null;
  readonly width: number;
}

export const HELP_HINT = '? help';

/** "3KQ7-9XWA-M2TD-P4FE" → "3KQ7-9XWA". */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.split('-').slice(0, 2).join('-');
}

export function StatusBar(props: StatusBarProps) {
  const theme = useTheme();
  const sep = ` ${theme.glyphs.separator} `;
  const who = props.profile
    ? `${sanitizeLine(props.profile.displayName)}${sep}${shortFingerprint(props.profile.fingerprint)}`
    : 'loading…';
  const right = ` ${HELP_HINT}`;
  const room = Math.max(0, props.width - displayWidth(right));
  const whoShown = truncate(` ${who}`, room);
  const middleRoom = Math.max(0, room - displayWidth(whoShown) - displayWidth(sep));
  const notice = props.error ? null : (props.notice ?? null);
  const middle = truncate(
    props.error
      ? `! ${sanitizeLine(props.error)}`
      : notice
        ? sanitizeLine(notice)
        : sanitizeLine(props.status),
    middleRoom,
  );
  const middleStyle = props.error ? theme.error : notice ? theme.ok : theme.muted;
  const used = displayWidth(whoShown) + (middle ? displayWidth(sep) + displayWidth(middle) : 0);
  const gap = ' '.repeat(Math.max(0, room - used));
  return (
    <Text wrap="truncate-end">
      <Text {...theme.title}>{whoShown}</Text>
      {middle ? (
        <>
          <Text {...theme.muted}>{sep}</Text>
          <Text {...middleStyle}>{middle}</Text>
        </>
      ) : null}
      {gap}
      <Text {...theme.muted}>{right}</Text>
    </Text>
  );
}

/**
 * The `/join` panel: a spinner with what is happening while the join runs ("dialling the inviter,
 * post-quantum handshake"; Esc cancels — or, once the request waits in the inviter's mailbox, that it
 * does, and Esc only stops waiting), or why it failed, said plainly, with what to do next.
 * Presentational.
 */
import { Text } from 'ink';
import { wrapText } from '../format/text.ts';
import { useTheme } from '../theme.ts';
import { Lines, Panel } from './Panel.tsx';
import { Spinner } from './Spinner.tsx';

export const JOINING = 'joining… dialling the inviter, post-quantum handshake';
/** The join fell back to the inviter's mailbox (docs/protocol/mailbox.md, "Offline join"). */
export const JOIN_WAITING =
  'the inviter is away: your request waits in its mailbox — you can press Esc, pvt finishes the join when the inviter comes online';

export function JoiningPanel(props: { readonly width: number; readonly waiting?: boolean }) {
  return (
    <Panel title="Joining" hint={props.waiting ? 'Esc stops waiting' : 'Esc cancels'} width={props.width}>
      <Spinner label={props.waiting ? JOIN_WAITING : JOINING} />
    </Panel>
  );
}

export function JoinFailedPanel(props: { readonly message: string; readonly width: number }) {
  const theme = useTheme();
  return (
    <Panel title="Could not join" hint="Esc closes" width={props.width} titleStyle={theme.error}>
      <Lines keyPrefix="why" style={theme.error} lines={wrapText(`! ${props.message}`, props.width - 2)} />
      <Text wrap="truncate-end" {...theme.muted}>
        Nothing was added. /join CODE tries again.
      </Text>
    </Panel>
  );
}

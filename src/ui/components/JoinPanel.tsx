/**
 * The `/join` panel: a spinner with what is happening while the join runs ("dialling the inviter,
 * post-quantum handshake"; Esc cancels), or why it failed, said plainly, with what to do next.
 * Presentational.
 */
import { Text } from 'ink';
import { wrapText } from '../format/text.ts';
import { useTheme } from '../theme.ts';
import { Lines, Panel } from './Panel.tsx';
import { Spinner } from './Spinner.tsx';

export const JOINING = 'joining… dialling the inviter, post-quantum handshake';

export function JoiningPanel(props: { readonly width: number }) {
  return (
    <Panel title="Joining" hint="Esc cancels" width={props.width}>
      <Spinner label={JOINING} />
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

/**
 * The one line shown instead of any layout when the terminal is below the minimum size. Knows only the
 * size.
 */
import { Text } from 'ink';
import { tooSmallMessage } from '../layout.ts';
import { useTheme } from '../theme.ts';

export function TooSmall(props: { readonly columns: number; readonly rows: number }) {
  const theme = useTheme();
  return (
    <Text {...theme.error} wrap="truncate-end">
      {tooSmallMessage(props.columns, props.rows)}
    </Text>
  );
}

/**
 * One displayed row of an editor field, with the cursor drawn as an inverse cell (no colour needed).
 * Used by the composer and the onboarding/unlock fields. Knows nothing about editing.
 */
import { Text } from 'ink';
import type { EditorRow } from '../editor/editor-rows.ts';
import { useTheme } from '../theme.ts';

export function EditorLine(props: { readonly row: EditorRow; readonly showCursor: boolean }) {
  const theme = useTheme();
  const { row } = props;
  if (row.at === null) return <>{row.before}</>;
  return (
    <>
      {row.before}
      {props.showCursor ? <Text {...theme.cursor}>{row.at}</Text> : row.at}
      {row.after}
    </>
  );
}

/**
 * A panel of a few wrapped lines: a notice (e.g. why chat with a rejected contact is refused) or a
 * yes/no question such as "Remove Grace?" with its answer keys. Presentational.
 */
import { Text } from 'ink';
import { wrapText } from '../format/text.ts';
import { useTheme } from '../theme.ts';
import { Lines, Panel } from './Panel.tsx';

export function MessagePanel(props: {
  readonly title: string;
  readonly lines: readonly string[];
  readonly tone: 'ok' | 'error' | 'question';
  readonly keys: string | null;
  readonly hint: string;
  readonly width: number;
}) {
  const theme = useTheme();
  const textWidth = Math.max(10, props.width - 2);
  const titleStyle = props.tone === 'error' ? theme.error : props.tone === 'ok' ? theme.ok : theme.title;
  return (
    <Panel title={props.title} hint={props.hint} width={props.width} titleStyle={titleStyle}>
      {props.lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text never reorder.
        <Lines key={i} keyPrefix={`l${i}`} lines={wrapText(line, textWidth)} />
      ))}
      {props.keys ? (
        <Text wrap="truncate-end" {...theme.accent}>
          {props.keys}
        </Text>
      ) : null}
    </Panel>
  );
}

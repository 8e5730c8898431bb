/**
 * The composer at the bottom right: the editor text wrapped to its width (terminal cells), scrolled so
 * the cursor row is visible, always exactly `height` rows tall so the live frame keeps its size. Shows a
 * placeholder when empty. Presentational: the editor state lives in the main screen container.
 */
import { Box, Text } from 'ink';
import { editorRows, visibleWindow } from '../editor/editor-rows.ts';
import { truncate } from '../format/text.ts';
import { useTheme } from '../theme.ts';
import { EditorLine } from './EditorLine.tsx';

export interface ComposerProps {
  readonly text: string;
  readonly cursor: number;
  readonly width: number;
  readonly height: number;
  readonly placeholder: string;
  readonly focused: boolean;
}

const PROMPT_CELLS = 2;

export function Composer(props: ComposerProps) {
  const theme = useTheme();
  const { width, height } = props;
  const textWidth = Math.max(2, width - PROMPT_CELLS);
  const prompt = <Text {...theme.accent}>{`${theme.glyphs.prompt} `}</Text>;

  if (props.text === '') {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text wrap="truncate-end">
          {prompt}
          {props.focused ? <Text {...theme.cursor}> </Text> : ' '}
          <Text {...theme.muted}>{truncate(props.placeholder, textWidth - 1)}</Text>
        </Text>
      </Box>
    );
  }

  const { rows, cursorRow } = editorRows(props.text, props.cursor, textWidth);
  const shown = visibleWindow(rows, cursorRow, height);
  const firstShown = rows.indexOf(shown[0]!);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the window.
        <Text key={i} wrap="truncate-end">
          {firstShown + i === 0 ? prompt : '  '}
          <EditorLine row={row} showCursor={props.focused} />
        </Text>
      ))}
    </Box>
  );
}

/**
 * A labelled input field for the onboarding and unlock screens: the editor text (or one mask character
 * per grapheme for passphrases) wrapped to the field width with an inverse cursor, at most MAX_ROWS rows.
 * Presentational: the editor state lives in the screen's reducer.
 */
import { Box, Text } from 'ink';
import { editorRows, masked as maskText, visibleWindow } from '../editor/editor-rows.ts';
import type { EditorState } from '../editor/line-editor.ts';
import { useTheme } from '../theme.ts';
import { EditorLine } from './EditorLine.tsx';

const MAX_ROWS = 3;

export interface TextFieldProps {
  readonly label: string;
  readonly editor: EditorState;
  readonly width: number;
  readonly masked?: boolean;
}

export function TextField(props: TextFieldProps) {
  const theme = useTheme();
  const shown = props.masked
    ? maskText(props.editor.text, props.editor.cursor, theme.glyphs.mask)
    : { text: props.editor.text, cursor: props.editor.cursor };
  const { rows, cursorRow } = editorRows(shown.text, shown.cursor, Math.max(4, props.width - 2));
  return (
    <Box flexDirection="column">
      <Text {...theme.title}>{props.label}</Text>
      {visibleWindow(rows, cursorRow, MAX_ROWS).map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the window.
        <Text key={i} wrap="truncate-end">
          <Text {...theme.accent}>{i === 0 ? `${theme.glyphs.prompt} ` : '  '}</Text>
          <EditorLine row={row} showCursor />
        </Text>
      ))}
    </Box>
  );
}

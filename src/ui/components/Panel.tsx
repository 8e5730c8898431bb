/**
 * The frame every overlay panel shares: a title at the left and a muted hint at the right ("Esc
 * closes") on the first row, then the body, indented by one cell. Takes the full width of the live
 * frame in place of the contacts pane and composer. Presentational.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { displayWidth, sanitizeLine, truncate } from '../format/text.ts';
import { type TextStyle, useTheme } from '../theme.ts';

export interface PanelProps {
  readonly title: string;
  readonly hint: string;
  readonly width: number;
  readonly titleStyle?: TextStyle;
  readonly children: ReactNode;
}

export function Panel(props: PanelProps) {
  const theme = useTheme();
  const hint = props.hint ? `${props.hint} ` : '';
  const title = truncate(` ${sanitizeLine(props.title)}`, Math.max(1, props.width - displayWidth(hint) - 1));
  const gap = ' '.repeat(Math.max(1, props.width - displayWidth(title) - displayWidth(hint)));
  return (
    <Box flexDirection="column" width={props.width}>
      <Text wrap="truncate-end">
        <Text {...(props.titleStyle ?? theme.title)}>{title}</Text>
        {gap}
        <Text {...theme.muted}>{hint}</Text>
      </Text>
      <Box flexDirection="column" marginLeft={1} width={Math.max(1, props.width - 1)}>
        {props.children}
      </Box>
    </Box>
  );
}

/** Lines of text wrapped to `width` cells, each its own row (so the panel's height is known). */
export function Lines(props: {
  readonly lines: readonly string[];
  readonly style?: TextStyle;
  readonly keyPrefix: string;
}) {
  return (
    <>
      {props.lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows of a fixed text never reorder.
        <Text key={`${props.keyPrefix}-${i}`} wrap="truncate-end" {...props.style}>
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </>
  );
}

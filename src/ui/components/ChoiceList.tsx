/**
 * A short list of options with the highlighted one marked ">" (visible without colour) and numbered
 * for direct choice. Presentational.
 */
import { Box, Text } from 'ink';
import { useTheme } from '../theme.ts';

export interface Choice<K extends string> {
  readonly key: K;
  readonly label: string;
  readonly detail: string;
}

export function ChoiceList<K extends string>(props: {
  readonly choices: readonly Choice<K>[];
  readonly selected: K;
}) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      {props.choices.map((c, i) => {
        const on = c.key === props.selected;
        return (
          <Text key={c.key} wrap="wrap">
            <Text {...(on ? theme.selected : theme.plain)}>
              {on ? theme.glyphs.selected : theme.glyphs.unselected} {i + 1} {c.label}
            </Text>
            <Text {...theme.muted}>: {c.detail}</Text>
          </Text>
        );
      })}
    </Box>
  );
}

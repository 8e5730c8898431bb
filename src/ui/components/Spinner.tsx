/**
 * A one-cell progress spinner followed by a label ("Creating your identity…"). ASCII frames when colour
 * is off, so it reads on any terminal.
 */
import { Text, useAnimation } from 'ink';
import { useTheme } from '../theme.ts';

export function Spinner(props: { readonly label: string }) {
  const theme = useTheme();
  const { frame } = useAnimation({ interval: 100 });
  const frames = theme.glyphs.spinner;
  return (
    <Text>
      <Text {...theme.accent}>{frames[frame % frames.length]}</Text> {props.label}
    </Text>
  );
}

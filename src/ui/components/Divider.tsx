/**
 * The rules of the live frame: the bottom rule, with the junction placed where the vertical divider
 * between the contacts pane and the message column runs; that divider; and the rule over the composer.
 * Knows only the geometry.
 */
import { Text } from 'ink';
import { useTheme } from '../theme.ts';

export function Divider(props: {
  readonly columns: number;
  readonly contactsWidth: number;
  readonly junction: 'cross' | 'up' | 'none';
}) {
  const theme = useTheme();
  const g = theme.glyphs;
  const junction = props.junction === 'cross' ? g.cross : props.junction === 'up' ? g.teeUp : g.horizontal;
  const rest = Math.max(0, props.columns - props.contactsWidth - 2);
  return (
    <Text {...theme.border} wrap="truncate-end">
      {g.horizontal.repeat(props.contactsWidth)}
      {junction}
      {g.horizontal.repeat(rest)}
    </Text>
  );
}

/** The divider between the contacts pane and the right column; `├` where the composer's rule meets it. */
export function VerticalRule(props: { readonly height: number; readonly teeAt?: number }) {
  const theme = useTheme();
  return (
    <Text {...theme.border}>
      {Array.from({ length: props.height }, (_, i) =>
        i === props.teeAt ? theme.glyphs.teeRight : theme.glyphs.vertical,
      ).join('\n')}
    </Text>
  );
}

/** The rule between the message pane and the composer, across the right column. */
export function HorizontalRule(props: { readonly width: number }) {
  const theme = useTheme();
  return (
    <Text {...theme.border} wrap="truncate-end">
      {theme.glyphs.horizontal.repeat(props.width)}
    </Text>
  );
}

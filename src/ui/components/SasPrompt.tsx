/**
 * The code comparison right after a join, on both sides: "Compare this code with NAME: 123 456", what
 * it means, and the answers — [y] it matches · [n] it differs · [l]ater. The answer keys are shown only
 * once they are accepted (`armed`), a moment after the prompt appears, so a key typed for the composer
 * just before cannot answer it. Presentational.
 */
import { Text } from 'ink';
import { sanitizeLine, wrapText } from '../format/text.ts';
import type { SasPrompt as Prompt } from '../state/overlay.ts';
import { useTheme } from '../theme.ts';
import { Lines, Panel } from './Panel.tsx';

export const SAS_KEYS = '[y] it matches · [n] it differs · [l]ater';

export function SasPrompt(props: {
  readonly prompt: Prompt;
  readonly waiting: number;
  readonly armed: boolean;
  readonly width: number;
}) {
  const theme = useTheme();
  const name = sanitizeLine(props.prompt.contact.name);
  const textWidth = Math.max(10, props.width - 2);
  const more = props.waiting > 0 ? ` · ${props.waiting} more after this` : '';
  return (
    <Panel title={`Verify ${name}`} hint={`Esc: later${more}`} width={props.width}>
      <Text wrap="truncate-end">
        Compare this code with {name}: <Text {...theme.title}>{props.prompt.sas}</Text>
      </Text>
      <Lines
        keyPrefix="why"
        style={theme.muted}
        lines={wrapText(
          'Read it to each other, in person or on a call. The same code on both screens means nobody is in the middle.',
          textWidth,
        )}
      />
      <Text wrap="truncate-end" {...theme.accent}>
        {props.armed ? SAS_KEYS : ' '}
      </Text>
    </Panel>
  );
}

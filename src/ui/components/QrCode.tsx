/**
 * A QR code drawn with half-block characters (src/ui/qr.ts): one cell per module across, two modules
 * per row, with the light quiet zone. With colour, dark modules black on bright white explicitly, so it
 * scans on light and dark themes; without colour the glyphs follow the theme setting (light modules on
 * a dark theme, dark ones on a light theme). Presentational.
 */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { type QrLevel, qrInk, renderQr } from '../qr.ts';
import { useTheme } from '../theme.ts';

export function QrCode(props: { readonly text: string; readonly level?: QrLevel; readonly quiet?: number }) {
  const theme = useTheme();
  // Plain glyph rows; the colour (if any) comes from the theme, never from escape codes in the text.
  const ink = qrInk(theme.color, theme.background);
  const { level, quiet } = props;
  const lines = useMemo(
    () =>
      renderQr(props.text, { color: false, ink, ...(level ? { level } : {}), ...(quiet ? { quiet } : {}) }),
    [props.text, ink, level, quiet],
  );
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows of one code never reorder.
        <Text key={i} wrap="truncate-end" {...theme.qr}>
          {line}
        </Text>
      ))}
    </Box>
  );
}

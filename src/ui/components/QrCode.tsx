/**
 * A QR code drawn with half-block characters (src/ui/qr.ts): one cell per module across, two modules
 * per row, with the light quiet zone. With colour the light modules are drawn light on black
 * explicitly, so it scans on light and dark themes; without colour they are foreground glyphs (dark
 * themes, the usual case). Presentational.
 */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { renderQr } from '../qr.ts';
import { useTheme } from '../theme.ts';

export function QrCode(props: { readonly text: string }) {
  const theme = useTheme();
  // Plain glyph rows; the colour (if any) comes from the theme, never from escape codes in the text.
  const lines = useMemo(() => renderQr(props.text, { color: false }), [props.text]);
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

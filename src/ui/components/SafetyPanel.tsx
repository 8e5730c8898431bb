/**
 * The `/verify NAME` panel: the 60-digit safety number of both identities in 3 rows of 4 groups, as a
 * QR code too when the terminal has room (else a line saying how big it must be), the contact's
 * verification, and — for a contact not verified yet — [y] they match · [n] they differ.
 * Presentational.
 */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { ContactView } from '../../app/api.ts';
import { sanitizeLine, wrapText } from '../format/text.ts';
import { fitQr, type Layout, QR_GAP } from '../layout.ts';
import { qrCells, qrMatrix } from '../qr.ts';
import { useTheme, verificationStyle } from '../theme.ts';
import { Lines, Panel } from './Panel.tsx';
import { QrCode } from './QrCode.tsx';

export const SAFETY_KEYS = '[y] they match · [n] they differ';

/** "12345 67890 …" (12 groups) → three rows of four groups. */
export function safetyRows(number: string): string[] {
  const groups = number.split(/\s+/u).filter((g) => g !== '');
  const rows: string[] = [];
  for (let i = 0; i < groups.length; i += 4) rows.push(groups.slice(i, i + 4).join('  '));
  return rows;
}

const DIGITS_WIDTH = 26;

export function SafetyPanel(props: {
  readonly contact: ContactView;
  readonly number: string;
  readonly layout: Layout;
}) {
  const theme = useTheme();
  const { contact, layout } = props;
  const name = sanitizeLine(contact.name);
  const qrText = props.number.replace(/\s+/gu, '');
  const qr = useMemo(() => qrCells(qrMatrix(qrText)), [qrText]);
  const state =
    contact.verification === 'verified'
      ? `${theme.glyphs.verification.verified} ${name} is verified.`
      : contact.verification === 'rejected'
        ? `${theme.glyphs.verification.rejected} The codes differed when you compared them: chat with ${name} is refused.`
        : `${theme.glyphs.verification.unverified} ${name} is not verified yet.`;
  const build = (width: number) => ({
    intro: wrapText(`Compare all 60 digits with ${name} (or scan each other's code):`, width),
    state: wrapText(state, width),
  });
  const above = build(layout.panelWidth - 2);
  const fit = fitQr(layout, qr, DIGITS_WIDTH + 4, above.intro.length + above.state.length + 7);
  const text = build(fit.kind === 'beside' ? fit.textWidth : layout.panelWidth - 2);
  const body = (
    <Box flexDirection="column">
      {fit.kind === 'none' ? (
        <Lines
          keyPrefix="small"
          style={theme.muted}
          lines={wrapText(
            `(the QR code needs a terminal of at least ${fit.needColumns}×${fit.needRows})`,
            fit.textWidth,
          )}
        />
      ) : null}
      <Lines keyPrefix="intro" lines={text.intro} />
      <Text> </Text>
      <Lines keyPrefix="digits" style={theme.title} lines={safetyRows(props.number)} />
      <Text> </Text>
      <Lines keyPrefix="state" style={verificationStyle(theme, contact.verification)} lines={text.state} />
      {contact.verification === 'unverified' ? (
        <Text wrap="truncate-end" {...theme.accent}>
          {SAFETY_KEYS}
        </Text>
      ) : null}
    </Box>
  );
  return (
    <Panel title={`Safety number with ${name}`} hint="Esc closes" width={layout.panelWidth}>
      {fit.kind === 'beside' ? (
        <Box flexDirection="row">
          <QrCode text={qrText} />
          <Box marginLeft={QR_GAP} width={fit.textWidth}>
            {body}
          </Box>
        </Box>
      ) : fit.kind === 'above' ? (
        <>
          <QrCode text={qrText} />
          {body}
        </>
      ) : (
        body
      )}
    </Panel>
  );
}

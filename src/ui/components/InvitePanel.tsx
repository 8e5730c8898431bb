/**
 * The `/invite` panel: the invite as a QR code (beside the text when the terminal is wide, above it
 * when tall, else a line saying how big the terminal must be) and as a text code cut into rows that
 * line up, how the other person uses it, and "waiting for someone to join… (expires in …)". The code
 * rows hold nothing else, so copying them (or a screen reader) gets the code only. Presentational:
 * `now` comes from the container's clock.
 */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { InviteView } from '../../app/api.ts';
import { formatDuration } from '../format/duration.ts';
import { wrapText } from '../format/text.ts';
import { fitQr, type Layout, QR_GAP } from '../layout.ts';
import { QR_STYLES, qrCells, qrMatrix } from '../qr.ts';
import { type TextStyle, type Theme, useTheme } from '../theme.ts';
import { Lines, Panel } from './Panel.tsx';
import { QrCode } from './QrCode.tsx';

export interface InvitePanelProps {
  readonly invite: InviteView;
  readonly layout: Layout;
  readonly now: number;
}

/** Narrowest text column beside the QR code. */
const MIN_TEXT_WIDTH = 30;

export const INVITE_WAITING = 'waiting for someone to join…';

/** Cuts a code into rows of at most `width` characters (codes are ASCII). */
export function codeRows(code: string, width: number): string[] {
  const w = Math.max(8, width);
  const rows: string[] = [];
  for (let i = 0; i < code.length; i += w) rows.push(code.slice(i, i + w));
  return rows;
}

interface Block {
  readonly key: string;
  readonly lines: readonly string[];
  readonly style: TextStyle;
  /** Dropped first when the panel is short of rows. */
  readonly optional: boolean;
}

function textBlocks(
  invite: InviteView,
  width: number,
  now: number,
  theme: Theme,
  note: string | null,
): Block[] {
  const left = invite.expiresAt - now;
  const waiting =
    left > 0
      ? `${INVITE_WAITING} (expires in ${formatDuration(left)})`
      : 'this invite has expired; nobody joined (/invite makes a new one)';
  const blocks: Block[] = [];
  if (note) blocks.push({ key: 'note', lines: wrapText(note, width), style: theme.pending, optional: false });
  blocks.push(
    {
      key: 'intro',
      lines: wrapText(
        'Scan the QR code with a phone camera, or send this text code over any channel:',
        width,
      ),
      style: theme.plain,
      optional: true,
    },
    { key: 'code', lines: codeRows(invite.code, width), style: theme.accent, optional: false },
    {
      key: 'how',
      lines: wrapText('They type /join CODE in pvt chat (or run pvt join CODE). It works once.', width),
      style: theme.muted,
      optional: true,
    },
    {
      key: 'wait',
      lines: wrapText(waiting, width),
      style: left > 0 ? theme.plain : theme.error,
      optional: false,
    },
  );
  return blocks;
}

/** The blocks with blank rows between them, made to fit `rows` by dropping blanks, then optional blocks. */
function arrange(blocks: readonly Block[], rows: number): Block[] {
  const spaced = blocks.flatMap((b, i) =>
    i === 0 ? [b] : [{ key: `gap-${b.key}`, lines: [''], style: {}, optional: true }, b],
  );
  const height = (bs: readonly Block[]) => bs.reduce((n, b) => n + b.lines.length, 0);
  if (height(spaced) <= rows) return spaced;
  const needed = blocks.filter((b) => !b.optional);
  const withHow = blocks.filter((b) => !b.optional || b.key === 'how');
  return height(withHow) <= rows ? withHow : needed;
}

function TextColumn(props: { readonly blocks: readonly Block[] }) {
  return (
    <Box flexDirection="column">
      {props.blocks.map((b) => (
        <Lines key={b.key} keyPrefix={b.key} lines={b.lines} style={b.style} />
      ))}
    </Box>
  );
}

export function InvitePanel(props: InvitePanelProps) {
  const theme = useTheme();
  const { invite, layout, now } = props;
  const bodyWidth = layout.panelWidth - 2;
  const bodyRows = layout.panelRows - 1;
  const aboveRows = arrange(textBlocks(invite, bodyWidth, now, theme, null), Number.POSITIVE_INFINITY).reduce(
    (n, b) => n + b.lines.length,
    0,
  );
  // The most robust drawing that fits (M, then L, then L with a 2-module quiet zone); else the size the
  // smallest one needs.
  const sizes = useMemo(
    () =>
      QR_STYLES.map((style) => ({
        style,
        cells: qrCells(qrMatrix(invite.qrText, style.level), style.quiet),
      })),
    [invite.qrText],
  );
  const fits = sizes.map((s) => ({ ...s, fit: fitQr(layout, s.cells, MIN_TEXT_WIDTH, aboveRows + 1) }));
  const chosen = fits.find((f) => f.fit.kind !== 'none') ?? fits[fits.length - 1]!;
  const { fit, cells: qr } = chosen;
  const code = <QrCode text={invite.qrText} level={chosen.style.level} quiet={chosen.style.quiet} />;
  const hint = 'Esc closes · the invite stays valid';

  if (fit.kind === 'beside') {
    const blocks = arrange(textBlocks(invite, fit.textWidth, now, theme, null), bodyRows);
    return (
      <Panel title="Invite someone" hint={hint} width={layout.panelWidth}>
        <Box flexDirection="row">
          {code}
          <Box flexDirection="column" marginLeft={QR_GAP} width={fit.textWidth}>
            <TextColumn blocks={blocks} />
          </Box>
        </Box>
      </Panel>
    );
  }
  if (fit.kind === 'above') {
    const blocks = arrange(textBlocks(invite, fit.textWidth, now, theme, null), bodyRows - qr.rows - 1);
    return (
      <Panel title="Invite someone" hint={hint} width={layout.panelWidth}>
        {code}
        <Text> </Text>
        <TextColumn blocks={blocks} />
      </Panel>
    );
  }
  const note =
    `The QR code needs a terminal of at least ${fit.needColumns}×${fit.needRows} ` +
    `(this one is ${layout.columns}×${layout.rows}); the text code works too.`;
  const blocks = arrange(textBlocks(invite, fit.textWidth, now, theme, note), bodyRows);
  return (
    <Panel title="Invite someone" hint={hint} width={layout.panelWidth}>
      <TextColumn blocks={blocks} />
    </Panel>
  );
}

/**
 * The help overlay: every slash command and key binding that exists (commands.ts, keys.ts) — commands
 * and keys side by side when the width allows, else one list that scrolls (↑/↓, PgUp/PgDn) within the
 * rows it is given, down to 60×15 — and how to close it. Presentational; the main screen owns the
 * scroll offset.
 */
import { Box, Text } from 'ink';
import { COMMANDS } from '../commands.ts';
import { displayWidth, padEnd } from '../format/text.ts';
import { KEY_BINDINGS } from '../keys.ts';
import { useTheme } from '../theme.ts';

export const HELP_CLOSE_HINT = 'Esc closes this help';

interface Entry {
  readonly keys: string;
  readonly action: string;
}

const COMMAND_ENTRIES: readonly Entry[] = COMMANDS.map((c) => ({ keys: c.usage, action: c.action }));
const ALL: readonly Entry[] = [...COMMAND_ENTRIES, ...KEY_BINDINGS];

/** Extra cells between the two columns. */
const COLUMN_GAP = 1;

const keyCells = (entries: readonly Entry[]): number => Math.max(...entries.map((e) => displayWidth(e.keys)));
/** " keys  action" at its natural width. */
const naturalWidth = (entries: readonly Entry[]): number =>
  1 + keyCells(entries) + 2 + Math.max(...entries.map((e) => displayWidth(e.action)));

export interface HelpLayout {
  /** The columns, each a list of entries. */
  readonly columns: readonly (readonly Entry[])[];
  /** Body rows shown. */
  readonly rows: number;
  /** Largest scroll offset (0 when everything fits). */
  readonly maxOffset: number;
  /** Rows of the whole overlay, title included. */
  readonly height: number;
}

export function helpLayout(width: number, maxRows: number): HelpLayout {
  const bodyRows = Math.max(1, maxRows - 1);
  const twoColumns = naturalWidth(COMMAND_ENTRIES) + COLUMN_GAP + naturalWidth(KEY_BINDINGS) <= width;
  const columns = twoColumns ? [COMMAND_ENTRIES, KEY_BINDINGS] : [ALL];
  const tallest = Math.max(...columns.map((c) => c.length));
  const rows = Math.min(tallest, bodyRows);
  return { columns, rows, maxOffset: tallest - rows, height: rows + 1 };
}

export function HelpOverlay(props: {
  readonly width: number;
  readonly height: number;
  readonly offset: number;
}) {
  const theme = useTheme();
  const { width } = props;
  const layout = helpLayout(width, props.height);
  const offset = Math.max(0, Math.min(props.offset, layout.maxOffset));
  const widths =
    layout.columns.length === 2
      ? [naturalWidth(layout.columns[0]!) + COLUMN_GAP, width - naturalWidth(layout.columns[0]!) - COLUMN_GAP]
      : [width - 1];
  const lines = Array.from({ length: layout.rows }, (_, r) => r + offset);
  const title = ' Keys and commands';
  const more =
    layout.maxOffset === 0
      ? ''
      : offset >= layout.maxOffset
        ? '↑ scrolls · '
        : offset === 0
          ? '↓ more · '
          : '↑/↓ scroll · ';
  const hint = `${more}${HELP_CLOSE_HINT} `;
  return (
    <Box flexDirection="column" width={width} height={layout.height}>
      <Text wrap="truncate-end">
        <Text {...theme.title}>{title}</Text>
        {' '.repeat(Math.max(1, width - 1 - title.length - displayWidth(hint)))}
        <Text {...theme.muted}>{hint}</Text>
      </Text>
      {lines.map((r) => (
        <Text key={r} wrap="truncate-end">
          {layout.columns.map((column, c) => {
            const e = column[r];
            const cells = keyCells(column);
            const columnWidth = widths[c] ?? 1;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are positions.
              <Text key={c}>
                {' '}
                <Text {...theme.accent}>{padEnd(e?.keys ?? '', cells)}</Text>
                {'  '}
                {padEnd(e?.action ?? '', Math.max(1, columnWidth - cells - 3))}
              </Text>
            );
          })}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The one place for how things look: colour roles, the no-colour fallback (NO_COLOR / --no-color: no
 * colour codes at all, only bold/inverse where meaning would otherwise be lost, and glyph markers such as
 * ">" for the selection), and every glyph the UI draws. Components read it through `useTheme()`.
 * Must not know about the PvtApi or layout.
 */
import { createContext, useContext } from 'react';
import type { MessageState, PathBadge, Verification } from '../app/api.ts';

/** The subset of Ink <Text> props a role sets. */
export interface TextStyle {
  readonly color?: string;
  readonly bold?: boolean;
  readonly inverse?: boolean;
  readonly backgroundColor?: string;
}

export interface Glyphs {
  /** Drawn before the selected contact; selection stays visible without colour. */
  readonly selected: string;
  readonly unselected: string;
  /** Composer prompt. */
  readonly prompt: string;
  /** Marks a message from someone else. */
  readonly incoming: string;
  readonly vertical: string;
  readonly horizontal: string;
  readonly cross: string;
  readonly teeUp: string;
  readonly teeRight: string;
  readonly separator: string;
  readonly mask: string;
  readonly spinner: readonly string[];
  readonly state: Readonly<Record<MessageState, string>>;
  /** Before a contact's name: ✓ verified, ? not compared yet, ✗ the codes differed. */
  readonly verification: Readonly<Record<Verification, string>>;
}

export interface Theme {
  readonly color: boolean;
  /** The terminal background the colours (and a colourless QR code) are meant for. */
  readonly background: 'dark' | 'light';
  readonly plain: TextStyle;
  readonly muted: TextStyle;
  readonly accent: TextStyle;
  readonly title: TextStyle;
  readonly incoming: TextStyle;
  readonly ok: TextStyle;
  readonly pending: TextStyle;
  readonly error: TextStyle;
  readonly selected: TextStyle;
  readonly cursor: TextStyle;
  readonly border: TextStyle;
  /** The QR code: light modules drawn explicitly light on dark with colour, so it scans on any theme. */
  readonly qr: TextStyle;
  readonly glyphs: Glyphs;
}

const glyphs: Glyphs = {
  selected: '>',
  unselected: ' ',
  prompt: '›',
  incoming: '»',
  vertical: '│',
  horizontal: '─',
  cross: '┼',
  teeUp: '┴',
  teeRight: '├',
  separator: '·',
  mask: '*',
  spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
  state: { pending: '⋯', sent: '✓', delivered: '✓✓', failed: '✗', stored: '✓' },
  verification: { verified: '✓', unverified: '?', rejected: '✗' },
};

/** Colours for a dark terminal background (the usual) or a light one (`/set theme light`). */
export function createTheme(color: boolean, background: 'dark' | 'light' = 'dark'): Theme {
  if (!color) {
    return {
      color,
      background,
      plain: {},
      muted: {},
      accent: {},
      title: { bold: true },
      incoming: {},
      ok: {},
      pending: {},
      error: { bold: true },
      selected: { bold: true },
      cursor: { inverse: true },
      border: {},
      qr: {},
      glyphs: { ...glyphs, spinner: ['-', '\\', '|', '/'] },
    };
  }
  const light = background === 'light';
  return {
    color,
    background,
    plain: {},
    muted: { color: 'gray' },
    accent: { color: light ? 'blue' : 'cyan' },
    title: { color: light ? 'blue' : 'cyan', bold: true },
    incoming: { color: 'magenta' },
    ok: { color: 'green' },
    pending: { color: light ? 'magenta' : 'yellow' },
    error: { color: 'red', bold: true },
    selected: { color: light ? 'blue' : 'cyan', bold: true },
    cursor: { inverse: true },
    border: { color: 'gray' },
    // Dark modules on light, explicitly: the code scans whatever the terminal's own colours are.
    qr: { color: 'black', backgroundColor: 'whiteBright' },
    glyphs,
  };
}

export const ThemeContext = createContext<Theme>(createTheme(false));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

export function stateStyle(theme: Theme, state: MessageState): TextStyle {
  if (state === 'failed') return theme.error;
  if (state === 'pending') return theme.pending;
  return theme.ok;
}

export function verificationStyle(theme: Theme, verification: Verification): TextStyle {
  if (verification === 'verified') return theme.ok;
  if (verification === 'rejected') return theme.error;
  return theme.pending;
}

export function pathStyle(theme: Theme, path: PathBadge): TextStyle {
  return path === 'offline' ? theme.muted : theme.ok;
}

/**
 * Renders the TUI with Ink against fake streams, like ink-testing-library does, but with a terminal
 * size the test chooses (and can change, emitting 'resize'), named keys, and polling helpers. Frames
 * are Ink's debug-mode writes: printed <Static> history followed by the live frame.
 */
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';
import stringWidth from 'string-width';
import type { ProfileLauncher } from '../../src/app/api.ts';
import { App } from '../../src/ui/App.tsx';

export class TestStdout extends EventEmitter {
  readonly isTTY = true;
  columns: number;
  rows: number;
  readonly writes: string[] = [];
  constructor(columns: number, rows: number) {
    super();
    this.columns = columns;
    this.rows = rows;
  }
  write = (data: string, callback?: () => void): boolean => {
    this.writes.push(data);
    if (callback) setImmediate(callback);
    return true;
  };
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export class TestStdin extends EventEmitter {
  readonly isTTY = true;
  readonly #queue: string[] = [];
  write(data: string): void {
    this.#queue.push(data);
    this.emit('readable');
  }
  read = (): string | null => this.#queue.shift() ?? null;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export const KEYS = {
  enter: '\r',
  'alt+enter': '\u001b\r',
  'shift+enter (kitty)': '\u001b[13;2u',
  escape: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  home: '\u001b[H',
  end: '\u001b[F',
  backspace: '\u007f',
  delete: '\u001b[3~',
  tab: '\t',
  'ctrl+a': '\u0001',
  'ctrl+c': '\u0003',
  'ctrl+d': '\u0004',
  'ctrl+e': '\u0005',
  'ctrl+j': '\n',
  'ctrl+l': '\u000c',
  'ctrl+u': '\u0015',
  'ctrl+w': '\u0017',
  'shift+tab': '\u001b[Z',
  'alt+up': '\u001b[1;3A',
  'alt+down': '\u001b[1;3B',
  pageDown: '\u001b[6~',
  pageUp: '\u001b[5~',
  'ctrl+home': '\u001b[1;5H',
  'ctrl+end': '\u001b[1;5F',
  'ctrl+f': '\u0006',
  'wheel up': '\u001b[<64;40;5M',
  'wheel down': '\u001b[<65;40;5M',
} as const;

export type KeyName = keyof typeof KEYS;

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping escape sequences is the point.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/gu;

const BELL = '\u0007';

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Tui {
  readonly stdout: TestStdout;
  /** The last frame Ink wrote (with ANSI codes; writes of only a bell or control sequences skipped). */
  lastFrame(): string;
  /** The last frame as plain text. */
  screen(): string;
  /** Text typed/sent in one chunk (one useInput call, like a tmux send-keys burst). */
  type(text: string): Promise<void>;
  press(...keys: KeyName[]): Promise<void>;
  waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  resize(columns: number, rows: number): Promise<void>;
  bells(): number;
  unmount(): void;
  waitUntilExit(): Promise<unknown>;
}

export function renderTui(node: ReactElement, size: { columns?: number; rows?: number } = {}): Tui {
  const stdout = new TestStdout(size.columns ?? 100, size.rows ?? 30);
  const stderr = new TestStdout(100, 30);
  const stdin = new TestStdin();
  const instance = render(node, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const lastFrame = (): string => {
    for (let i = stdout.writes.length - 1; i >= 0; i--) {
      const w = stdout.writes[i]!;
      if (stripAnsi(w).replaceAll(BELL, '') !== '') return w;
    }
    return '';
  };
  const screen = (): string => stripAnsi(lastFrame());
  const settle = (): Promise<void> => sleep(10);
  const tui: Tui = {
    stdout,
    lastFrame,
    screen,
    async type(text) {
      // Let effects of the last render run first: a screen listens for keys only after its effects ran.
      await settle();
      stdin.write(text);
      await settle();
    },
    async press(...keys) {
      await settle();
      for (const k of keys) {
        stdin.write(KEYS[k]);
        // A lone ESC waits for the parser's 20 ms timeout before it counts as the Escape key.
        await sleep(k === 'escape' ? 40 : 5);
      }
    },
    async waitFor(match, timeoutMs = 3000) {
      const test =
        typeof match === 'function'
          ? match
          : typeof match === 'string'
            ? (s: string) => s.includes(match)
            : (s: string) => match.test(s);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = screen();
        if (test(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(match)}; screen:\n${s}`);
        await sleep(5);
      }
    },
    async resize(columns, rows) {
      stdout.resize(columns, rows);
      await settle();
    },
    bells: () => stdout.writes.filter((w) => w.includes(BELL)).length,
    unmount: () => instance.unmount(),
    waitUntilExit: () => instance.waitUntilExit(),
  };
  return tui;
}

export function renderApp(
  launcher: ProfileLauncher,
  options: {
    columns?: number;
    rows?: number;
    color?: boolean;
    bell?: boolean;
    initialPassphrase?: string;
  } = {},
): Tui {
  return renderTui(
    <App
      launcher={launcher}
      color={options.color ?? false}
      bell={options.bell ?? false}
      initialPassphrase={options.initialPassphrase}
    />,
    options,
  );
}

/** Lines of the frame: the whole screen (full-screen layout), without trailing empty lines. */
export function liveLines(screen: string): string[] {
  const lines = screen.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

/** The composer's rows: right of the divider, between the composer rule (├) and the bottom rule. */
export function composerText(screen: string): string {
  const lines = screen.split('\n');
  const start = lines.findIndex((l) => l.includes('├'));
  if (start === -1) return '';
  const end = lines.findIndex((l, i) => i > start && l.startsWith('─'));
  return lines
    .slice(start + 1, end === -1 ? undefined : end)
    .map((l) =>
      l
        .slice(l.indexOf('│') + 1)
        .replace(/^ [› ] ?/u, '')
        .trimEnd(),
    )
    .join('\n')
    .trim();
}

/** The message pane's rows: right of the divider, above the composer rule. */
export function paneText(screen: string): string[] {
  const lines = screen.split('\n');
  const end = lines.findIndex((l) => l.includes('├'));
  return lines.slice(0, end === -1 ? undefined : end).map((l) => l.slice(l.indexOf('│') + 2));
}

export function widestLine(screen: string): number {
  return Math.max(0, ...screen.split('\n').map((l) => stringWidth(l)));
}

/** Opens straight into the main screen of a passphrase profile. */
export async function openMain(
  launcher: ProfileLauncher,
  options: { columns?: number; rows?: number; color?: boolean; bell?: boolean } = {},
): Promise<Tui> {
  const tui = renderApp(launcher, { ...options, initialPassphrase: 'correct horse battery staple' });
  await tui.waitFor('? help');
  await tui.waitFor((s) => !s.includes('loading…'));
  return tui;
}

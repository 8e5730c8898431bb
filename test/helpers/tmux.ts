/**
 * Drives real programs in tmux for end-to-end tests, as a person would: start a command in a detached
 * session of a given size, type keys, read the screen with capture-pane, wait for text to appear.
 * Every test uses its own tmux server socket (-L), so tests never touch a user's tmux.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export function tmuxAvailable(): boolean {
  return spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
}

export class TmuxSession {
  readonly socket = `pvt-test-${randomBytes(4).toString('hex')}`;
  readonly name = 'main';

  constructor(
    command: string,
    options: { width?: number; height?: number; env?: Record<string, string> } = {},
  ) {
    // CI=true as on a CI machine: libraries that change behaviour there (Ink renders only its last
    // frame in CI unless told otherwise) must not break a real terminal session; a test can override it.
    const env = Object.entries({ CI: 'true', ...options.env })
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ');
    this.#tmux([
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      String(options.width ?? 100),
      '-y',
      String(options.height ?? 30),
      `env ${env} ${command}; echo "[exited $?]"; sleep 600`,
    ]);
  }

  /** Types text literally (one send-keys call: arrives as one burst, like SSH). */
  type(text: string): void {
    this.#tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  /** Sends named keys (Enter, Escape, C-c, Up, …) in one call. */
  keys(...keys: string[]): void {
    this.#tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Text then Enter in a single send-keys call (the burst case: "text\r" in one read). */
  typeLine(text: string): void {
    this.#tmux(['send-keys', '-t', this.name, text, 'Enter']);
  }

  resize(width: number, height: number): void {
    this.#tmux(['resize-window', '-t', this.name, '-x', String(width), '-y', String(height)]);
  }

  screen(): string {
    return this.#tmux(['capture-pane', '-p', '-t', this.name]);
  }

  /** Waits until the screen matches; throws with the last screen on timeout. */
  async waitFor(match: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      if (typeof match === 'string' ? last.includes(match) : match.test(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${String(match)}; screen was:\n${last}`);
  }

  /** Waits until the screen no longer matches (e.g. an overlay closed). */
  async waitForGone(match: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      if (!(typeof match === 'string' ? last.includes(match) : match.test(last))) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${String(match)} to go away; screen was:\n${last}`);
  }

  /** Sets a window option of the session (e.g. window-style for a light theme). */
  setOption(name: string, value: string): void {
    this.#tmux(['set-option', '-w', '-t', this.name, name, value]);
  }

  /** A tmux format of the pane, e.g. "#{alternate_on}" or "#{history_size}". */
  format(fmt: string): string {
    return this.#tmux(['display-message', '-p', '-t', this.name, fmt]).trim();
  }

  /** The pane's scrollback and screen (`capture-pane -S -`), or only the scrollback with `historyOnly`. */
  scrollback(historyOnly = false): string {
    const args = ['capture-pane', '-p', '-J', '-t', this.name, '-S', '-'];
    if (historyOnly) args.push('-E', '-1');
    return this.#tmux(args);
  }

  /** Pastes text as tmux paste-buffer does (unbracketed unless `bracketed`): "\n" arrives as "\r". */
  paste(text: string, bracketed = false): void {
    this.#tmux(['set-buffer', '-b', 'pvt-test', text]);
    this.#tmux(['paste-buffer', '-b', 'pvt-test', '-t', this.name, ...(bracketed ? ['-p'] : [])]);
  }

  /** The pid of the program running in the pane (the shell, or the command the session started). */
  panePid(): number {
    return Number(this.format('#{pane_pid}'));
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }

  #tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

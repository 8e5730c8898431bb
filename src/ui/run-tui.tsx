/**
 * The TUI entry point the CLI calls: renders <App> with Ink on the terminal's alternate screen (the
 * user's screen and scrollback are left untouched and come back exactly on every exit path: quit,
 * Ctrl+C, SIGTERM/SIGHUP/SIGINT, a crash — nothing of a conversation stays on the terminal), waits until
 * the user quits, closes every PvtApi the launcher opened (also one whose open finished after the user
 * had already quit), and returns the exit code: 0 after a normal quit, 1 after a fatal error (printed to
 * stderr once the terminal is restored), 128+n after a signal. The profile is opened (or created) with
 * the network options it is given, so the chat runs the node. Knows the launcher contract, nothing below it.
 */
import { render } from 'ink';
import type { NetworkOptions, ProfileLauncher, PvtApi } from '../app/api.ts';
import { App } from './App.tsx';
import { describeError } from './errors.ts';
import { interceptWheel, MOUSE_OFF } from './mouse-wheel.ts';

/** Leaves the alternate screen, shows the cursor, stops mouse reports and bracketed paste: idempotent. */
export const RESTORE_TERMINAL = `${MOUSE_OFF}\u001b[?2004l\u001b[?25h\u001b[?1049l`;

export interface RunTuiOptions {
  launcher: ProfileLauncher;
  color: boolean;
  bell: boolean;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** From --passphrase-file / PVT_PASSPHRASE_FILE: tried before prompting. */
  initialPassphrase?: string;
  /**
   * How the opened profile runs its libp2p node (from --port, --no-mdns, --loopback); `false` or absent
   * opens the store only. Ignored by a launcher attached to a daemon, whose node is already running.
   */
  network?: NetworkOptions | false;
}

const SIGNAL_EXIT: Readonly<Record<'SIGHUP' | 'SIGINT' | 'SIGTERM', number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};

/**
 * Wraps a launcher so every PvtApi it opens, and every open still under way, can be closed at the end;
 * `open`/`create` get `network` unless the caller said otherwise.
 */
export function trackingLauncher(
  inner: ProfileLauncher,
  network?: NetworkOptions | false,
): {
  launcher: ProfileLauncher;
  closeAll: () => Promise<void>;
} {
  const opened = new Set<PvtApi>();
  const pending = new Set<Promise<PvtApi>>();
  const track = (p: Promise<PvtApi>): Promise<PvtApi> => {
    pending.add(p);
    const done = p.then((api) => {
      opened.add(api);
      return api;
    });
    void done.finally(() => pending.delete(p)).catch(() => {});
    return done;
  };
  const launcher: ProfileLauncher = {
    profile: inner.profile,
    dataDir: inner.dataDir,
    inspect: () => inner.inspect(),
    keychainAvailable: () => inner.keychainAvailable(),
    create: (options) =>
      track(inner.create(network === undefined || 'network' in options ? options : { ...options, network })),
    open: (options) =>
      track(inner.open(network === undefined || 'network' in options ? options : { ...options, network })),
  };
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled([...pending]);
    const apis = [...opened];
    opened.clear();
    const results = await Promise.allSettled(apis.map((api) => api.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return { launcher, closeAll };
}

export async function runTui(o: RunTuiOptions): Promise<number> {
  const stdout = o.stdout ?? process.stdout;
  const stdin = o.stdin ?? process.stdin;
  const stderr = process.stderr;
  const { launcher, closeAll } = trackingLauncher(o.launcher, o.network);
  const mouse = interceptWheel(stdin);

  const instance = render(
    <App
      launcher={launcher}
      color={o.color}
      bell={o.bell}
      initialPassphrase={o.initialPassphrase}
      wheel={mouse.wheel}
    />,
    {
      stdout,
      stdin,
      stderr,
      // Ink renders only the last frame when it sees CI=true in the environment; a chat in a terminal is
      // interactive whenever its stdout is a terminal (pvt chat refuses to start otherwise).
      interactive: stdout.isTTY === true,
      // Ctrl+C is handled by the app, so it quits through the same clean path as /quit.
      exitOnCtrlC: false,
      // Nothing below the UI writes to the console (an injected logger writes to a file).
      patchConsole: false,
      // Shift+Enter is only distinguishable with the kitty keyboard protocol; enabled where the terminal answers.
      kittyKeyboard: { mode: 'auto' },
      // Full screen on the alternate screen: the user's screen and scrollback stay as they were.
      alternateScreen: stdout.isTTY === true,
    },
  );
  const tty = stdout.isTTY === true;
  // Last resort: whatever ends the process, the terminal gets its screen back (a synchronous write).
  const onExit = (): void => {
    if (!tty) return;
    try {
      stdout.write(RESTORE_TERMINAL);
    } catch {
      // The terminal is gone.
    }
  };
  process.on('exit', onExit);

  let signalled: keyof typeof SIGNAL_EXIT | null = null;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => () => {
    signalled = signal;
    instance.unmount();
  };
  const onHup = onSignal('SIGHUP');
  const onTerm = onSignal('SIGTERM');
  const onInt = onSignal('SIGINT');
  // A crash outside React (a timer, a stream): leave the alternate screen first, then report it.
  let crash: unknown = null;
  const onCrash = (error: unknown): void => {
    crash ??= error;
    instance.unmount();
  };
  // A vanished terminal (SSH dropped) must not crash the shutdown with EIO/EPIPE.
  const onStreamError = (): void => {};
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  stdout.on('error', onStreamError);

  let failure: unknown = null;
  try {
    await instance.waitUntilExit();
  } catch (error) {
    failure = error;
  } finally {
    mouse.restore();
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    if (tty) {
      try {
        stdout.write(RESTORE_TERMINAL);
      } catch {
        // The terminal is gone.
      }
    }
  }
  if (crash !== null) failure ??= crash;
  try {
    await closeAll();
  } catch (error) {
    failure ??= new Error(`could not close the profile cleanly: ${describeError(error)}`);
  }
  stdout.off('error', onStreamError);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  process.off('exit', onExit);
  if (failure !== null) {
    stderr.write(`pvt: ${describeError(failure)}\n`);
    return 1;
  }
  return signalled ? SIGNAL_EXIT[signalled] : 0;
}

/**
 * runTui, the CLI's entry point: exit codes, closing every PvtApi the launcher opened (also one that
 * finished opening after the user quit), the fatal-error message, and SIGTERM.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { runTui } from '../../src/ui/run-tui.tsx';
import { createMemoryLauncher } from '../helpers/memory-api.ts';
import { sleep, stripAnsi, TestStdin, TestStdout } from './harness.tsx';

const PASS = 'correct horse battery staple';

function streams() {
  const stdout = new TestStdout(100, 30);
  const stdin = new TestStdin();
  return {
    stdout,
    stdin,
    io: { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream },
    text: () => stripAnsi(stdout.writes.join('')),
  };
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runTui', () => {
  test('the mouse wheel scrolls the messages; reports are asked for only while no panel is open', async () => {
    // Notes a minute apart ending at noon: no day separator among them (one would shift the counts).
    const noon = new Date(2026, 10, 3, 12).getTime();
    const launcher = createMemoryLauncher({
      state: 'passphrase',
      passphrase: PASS,
      notes: 300,
      now: () => noon,
    });
    const s = streams();
    const done = runTui({ launcher, color: false, bell: false, initialPassphrase: PASS, ...s.io });
    await until(() => s.text().includes('note 300 ✓'));
    await sleep(20);
    expect(s.stdout.writes.join('')).toContain('\u001b[?1000h\u001b[?1006h');
    const before = s.stdout.writes.length;
    s.stdin.write('\u001b[<64;40;5M\u001b[<64;40;5M');
    await until(() => stripAnsi(s.stdout.writes.slice(before).join('')).includes('▼ 6 newer'));
    s.stdin.write('\u001b[<65;40;5M\u001b[<65;40;5M');
    await sleep(50);
    // Nothing of the reports reached the composer.
    expect(stripAnsi(s.stdout.writes.slice(-3).join(''))).not.toMatch(/\[<6\d/u);
    const panel = s.stdout.writes.length;
    s.stdin.write('?');
    await until(() => s.text().includes('Esc closes this help'));
    expect(s.stdout.writes.slice(panel).join('')).toContain('\u001b[?1006l\u001b[?1000l');
    s.stdin.write('\u001b');
    await sleep(100);
    s.stdin.write('/quit\r');
    expect(await done).toBe(0);
  });

  test('/quit resolves 0 after the PvtApi is closed', async () => {
    const launcher = createMemoryLauncher({ state: 'passphrase', passphrase: PASS });
    const s = streams();
    const done = runTui({ launcher, color: false, bell: false, initialPassphrase: PASS, ...s.io });
    await until(() => s.text().includes('? help'));
    await sleep(20);
    s.stdin.write('/quit\r');
    expect(await done).toBe(0);
    expect(launcher.api?.closed).toBe(true);
    expect(launcher.api?.listenerCount()).toBe(0);
  });

  test('Ctrl+C while the profile is still opening waits for it and closes it', async () => {
    const launcher = createMemoryLauncher({ state: 'passphrase', passphrase: PASS, openDelayMs: 150 });
    const s = streams();
    const done = runTui({ launcher, color: false, bell: false, initialPassphrase: PASS, ...s.io });
    await until(() => s.text().includes('Unlocking'));
    await sleep(20);
    s.stdin.write('\u0003');
    expect(await done).toBe(0);
    expect(launcher.opened).toHaveLength(1);
    expect(launcher.api?.closed).toBe(true);
  });

  test('a fatal error is printed after the terminal is restored and gives exit code 1', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const launcher = createMemoryLauncher({ inspectError: new Error('pvt.db is accessible by other users') });
    const s = streams();
    expect(await runTui({ launcher, color: false, bell: false, ...s.io })).toBe(1);
    expect(stderr).toHaveBeenCalledWith(
      'pvt: could not read the profile: pvt.db is accessible by other users\n',
    );
  });

  test('SIGTERM unmounts, closes the PvtApi and gives 143', async () => {
    const launcher = createMemoryLauncher({ state: 'keychain' });
    const s = streams();
    const done = runTui({ launcher, color: false, bell: false, ...s.io });
    await until(() => s.text().includes('? help'));
    process.emit('SIGTERM');
    expect(await done).toBe(143);
    expect(launcher.api?.closed).toBe(true);
  });
});

/**
 * `pvt chat` attached to a running daemon, in tmux: no unlock prompt, a note written by another process
 * appears in the open TUI (rendered from the pushed event), a note typed in the TUI is stored by the
 * daemon, and quitting the TUI leaves the daemon serving.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { createProfile, type DaemonProcess, type Profile, processAlive, startDaemon } from './helpers.ts';

const hasTmux = tmuxAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');

let profile: Profile;
let daemon: DaemonProcess;
const sessions: TmuxSession[] = [];

beforeAll(async () => {
  if (!hasTmux) return;
  profile = await createProfile('Tmux Attach');
  daemon = await startDaemon(profile.home.env);
}, 60_000);

afterAll(async () => {
  for (const s of sessions) s.kill();
  if (daemon) {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  }
  profile?.home.cleanup();
});

describe.skipIf(!hasTmux)('pvt chat attached to the daemon', () => {
  test('shows notes written by other processes live; quitting leaves the daemon running', async () => {
    // No PVT_PASSPHRASE_FILE: attached to the daemon, the TUI must not ask for the passphrase.
    const s = new TmuxSession(`${process.execPath} ${PVT_BIN} chat`, {
      width: 100,
      height: 30,
      env: { PVT_HOME: profile.home.dir, TERM: 'xterm-256color' },
    });
    sessions.push(s);
    const main = await s.waitFor('Tmux Attach ·', 20_000);
    expect(main).not.toContain('Passphrase');

    const fromOutside = `from another process ${randomBytes(3).toString('hex')}`;
    const note = await runPvt(['note', fromOutside], { env: profile.home.env });
    expect(note.code).toBe(0);
    await s.waitFor(fromOutside);

    const typed = `typed in the attached tui ${randomBytes(3).toString('hex')}`;
    s.typeLine(typed);
    await s.waitFor(typed);
    const log = await runPvt(['log', '--self', '--json'], { env: profile.home.env });
    expect((JSON.parse(log.stdout) as { body: string }[]).map((m) => m.body)).toEqual([fromOutside, typed]);

    s.typeLine('/quit');
    await s.waitFor('[exited 0]');
    expect(processAlive(daemon.pid)).toBe(true);
    const after = await runPvt(['note', 'after the tui quit'], { env: profile.home.env });
    expect(after.code).toBe(0);
    const status = await runPvt(['status', '--json'], { env: profile.home.env });
    expect(JSON.parse(status.stdout).daemon).toMatchObject({ running: true, pid: daemon.pid });
  }, 60_000);
});

/**
 * End-to-end: `pvt chat` attached to a daemon, in tmux, while the daemon is stopped and started again.
 * The TUI says "reconnecting to the daemon…", a note typed during the gap is kept (not lost, not
 * refused), and once a daemon is back the TUI recovers by itself — no restart — and the note is stored
 * by the new daemon (read back with `pvt log`).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProfile, type DaemonProcess, type Profile, startDaemon } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';

const hasTmux = tmuxAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');

let profile: Profile;
let daemon: DaemonProcess | undefined;
const sessions: TmuxSession[] = [];

beforeAll(async () => {
  if (!hasTmux) return;
  profile = await createProfile('Ada Restart');
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

describe.skipIf(!hasTmux)('pvt chat survives a daemon restart', () => {
  test('reconnecting…, a note typed during the gap is delivered once the daemon is back', async () => {
    const s = new TmuxSession(`${process.execPath} ${PVT_BIN} chat`, {
      width: 100,
      height: 30,
      env: { PVT_HOME: profile.home.dir, TERM: 'xterm-256color' },
    });
    sessions.push(s);
    await s.waitFor('Ada Restart ·', 20_000);

    daemon!.child.kill('SIGTERM');
    await daemon!.exited;
    daemon = undefined;
    await s.waitFor('reconnecting to the daemon…');

    const typed = `typed during the gap ${randomBytes(3).toString('hex')}`;
    s.typeLine(typed);
    // Kept: neither refused nor lost while no daemon answers.
    await new Promise((r) => setTimeout(r, 500));
    expect(s.screen()).not.toContain('not sent');

    daemon = await startDaemon(profile.home.env);
    const back = await s.waitFor(`${typed} ✓`, 20_000);
    expect(back).not.toContain('reconnecting');
    expect(back).not.toContain('restart pvt chat');
    const log = await runPvt(['log', '--self', '--json'], { env: profile.home.env });
    expect((JSON.parse(log.stdout) as { body: string }[]).map((m) => m.body)).toContain(typed);

    // Still usable: another note goes straight through.
    s.typeLine('after the restart');
    await s.waitFor('after the restart ✓');
    s.typeLine('/quit');
    await s.waitFor('[exited 0]');
  }, 60_000);
});

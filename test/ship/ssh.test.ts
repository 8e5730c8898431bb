/**
 * The SSH recipe of the README, with a real sshd listening on 127.0.0.1 only (its own host key, one
 * authorized client key, a random port): a daemon serves the profile; two terminals (tmux) each run
 * `ssh -t host pvt chat`, which attaches to the daemon without asking for the passphrase; a note typed
 * in one TUI appears in the other; then one SSH client is killed outright (a dropped connection) and
 * the daemon stays healthy: status answers, a note is stored, and the other TUI still shows it.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DaemonProcess, processAlive, startDaemon } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt, tempHome } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { init } from './people.ts';

const SSHD = '/usr/sbin/sshd';
const ready = existsSync(SSHD) && spawnSync('ssh', ['-V']).status === 0 && tmuxAvailable();
if (!ready) console.log('skip: sshd, ssh or tmux not installed (.ci/run installs openssh-server)');

const dir = mkdtempSync(join(tmpdir(), 'pvt-ssh-'));
const home = tempHome('ssh passphrase 1');
let sshd: ChildProcess | undefined;
let daemon: DaemonProcess | undefined;
let port = 0;
const sessions: TmuxSession[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
}

/** The command a user types: ssh -t to the host, pvt chat on the other side (here: this checkout's pvt). */
function sshChat(): string {
  const remote = `PVT_HOME=${home.dir} ${process.execPath} ${PVT_BIN} chat`;
  return [
    'ssh -t',
    `-i ${join(dir, 'client_key')}`,
    `-p ${port}`,
    '-o StrictHostKeyChecking=no',
    `-o UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o LogLevel=ERROR',
    `${userInfo().username}@127.0.0.1`,
    `'${remote}'`,
  ].join(' ');
}

beforeAll(async () => {
  if (!ready) return;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  execFileSync('cp', [join(dir, 'client_key.pub'), join(dir, 'authorized_keys')]);
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'PrintMotd no',
      '',
    ].join('\n'),
  );
  sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  sshd.stderr?.setEncoding('utf8').on('data', (d: string) => {
    log += d;
  });
  const deadline = Date.now() + 10_000;
  while (!log.includes('Server listening') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  if (!log.includes('Server listening on 127.0.0.1')) throw new Error(`sshd did not start: ${log}`);
  await init(home, 'Remote');
  daemon = await startDaemon(home.env);
}, 90_000);

afterAll(async () => {
  for (const s of sessions) s.kill();
  if (daemon) {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  }
  sshd?.kill('SIGTERM');
  home.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ready)('pvt chat over SSH, attached to the daemon', () => {
  test('two SSH TUIs stay in sync; a dropped connection leaves the daemon healthy', async () => {
    const first = new TmuxSession(sshChat(), { width: 100, height: 30, env: { TERM: 'xterm-256color' } });
    sessions.push(first);
    const second = new TmuxSession(sshChat(), { width: 100, height: 30, env: { TERM: 'xterm-256color' } });
    sessions.push(second);
    const screen = await first.waitFor('Remote ·', 30_000);
    expect(screen).not.toContain('Passphrase');
    await second.waitFor('Remote ·', 30_000);

    const typed = `typed over ssh ${randomBytes(3).toString('hex')}`;
    first.typeLine(typed);
    await first.waitFor(typed);
    await second.waitFor(typed);

    // Drop the first connection: kill its ssh client outright (no clean quit, no /quit).
    first.kill();
    sessions.splice(sessions.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, 1_500));

    expect(processAlive(daemon?.pid as number)).toBe(true);
    const status = await runPvt(['status', '--json'], { env: home.env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).daemon).toMatchObject({ running: true, pid: daemon?.pid });
    const after = `after the drop ${randomBytes(3).toString('hex')}`;
    expect((await runPvt(['note', after], { env: home.env })).code).toBe(0);
    await second.waitFor(after);
    const log = await runPvt(['log', '--self', '--json'], { env: home.env });
    expect((JSON.parse(log.stdout) as { body: string }[]).map((m) => m.body)).toEqual([typed, after]);

    second.typeLine('/quit');
    await second.waitFor('[exited 0]', 15_000);
    expect(processAlive(daemon?.pid as number)).toBe(true);
  }, 120_000);
});

/**
 * `pvt service install|status|uninstall` on Linux. No systemd user manager can run on this machine (PID 1
 * is not systemd), so, as the issue allows: the unit `install` writes passes `systemd-analyze --user
 * verify`, and its ExecStart command line, run as systemd would run it (parsed with systemd's quoting,
 * a bare environment), serves the profile — `pvt service status` then sees the daemon — and stops
 * cleanly on SIGTERM (what `systemctl stop` sends). A passphrase file others can read is refused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemdQuote, systemdUnquote } from '../../src/cli/service/units.ts';
import { runPvt, tempHome } from '../helpers/cli.ts';
import { init } from './people.ts';

const linux = process.platform === 'linux';
const home = tempHome('service passphrase 1');
const config = mkdtempSync(join(tmpdir(), 'pvt-service-config-'));
const runtime = mkdtempSync(join(tmpdir(), 'pvt-service-run-'));
const unitFile = join(config, 'systemd', 'user', 'pvt-default.service');
// No user manager reachable: systemctl --user fails, deterministically, wherever the test runs.
const env = {
  ...home.env,
  XDG_CONFIG_HOME: config,
  XDG_RUNTIME_DIR: runtime,
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
};

beforeAll(async () => {
  chmodSync(runtime, 0o700);
  await init(home, 'Service');
}, 60_000);
afterAll(() => {
  home.cleanup();
  rmSync(config, { recursive: true, force: true });
  rmSync(runtime, { recursive: true, force: true });
});

describe.skipIf(!linux)('pvt service on Linux (systemd user unit)', () => {
  test('a passphrase file others can read is refused, and nothing is written', async () => {
    const loose = join(config, 'loose-pass');
    writeFileSync(loose, 'service passphrase 1\n', { mode: 0o644 });
    chmodSync(loose, 0o644);
    const r = await runPvt(['service', 'install', '--passphrase-file', loose], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('chmod 600');
    expect(existsSync(unitFile)).toBe(false);
  });

  test('install writes a unit that systemd-analyze verifies; status says installed, not running', async () => {
    const r = await runPvt(['service', 'install'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${unitFile}`);
    expect(r.stdout).toContain('systemctl --user enable --now pvt-default.service');
    const unit = readFileSync(unitFile, 'utf8');
    expect(unit).toContain('WantedBy=default.target');
    expect(unit).toContain(`--passphrase-file ${home.passFile}`);
    const analyze = spawnSync('systemd-analyze', ['--user', 'verify', '--man=no', unitFile], {
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: runtime },
    });
    if (analyze.error) console.log('skip: systemd-analyze is not installed');
    else expect(analyze.stderr + analyze.stdout).toBe('');
    const status = JSON.parse((await runPvt(['service', 'status', '--json'], { env })).stdout);
    expect(status).toMatchObject({ installed: true, daemon: { running: false } });
  });

  test("the unit's ExecStart serves the profile, and SIGTERM stops it cleanly", async () => {
    const line = /^ExecStart=(.*)$/m.exec(readFileSync(unitFile, 'utf8'))?.[1] as string;
    // The unit's own command line, plus the test network's --loopback --no-mdns (no traffic off loopback).
    const [command, ...args] = [...systemdUnquote(line), '--loopback', '--no-mdns'];
    // systemd's environment for a user service: little more than HOME and a default PATH.
    const child = spawn(command as string, args, {
      env: { HOME: home.dir, PATH: '/usr/local/bin:/usr/bin:/bin', PVT_PORT_MAPPING: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!stderr.includes('serving') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toContain('pvt daemon: serving default');
      const status = JSON.parse((await runPvt(['service', 'status', '--json'], { env })).stdout);
      expect(status).toMatchObject({ installed: true, daemon: { running: true, pid: child.pid } });
      expect((await runPvt(['note', 'through the service daemon'], { env })).code).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  test('uninstall removes the unit', async () => {
    const r = await runPvt(['service', 'uninstall'], { env });
    expect(r.code).toBe(0);
    expect(existsSync(unitFile)).toBe(false);
    const status = JSON.parse((await runPvt(['service', 'status', '--json'], { env })).stdout);
    expect(status).toMatchObject({ installed: false });
  });
});

test('ExecStart words with spaces, quotes, % and $ survive systemd quoting', () => {
  const words = ['/opt/my apps/node', 'a"b', '100%', '$HOME', 'back\\slash', 'plain'];
  expect(systemdUnquote(words.map(systemdQuote).join(' '))).toEqual(words);
  expect(systemdQuote('100%')).toBe('100%%');
  expect(systemdQuote('$HOME')).toBe('$$HOME');
});

/**
 * The port-mapping question as a person meets it: `pvt chat` in tmux on home1 (behind gw1 with
 * miniupnpd) asks once whether it may open a port; `y` maps it (the status bar shows the method, the
 * public address and the minutes left, miniupnpd lists it); /quit gives it back; the next start does
 * not ask again and maps at once. Skips when the lab or tmux is unavailable.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PVT_BIN, runPvt, tempHome } from '../helpers/cli.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';
import { until } from '../helpers/until.ts';
import { natlab, natlabSkipReason } from './natlab.ts';

const ENV = { NATLAB_PREFIX: 'pvttui-', PVT_PORT_MAPPING: '1' };
const PORT = 40_330;
const skip = natlabSkipReason(ENV) ?? (tmuxAvailable() ? null : 'tmux not installed');
if (skip) console.log(`test/nat/tui.lab.test.ts skipped: ${skip}`);

describe.skipIf(skip !== null)('pvt chat in the natlab', () => {
  const home = tempHome();
  const sessions: TmuxSession[] = [];
  let gw1 = '';
  beforeAll(() => {
    natlab.run(['up'], ENV);
    gw1 = natlab.status(ENV).NATLAB_GW1_PUBLIC_IP ?? '';
  });
  afterAll(() => {
    for (const s of sessions) s.kill();
    natlab.run(['down'], ENV);
    home.cleanup();
  });

  const chat = (): TmuxSession => {
    const s = new TmuxSession(
      `${natlab.path} exec home1 ${process.execPath} ${PVT_BIN} chat --port ${PORT} --no-mdns`,
      { width: 110, height: 30, env: { ...ENV, ...home.env, TERM: 'xterm-256color' } },
    );
    sessions.push(s);
    return s;
  };
  const mapped = () => natlab.run(['mappings'], ENV).includes(String(PORT));

  test('asks once, maps after y, shows it, gives it back on quit; the answer is remembered', async () => {
    expect((await runPvt(['init', '--name', 'Tess'], { env: home.env })).code).toBe(0);

    const first = chat();
    await first.waitFor('Open a port on your router?', 20_000);
    expect(mapped()).toBe(false);
    first.type('y');
    const screen = await first.waitFor(
      new RegExp(`PCP ${gw1.replaceAll('.', '\\.')}:${PORT} · \\d+ min`),
      20_000,
    );
    expect(screen).not.toContain('Open a port on your router?');
    expect(mapped()).toBe(true);
    // Reachable now, so the one-time relay question (issue 11) follows; "n" is remembered.
    await first.waitFor('Relay onion circuits for other pvt users?', 20_000);
    first.type('n');
    await until('the relay question to close', async () =>
      first.screen().includes('Relay onion circuits for other pvt users?') ? undefined : true,
    );
    first.typeLine('/quit');
    await first.waitFor('[exited 0]', 20_000);
    expect(mapped()).toBe(false);

    const second = chat();
    await second.waitFor(`PCP ${gw1}:${PORT}`, 20_000);
    expect(second.screen()).not.toContain('Open a port on your router?');
    expect(second.screen()).not.toContain('Relay onion circuits for other pvt users?');
    second.typeLine('/quit');
    await second.waitFor('[exited 0]', 20_000);
    expect(mapped()).toBe(false);
  }, 120_000);
});

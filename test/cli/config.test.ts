/**
 * `pvt config`: lists the settings with their defaults, sets one (kept across processes), reads one,
 * prints JSON, and refuses an unknown key or a bad value with a usage error (exit 2) that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPvt, type TempHome, tempHome } from '../helpers/cli.ts';

let home: TempHome;
beforeAll(async () => {
  home = tempHome();
  expect((await runPvt(['init', '--name', 'Ada'], { env: home.env })).code).toBe(0);
}, 60_000);
afterAll(() => home?.cleanup());

describe('pvt config', () => {
  test('get, set, get KEY, --json; bad input is a usage error and changes nothing', async () => {
    const all = await runPvt(['config'], { env: home.env });
    expect(all.code).toBe(0);
    expect(all.stdout).toBe('bell on\nnotifications off\nnotify-text off\ntheme dark\ntime 24h\n');

    const set = await runPvt(['config', 'set', 'theme', 'light'], { env: home.env });
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('theme light\n');
    expect((await runPvt(['config', 'get', 'theme'], { env: home.env })).stdout).toBe('theme light\n');

    const bad = await runPvt(['config', 'set', 'theme', 'purple'], { env: home.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"theme" expected dark or light or no-colour');
    const unknown = await runPvt(['config', 'set', 'volume', '11'], { env: home.env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown setting "volume"');

    const json = await runPvt(['config', '--json'], { env: home.env });
    expect(JSON.parse(json.stdout)).toEqual({
      bell: true,
      notifications: false,
      notifyText: false,
      theme: 'light',
      timeFormat: '24h',
    });
  }, 60_000);
});

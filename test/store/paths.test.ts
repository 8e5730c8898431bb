/**
 * Where data lives: --home, then PVT_HOME, then the platform data dir (XDG on Linux, Application
 * Support on macOS, LOCALAPPDATA on Windows); profile names validated; a profile's file layout.
 */
import { describe, expect, test } from 'vitest';
import { InvalidProfileNameError } from '../../src/store/errors.ts';
import { profileDir, profilePaths, resolveDataDir, validateProfileName } from '../../src/store/paths.ts';

describe('paths', () => {
  test('--home wins over PVT_HOME, which wins over the platform dir', () => {
    const env = { PVT_HOME: '/srv/pvt-env', XDG_DATA_HOME: '/xdg' };
    expect(resolveDataDir({ home: '/explicit', env, platform: 'linux', homeDir: '/home/u' })).toBe(
      '/explicit',
    );
    expect(resolveDataDir({ env, platform: 'linux', homeDir: '/home/u' })).toBe('/srv/pvt-env');
  });

  test('platform data dirs', () => {
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', homeDir: '/home/u' })).toBe(
      '/xdg/pvt',
    );
    expect(resolveDataDir({ env: {}, platform: 'linux', homeDir: '/home/u' })).toBe(
      '/home/u/.local/share/pvt',
    );
    // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
    expect(resolveDataDir({ env: { XDG_DATA_HOME: 'rel' }, platform: 'linux', homeDir: '/home/u' })).toBe(
      '/home/u/.local/share/pvt',
    );
    expect(resolveDataDir({ env: {}, platform: 'darwin', homeDir: '/Users/u' })).toBe(
      '/Users/u/Library/Application Support/pvt',
    );
    expect(
      resolveDataDir({
        env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
        platform: 'win32',
        homeDir: 'C:\\Users\\u',
      }),
    ).toBe('C:\\Users\\u\\AppData\\Local\\pvt');
  });

  test('profile names: lowercase, digits, _ and -, 1–32 chars, no path tricks', () => {
    for (const ok of ['default', 'work', 'a', 'alice-2', 'x_y', 'a'.repeat(32), '0day']) {
      expect(validateProfileName(ok)).toBe(ok);
    }
    for (const bad of ['', 'A', 'a'.repeat(33), '-a', '_a', '../x', 'a/b', 'a.b', ' a', 'é']) {
      expect(() => validateProfileName(bad)).toThrow(InvalidProfileNameError);
    }
  });

  test('the files of a profile', () => {
    expect(profileDir('/d', 'work')).toBe('/d/profiles/work');
    expect(profilePaths('/d', 'default')).toEqual({
      dataDir: '/d',
      profilesDir: '/d/profiles',
      dir: '/d/profiles/default',
      db: '/d/profiles/default/pvt.db',
      keyFile: '/d/profiles/default/key.json',
      lock: '/d/profiles/default/lock',
      logs: '/d/profiles/default/logs',
      logFile: '/d/profiles/default/logs/pvt.log',
    });
  });
});

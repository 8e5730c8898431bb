/**
 * The npm package as a user gets it: `npm pack` holds the launcher, the bundle, the manual and nothing
 * else (no sources, no source maps, no runtime `dependencies`: the bundle carries them); a global
 * install of the tarball into a temporary prefix gives a working `pvt` (init, note, log) and `man pvt`;
 * on a Node older than 22.12, `npx ./pvt-*.tgz chat` prints one clear line and exits 1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, tempHome } from '../helpers/cli.ts';
import { npmGlobalInstall, packTarball, pathWith, tarballFiles } from './pack.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
let tarball = '';
let prefix = '';

beforeAll(() => {
  tarball = packTarball();
  prefix = mkdtempSync(join(tmpdir(), 'pvt-prefix-'));
  npmGlobalInstall(tarball, prefix);
});
afterAll(() => {
  if (tarball) rmSync(dirname(tarball), { recursive: true, force: true });
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

describe('npm pack', () => {
  test('the tarball holds the launcher, the bundle, the manual, the README and package.json only', () => {
    expect(tarballFiles(tarball)).toEqual([
      'package/README.md',
      'package/bin/pvt.js',
      'package/dist/pvt.mjs',
      'package/man/pvt.1',
      'package/package.json',
    ]);
  });

  test('the packed manifest installs nothing but the optional keychain addon, and names the manual', () => {
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    ) as Record<string, unknown>;
    // Everything pvt imports is in dist/pvt.mjs: a runtime library belongs in devDependencies.
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys((manifest.optionalDependencies as object) ?? {})).toEqual(['@napi-rs/keyring']);
    expect(manifest.man).toEqual(['./man/pvt.1']);
    expect(manifest.bin).toEqual({ pvt: 'bin/pvt.js' });
    // npm 11 warns at install about packages that declare `prepare`; the bundle is built by prepack.
    expect((manifest.scripts as Record<string, string>).prepare).toBeUndefined();
  });
});

describe('global install of the tarball into a temporary prefix', () => {
  const env = () => ({ ...process.env, PATH: pathWith(join(prefix, 'bin')), NO_COLOR: '1' });

  test('pvt --version runs the installed bundle', () => {
    const out = execFileSync(join(prefix, 'bin', 'pvt'), ['--version'], { encoding: 'utf8', env: env() });
    expect(out.trim()).toBe(pkg.version);
  });

  test('nothing from development is installed: the package and the keychain addon only', () => {
    const installed = readdirSync(join(prefix, 'lib', 'node_modules'));
    expect(installed).toEqual(['pvt']);
    const nested = join(prefix, 'lib', 'node_modules', 'pvt', 'node_modules');
    const names = existsSync(nested) ? readdirSync(nested).filter((n) => !n.startsWith('.')) : [];
    expect(names.filter((n) => n !== '@napi-rs')).toEqual([]);
  });

  test('man -M PREFIX/share/man pvt shows the manual', () => {
    const r = spawnSync('man', ['-M', join(prefix, 'share', 'man'), 'pvt'], {
      encoding: 'utf8',
      env: { ...env(), MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s*\n\s*pvt\b/m);
  });

  test('the installed pvt creates an identity, stores a note and lists it, away from the source tree', () => {
    const home = tempHome();
    try {
      const run = (args: string[]) =>
        spawnSync(join(prefix, 'bin', 'pvt'), args, {
          encoding: 'utf8',
          cwd: home.dir,
          env: { ...env(), ...home.env },
        });
      const init = run(['init', '--name', 'Packed']);
      expect(init.stderr + init.stdout).toContain('created Packed');
      expect(init.status).toBe(0);
      expect(run(['note', 'from the tarball']).status).toBe(0);
      const log = run(['log', '--self', '--json']);
      expect(log.status).toBe(0);
      expect(log.stdout).toContain('from the tarball');
    } finally {
      home.cleanup();
    }
  });
});

/** The machine's own Node when it is older than 22.12 (CI ships Node 20), with its npx. */
function oldNode(): { dir: string; version: string } | undefined {
  for (const dir of ['/usr/bin', '/usr/local/bin']) {
    if (!existsSync(join(dir, 'node')) || !existsSync(join(dir, 'npx'))) continue;
    const version = execFileSync(join(dir, 'node'), ['-p', 'process.versions.node'], {
      encoding: 'utf8',
    }).trim();
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) return { dir, version };
  }
  return undefined;
}
const old = oldNode();
if (!old) console.log('skip: no Node older than 22.12 with npx on this machine');

test.skipIf(!old)('npx ./pvt-*.tgz chat on an old Node prints one clear line and exits 1', () => {
  // A private npm cache, offline, without the optional addon: npx installs the tarball alone.
  const cache = mkdtempSync(join(tmpdir(), 'pvt-npx-cache-'));
  try {
    const r = spawnSync(join(old?.dir as string, 'npx'), ['--yes', `./${basename(tarball)}`, 'chat'], {
      encoding: 'utf8',
      cwd: dirname(tarball),
      env: {
        ...process.env,
        PATH: `${old?.dir}:/bin`,
        NO_COLOR: '1',
        npm_config_cache: cache,
        npm_config_offline: 'true',
        npm_config_omit: 'optional',
      },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('pvt:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Node.js ${old?.version} is too old`);
    expect(lines[0]).toContain('npx -p node@24 -p pvt pvt');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

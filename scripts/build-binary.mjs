#!/usr/bin/env node
// `npm run build:binary`: the single executable dist-bin/pvt-<os>-<arch> (Node's single executable
// applications, with the Node that runs this script — the pinned Node 24):
//   1. the bundle dist/pvt.mjs (scripts/build.mjs), embedded as the asset "pvt.mjs";
//   2. the keychain addon of this platform (@napi-rs/keyring-<os>-<arch>[-gnu]), embedded as the
//      asset "keyring.node" when installed (else the binary runs without a keychain: passphrase only);
//   3. scripts/sea-main.cjs as the SEA main (it imports the bundle and serves the addon);
//   4. `node --experimental-sea-config` writes the blob; postject injects it into a copy of node.
// --reuse  keeps an existing dist/pvt.mjs instead of rebuilding it.
//
// Other platforms (no cross-building: run this on the target with `npm ci` there):
//   macOS arm64/x64: the same command; postject gets --macho-segment-name NODE_SEA, and the copy is
//     re-signed ad hoc (`codesign --sign - dist-bin/pvt-darwin-arm64`) after `codesign --remove-signature`
//     before injection — both done below when process.platform is darwin.
//   Linux arm64: the same command on an arm64 machine (the node@24 package installs its arm64 build;
//     the addon is @napi-rs/keyring-linux-arm64-gnu).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildBundle } from './build.mjs';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function keyringAddon() {
  const { platform, arch } = process;
  const candidates =
    platform === 'linux' ? [`linux-${arch}-gnu`, `linux-${arch}-musl`] : [`${platform}-${arch}`];
  for (const suffix of candidates) {
    try {
      const dir = join(require.resolve(`@napi-rs/keyring-${suffix}/package.json`), '..');
      const file = join(dir, `keyring.${suffix}.node`);
      if (existsSync(file)) return file;
    } catch {
      // not installed for this platform
    }
  }
  return undefined;
}

export async function buildBinary({ reuse = false } = {}) {
  const bundle = join(root, 'dist', 'pvt.mjs');
  if (!reuse || !existsSync(bundle)) await buildBundle();
  const out = join(root, 'dist-bin');
  const work = join(out, '.work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const name = `pvt-${process.platform}-${process.arch}`;
  const binary = join(out, name);
  const addon = keyringAddon();
  const blob = join(work, 'sea-prep.blob');
  const config = {
    main: join(root, 'scripts', 'sea-main.cjs'),
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    assets: { 'pvt.mjs': bundle, ...(addon ? { 'keyring.node': addon } : {}) },
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], {
    stdio: 'inherit',
  });
  rmSync(binary, { force: true });
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  const darwin = process.platform === 'darwin';
  if (darwin) execFileSync('codesign', ['--remove-signature', binary]);
  const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  const args = [postject, binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
  if (darwin) args.push('--macho-segment-name', 'NODE_SEA');
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`postject failed (${r.status})`);
  if (darwin) execFileSync('codesign', ['--sign', '-', binary]);
  rmSync(work, { recursive: true, force: true });
  return { binary, bytes: statSync(binary).size, keychainAddon: addon !== undefined };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await buildBinary({ reuse: process.argv.includes('--reuse') });
  console.log(
    `${result.binary}: ${(result.bytes / 1e6).toFixed(1)} MB, keychain addon ${result.keychainAddon ? 'embedded' : 'absent'}`,
  );
}

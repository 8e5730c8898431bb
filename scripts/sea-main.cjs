// Start-up code of the single executable (Node SEA, scripts/build-binary.mjs). Node runs this CommonJS
// file; it makes the bundle, embedded as the asset "pvt.mjs", importable as an ES module under a file
// URL beside the executable (so import.meta.url and createRequire work), keeps V8's compile cache in
// the user's cache directory as bin/pvt.js does, and serves `import('@napi-rs/keyring')` from the
// embedded native addon (asset "keyring.node", written to a private temporary directory, loaded with
// process.dlopen and deleted at once) — or as absent when the build had none.
'use strict';
const sea = require('node:sea');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const nodeModule = require('node:module');

// Node SEA repeats the executable as argv[1]; the CLI reads its arguments from argv[2], like `node script`.
const BUNDLE_URL = pathToFileURL(path.join(path.dirname(process.execPath), 'pvt.mjs')).href;
const KEYRING_URL = 'pvt-sea:keyring';
const KEYRING_HANDOFF = Symbol.for('pvt.sea.keyring');

function cacheDir() {
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'pvt');
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pvt');
}
if (!process.env.NODE_DISABLE_COMPILE_CACHE && typeof nodeModule.enableCompileCache === 'function') {
  try {
    const dir = path.join(cacheDir(), 'compile-cache');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    nodeModule.enableCompileCache(dir);
  } catch {
    // No writable cache directory: start without the cache.
  }
}

function hasAsset(name) {
  try {
    sea.getRawAsset(name);
    return true;
  } catch {
    return false;
  }
}

/** Loads the embedded keychain addon once; throws (→ keychain unavailable) when there is none. */
function loadKeyring() {
  if (globalThis[KEYRING_HANDOFF]) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvt-keyring-'));
  const file = path.join(dir, 'keyring.node');
  try {
    fs.writeFileSync(file, new Uint8Array(sea.getRawAsset('keyring.node')), { mode: 0o500 });
    const mod = { exports: {} };
    process.dlopen(mod, file);
    globalThis[KEYRING_HANDOFF] = mod.exports;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

nodeModule.registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === BUNDLE_URL) return { url: BUNDLE_URL, format: 'module', shortCircuit: true };
    if (specifier === '@napi-rs/keyring') {
      if (!hasAsset('keyring.node')) throw new Error('the keychain addon is not part of this build');
      return { url: KEYRING_URL, format: 'module', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (url === BUNDLE_URL)
      return { format: 'module', source: sea.getAsset('pvt.mjs', 'utf8'), shortCircuit: true };
    if (url === KEYRING_URL) {
      loadKeyring();
      const source = `const m = globalThis[Symbol.for('pvt.sea.keyring')]; export default m; export const AsyncEntry = m.AsyncEntry;`;
      return { format: 'module', source, shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});

import(BUNDLE_URL).catch((error) => {
  process.stderr.write(`pvt: ${error?.stack ?? String(error)}\n`);
  process.exit(1);
});

#!/usr/bin/env node
// pvt launcher (npm package, npx, a source checkout): refuses Node versions below 22.12 with one clear
// line, keeps V8's compiled code of the bundle in the user's cache directory (so a start does not parse
// 1.7 MB of JavaScript from scratch; NODE_DISABLE_COMPILE_CACHE=1 turns it off), then runs the bundle
// dist/pvt.mjs (scripts/build.mjs). The single executable does the same from its own start-up code.
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `pvt: Node.js ${process.versions.node} is too old; pvt needs Node.js 22.12 or newer (24 LTS recommended) — or run it with a Node 24 fetched for the occasion: npx -p node@24 -p pvt pvt\n`,
  );
  process.exit(1);
}

function cacheDir() {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'pvt');
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pvt');
}
if (!process.env.NODE_DISABLE_COMPILE_CACHE && typeof module.enableCompileCache === 'function') {
  try {
    const dir = join(cacheDir(), 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    module.enableCompileCache(dir);
  } catch {
    // No writable cache directory: start without the cache.
  }
}

const bundle = new URL('../dist/pvt.mjs', import.meta.url);
try {
  await import(bundle.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && error.url === bundle.href) {
    process.stderr.write('pvt: dist/pvt.mjs is missing; in a source checkout run "npm run build" first\n');
    process.exit(1);
  }
  throw error;
}

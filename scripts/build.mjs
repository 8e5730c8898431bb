#!/usr/bin/env node
// `npm run build`: bundles the CLI (src/cli/entry.ts and everything it imports, node_modules included)
// into ONE ES module, dist/pvt.mjs, which bin/pvt.js, npx and the single executable all run. esbuild,
// because it bundles TypeScript + JSX + ESM with top-level await (ink/yoga need it) in about a second;
// see docs/decisions.md (issue 14). Modules reached only through import() stay in the file but are
// evaluated on first import (libp2p, the NAT clients, the daemon server), so start-up pays for their
// parse, not their evaluation.
//   --metafile  also writes dist/meta.json (what takes the room; `npx esbuild-visualizer` or analyze)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');

/** Options shared with scripts/build-binary.mjs. */
export function bundleOptions(outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, 'src', 'cli', 'entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22.12',
    // The keychain binding is a native addon: it stays an optional dependency of the npm package, and
    // the single executable carries it as an asset (scripts/build-binary.mjs).
    external: ['@napi-rs/keyring'],
    define: {
      PVT_BUILD_VERSION: JSON.stringify(pkg.version),
      'process.env.NODE_ENV': '"production"',
    },
    // Some dependencies are CommonJS and call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __pvtCreateRequire } from 'node:module';\nconst require = __pvtCreateRequire(import.meta.url);",
    },
    // Minified: 1.7 MB instead of 2.5 MB, and the parse (paid by every start without a warm compile
    // cache, and by the hash check with one) shrinks with it. No source map: see docs/decisions.md.
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [
      {
        // An ES module's `import … from 'node:http'` is hoisted to the top of the bundle and builds the
        // module's ESM facade at start-up, which evaluates every lazy getter (node:http's loads undici:
        // 24 ms). As CommonJS `require()`s inside the modules that use them, built-ins load on first use.
        name: 'lazy-node-builtins',
        setup(build) {
          const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
          build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
            names.has(args.path) && args.namespace !== 'pvt-builtin'
              ? { path: args.path.replace(/^node:/, ''), namespace: 'pvt-builtin' }
              : undefined,
          );
          build.onLoad({ filter: /.*/, namespace: 'pvt-builtin' }, (args) => ({
            contents: `module.exports = require('node:${args.path}');`,
            loader: 'js',
          }));
        },
      },
      {
        // yoga's Emscripten loader tests `typeof fetch` to decide how to read its (inlined) wasm, and
        // touching the global `fetch` makes Node load undici (≈ 30 ms of every TUI start) only to have
        // the fetch of a data: URL fall back to the synchronous decode. It decodes synchronously now.
        name: 'yoga-without-fetch',
        setup(build) {
          build.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/].*\.js$/ }, async (args) => {
            const source = await readFile(args.path, 'utf8');
            const patched = source.replaceAll('typeof fetch', '"undefined"');
            if (patched === source) throw new Error('yoga-without-fetch: yoga no longer tests typeof fetch');
            return { contents: patched, loader: 'js' };
          });
        },
      },
      {
        // ink imports react-devtools-core only when DEV=true and the package is installed; it is not.
        name: 'no-react-devtools',
        setup(build) {
          build.onResolve({ filter: /^react-devtools-core$/ }, () => ({
            path: 'empty',
            namespace: 'pvt-empty',
          }));
          build.onLoad({ filter: /.*/, namespace: 'pvt-empty' }, () => ({
            contents: 'export default {};',
            loader: 'js',
          }));
        },
      },
    ],
  };
}

export async function buildBundle({ metafile = false } = {}) {
  rmSync(dist, { recursive: true, force: true });
  const outfile = join(dist, 'pvt.mjs');
  const result = await esbuild.build({ ...bundleOptions(outfile), metafile });
  if (metafile) writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildBundle({ metafile: process.argv.includes('--metafile') });
}

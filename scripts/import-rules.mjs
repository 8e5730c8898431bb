#!/usr/bin/env node
// The layer rules of DESIGN.md §2 as data, checked over every import of src/ (part of `npm run lint` and
// of preflight). An arrow only points down: each layer lists the layers (and, for the pure layers and
// the UI, the packages or files) it may import; anything else fails with the file, the line and the
// rule. Pure layers also must not read the clock or global randomness; the core must not use
// Math.random (randomness is injected). Why a script and not dependency-cruiser: no dependency tree
// to trust for ~150 lines, and the rules stay readable data next to the code (docs/decisions.md).
//
// Usage: node scripts/import-rules.mjs [--root DIR]   (DIR defaults to the repository root)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Layers, most specific prefix first (a file belongs to the first whose directory contains it).
 * `layers`: the other layers it may import. `packages`: when present, the only packages it may import
 * (prefixes; `node:` builtins included). `files`: for a layer listed in `layers`, the only files of that
 * layer it may import. `forbid`: source patterns that must not appear (with the reason).
 */
export const RULES = {
  'net/nat': {
    layers: ['store', 'protocol', 'crypto', 'log'],
    why: 'net/nat is below net: it reports to net through its own types and errors',
  },
  log: { layers: [], why: 'the logger interface is neutral: it imports nothing of pvt' },
  text: {
    layers: [],
    packages: [],
    forbid: [
      [/\bMath\.random\b|\bDate\.now\b|\bnew Date\(\s*\)/, 'text rules are pure (no clock, no randomness)'],
    ],
    why: 'the text rules (the one sanitizer, the name rules) are pure and neutral: protocol, app, CLI and UI share them',
  },
  crypto: {
    layers: [],
    packages: ['@noble/', 'node:crypto'],
    forbid: [
      [/\bMath\.random\b/, 'no global randomness in crypto (an Rng is a parameter)'],
      [/\bDate\.now\b|\bnew Date\(\s*\)|\bperformance\.now\b/, 'no clock in crypto (time is a parameter)'],
    ],
    why: 'crypto is pure: thin adapters over @noble/* and node:crypto',
  },
  protocol: {
    layers: ['crypto', 'text'],
    packages: ['@noble/'],
    forbid: [
      [/\bMath\.random\b/, 'no global randomness in protocol (an Rng is a parameter)'],
      [/\bDate\.now\b|\bnew Date\(\s*\)|\bperformance\.now\b/, 'no clock in protocol (time is a parameter)'],
    ],
    why: 'protocol is pure: codecs and state machines over crypto/',
  },
  store: { layers: ['crypto', 'log'], why: 'storage knows bytes and rows, not protocols, network or app' },
  net: {
    layers: ['net/nat', 'store', 'protocol', 'crypto', 'log'],
    why: 'net is I/O below the app and the daemon',
  },
  app: {
    layers: ['net', 'net/nat', 'store', 'protocol', 'crypto', 'log', 'text'],
    forbid: [[/\bMath\.random\b/, 'no Math.random in the core: randomness comes from the injected Rng']],
    why: 'the core sits on net/store/protocol and knows nothing of the UI, the daemon or argv',
  },
  // Below app in the diagram, but it serves and proxies PvtApi, so it imports the app's contract; the
  // app never imports the daemon.
  daemon: {
    layers: ['app', 'crypto', 'log'],
    why: 'the daemon serves PvtApi over a socket; it does not reach around the app',
  },
  ui: {
    layers: ['app', 'text'],
    files: { app: ['api.ts', 'contact-lookup.ts', 'nat-summary.ts', 'constants.ts', 'errors.ts'] },
    why: 'the UI talks only to PvtApi (and pure helpers of the app layer)',
  },
  cli: {
    layers: ['ui', 'app', 'daemon', 'net', 'net/nat', 'store', 'protocol', 'crypto', 'log', 'text'],
    why: 'the CLI is the top layer',
  },
};

const LAYER_ORDER = Object.keys(RULES);

/** The layer of a path under src/ (undefined: outside every layer, e.g. src/index.ts). */
export function layerOf(srcDir, file) {
  const rel = relative(srcDir, file).split(sep).join('/');
  if (rel.startsWith('..')) return undefined;
  return LAYER_ORDER.find((l) => rel.startsWith(`${l}/`));
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE =
  /(?:^|[^\w.])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"]([^'"]+)['"]|(?:^|[^\w.])import\(\s*['"]([^'"]+)['"]\s*\)/g;

function lineAt(text, index) {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Blanks comments (keeping newlines and string contents), so commented-out code is not checked. */
function stripComments(text) {
  return text.replace(
    /\/\*[\s\S]*?\*\/|(^|[^:'"\\])\/\/[^\n]*/g,
    (m, pre = '') => pre + m.slice(pre.length).replace(/[^\n]/g, ' '),
  );
}

/** Every violation under `root`/src: { file, line, rule, message }. */
export function checkImports(root) {
  const srcDir = join(root, 'src');
  const violations = [];
  for (const file of walk(srcDir, [])) {
    const from = layerOf(srcDir, file);
    if (!from) continue;
    const rule = RULES[from];
    const raw = readFileSync(file, 'utf8');
    const text = stripComments(raw);
    const relFile = relative(root, file).split(sep).join('/');
    const report = (index, message) =>
      violations.push({ file: relFile, line: lineAt(text, index), rule: from, message });
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      const index = m.index + m[0].indexOf(spec);
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const to = layerOf(srcDir, target);
        if (to === from) continue;
        if (to === undefined) {
          report(index, `${from}/ must not import ${spec} (outside the layers)`);
        } else if (!rule.layers.includes(to)) {
          report(index, `${from}/ must not import ${to}/ (${spec}): ${rule.why}`);
        } else if (rule.files?.[to]) {
          const name = relative(join(srcDir, to), target).split(sep).join('/');
          if (!rule.files[to].includes(name))
            report(index, `${from}/ may import only ${rule.files[to].join(', ')} of ${to}/, not ${name}`);
        }
      } else if (rule.packages) {
        if (!rule.packages.some((p) => spec === p || spec.startsWith(p)))
          report(index, `${from}/ must not import the package ${spec}: ${rule.why}`);
      }
    }
    for (const [pattern, why] of rule.forbid ?? []) {
      const re = new RegExp(pattern.source, 'g');
      for (const m of text.matchAll(re)) report(m.index, `${m[0]}: ${why}`);
    }
  }
  return violations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--root');
  const root = at >= 0 ? resolve(process.argv[at + 1]) : new URL('..', import.meta.url).pathname;
  const violations = checkImports(root);
  for (const v of violations) process.stderr.write(`${v.file}:${v.line}: [layer ${v.rule}] ${v.message}\n`);
  if (violations.length > 0) {
    process.stderr.write(`import rules: ${violations.length} violation(s) (DESIGN.md §2)\n`);
    process.exit(1);
  }
  process.stdout.write('import rules: ok\n');
}

/**
 * The layer rules of DESIGN.md §2 (scripts/import-rules.mjs, run by `npm run lint` and preflight): the
 * real tree passes; a forbidden import (src/protocol importing src/net) and a forbidden global
 * (Math.random in the core) fail with the file, the line and the rule, through the same command.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'import-rules.mjs');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pvt-rules-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root?: string) {
  const r = spawnSync(process.execPath, root ? [SCRIPT, '--root', root] : [SCRIPT], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('import rules', () => {
  it('the repository passes', () => {
    const r = check();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('fails when src/protocol imports src/net, naming the file, the line and the rule', () => {
    const root = tree({
      'src/net/network.ts': 'export const x = 1;\n',
      'src/crypto/bytes.ts': 'export const b = 2;\n',
      'src/protocol/codec.ts':
        "import { b } from '../crypto/bytes.ts';\n// import { x } from '../net/network.ts';\nimport { x } from '../net/network.ts';\nexport const y = x + b;\n",
    });
    const r = check(root);
    expect(r.status).toBe(1);
    // Only the real import (line 3): the commented-out one and the allowed crypto import pass.
    expect(r.stderr).toContain('src/protocol/codec.ts:3: [layer protocol] protocol/ must not import net/');
    expect(r.stderr).toContain('1 violation(s)');
  });

  it('fails on a package a pure layer must not use, and on Math.random in the core', () => {
    const root = tree({
      'src/crypto/io.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      'src/app/jitter.ts': 'export const jitter = () => 1 + Math.random();\n',
      'src/net/nat/errors.ts':
        "import { NetError } from '../errors.ts';\nexport class E extends NetError {}\n",
      'src/net/errors.ts': 'export class NetError extends Error {}\n',
    });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'src/crypto/io.ts:1: [layer crypto] crypto/ must not import the package node:fs',
    );
    expect(r.stderr).toContain('src/app/jitter.ts:1: [layer app] Math.random');
    expect(r.stderr).toContain('src/net/nat/errors.ts:1: [layer net/nat] net/nat/ must not import net/');
  });
});

/**
 * A full disk: on a tiny tmpfs (needs root and mount; otherwise skipped with the reason printed),
 * appendMessage fails with StoreWriteError, nothing is half-written, the store can be closed while the
 * disk is still full, and after space is freed the profile opens with every earlier message intact.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { StoreWriteError } from '../../src/store/errors.ts';
import { openProfile } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { newProfile, PASSPHRASE } from './helpers.ts';

const TMPFS_BYTES = 3 * 1024 * 1024;

function mountTmpfs(): { dir: string } | { skip: string } {
  if (process.platform !== 'linux') return { skip: 'tmpfs mounts are a Linux feature' };
  if (process.getuid?.() !== 0) return { skip: 'not root: cannot mount a tmpfs' };
  const dir = mkdtempSync(join(tmpdir(), 'pvt-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES},mode=0700`, 'tmpfs', dir]);
  if (r.status !== 0) {
    rmdirSync(dir);
    return { skip: `mount -t tmpfs failed: ${r.stderr?.toString().trim() || r.error?.message || r.status}` };
  }
  return { dir };
}

const mount = mountTmpfs();
const skipReason = 'skip' in mount ? mount.skip : undefined;
if (skipReason) console.log(`disk-full test skipped: ${skipReason}`);

afterAll(() => {
  if ('dir' in mount) {
    if (spawnSync('umount', [mount.dir]).status !== 0) spawnSync('umount', ['-l', mount.dir]);
    rmdirSync(mount.dir);
  }
});

/** Fills the filesystem with files until ENOSPC; returns their paths. */
function fill(dir: string): string[] {
  const files: string[] = [];
  for (let i = 0; ; i++) {
    const f = join(dir, `filler-${i}`);
    files.push(f);
    try {
      writeFileSync(f, Buffer.alloc(64 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      break;
    }
  }
  // Squeeze out the last blocks too.
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `crumb-${i}`), Buffer.alloc(1024));
      files.push(join(dir, `crumb-${i}`));
    } catch {
      break;
    }
  }
  return files;
}

describe.skipIf(skipReason !== undefined)('disk full', () => {
  test('appendMessage → StoreWriteError; close while full; after freeing space every earlier message is there', async () => {
    const dir = (mount as { dir: string }).dir;
    const dataDir = join(dir, 'data');
    const store = await newProfile(dataDir);
    store.ensureConversation('self', 'self', 'notes', 1);
    const bodies: string[] = [];
    for (let i = 0; i < 30; i++) {
      bodies.push(`message ${i} ${'x'.repeat(500)}`);
      store.appendMessage({
        conversationId: 'self',
        direction: 'out',
        body: bodies[i] as string,
        state: 'stored',
        createdAt: i,
      });
    }
    const fillers = fill(dir);

    let failure: unknown;
    for (let i = 0; i < 400 && failure === undefined; i++) {
      try {
        const body = `overflow ${i} ${'y'.repeat(16 * 1024)}`;
        store.appendMessage({
          conversationId: 'self',
          direction: 'out',
          body,
          state: 'stored',
          createdAt: 1000 + i,
        });
        bodies.push(body); // it fit in space SQLite had already allocated: it is durable and must survive
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(StoreWriteError);
    expect((failure as StoreWriteError).code).toBe('StoreWriteFailed');
    expect((failure as Error).message).toContain('disk is full');
    // Nothing half-written: the visible history is exactly what succeeded.
    expect(store.countMessages('self')).toBe(bodies.length);
    expect(store.listMessages('self', { limit: 10_000 }).map((m) => m.body)).toEqual(bodies);

    store.close(); // still full: the checkpoint may fail, the WAL keeps everything
    for (const f of fillers) rmSync(f, { force: true });

    const again = await openProfile({ dataDir, profile: 'default', rng: systemRng, passphrase: PASSPHRASE });
    expect(again.listMessages('self', { limit: 10_000 }).map((m) => m.body)).toEqual(bodies);
    const next = again.appendMessage({
      conversationId: 'self',
      direction: 'out',
      body: 'after',
      state: 'stored',
      createdAt: 9999,
    });
    expect(next.seq).toBe(bodies.length + 1);
    again.close();
  }, 20_000);
});

/**
 * No plaintext at rest: message bodies, a conversation title, the display name inside the identity blob
 * and the passphrase are written through the store (with a debug-level file logger attached), and then
 * every byte of every file under the data dir — db, WAL, key.json, lock, logs — is searched for each
 * canary as UTF-8 and UTF-16LE, while the profile is open and after it is closed.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { utf8 } from '../../src/crypto/bytes.ts';
import { createFileLogger } from '../../src/store/file-logger.ts';
import { createProfile, openProfile } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { filesContaining, listFiles } from '../helpers/files.ts';
import { FAST_ARGON2, type TempDir, tempDir } from './helpers.ts';

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const tag = () => Buffer.from(systemRng(6)).toString('hex');

describe('canary', () => {
  test('no message text, title, display name or passphrase appears in any file under the data dir', async () => {
    const body = `body-canary-${tag()}`;
    const title = `Title Canary ${tag()}`;
    const displayName = `Zephyrine-${tag()}`;
    const passphrase = `pass-canary-${tag()}`;
    const canaries = [body, title, displayName, passphrase];
    const logger = createFileLogger({ dir: join(tmp.dir, 'profiles', 'default'), level: 'debug' });

    const store = await createProfile({
      dataDir: tmp.dir,
      profile: 'default',
      rng: systemRng,
      logger,
      identityBlob: utf8(JSON.stringify({ displayName, secretKey: 'k' })),
      createdAt: 1,
      protection: { kind: 'passphrase', passphrase, argon2: FAST_ARGON2 },
    });
    logger.info('test.marker', { n: 1 }); // make sure a log file exists and is searched
    store.ensureConversation('c1', 'contact', title, 1);
    for (let i = 0; i < 50; i++) {
      // Some large enough to span pages and overflow pages.
      const text = i % 10 === 0 ? `${body} ${'z'.repeat(6000)} ${body}` : `${i}: ${body}`;
      const m = store.appendMessage({
        conversationId: 'c1',
        direction: i % 2 ? 'in' : 'out',
        body: text,
        state: 'stored',
        createdAt: i,
      });
      store.setMessageState(m.id, 'delivered');
    }
    expect(listFiles(tmp.dir).some((f) => f.endsWith('pvt.db-wal'))).toBe(true);
    for (const c of canaries) expect(filesContaining(tmp.dir, c), c).toEqual([]);
    store.close();

    const again = await openProfile({
      dataDir: tmp.dir,
      profile: 'default',
      rng: systemRng,
      logger,
      passphrase,
    });
    expect(again.conversations()[0]?.title).toBe(title);
    expect(again.listMessages('c1', { limit: 1 })[0]?.body).toBe(`49: ${body}`);
    again.close();

    const files = listFiles(tmp.dir).map((f) => f.slice(tmp.dir.length + 1));
    expect(files).toEqual(
      expect.arrayContaining([
        'profiles/default/key.json',
        'profiles/default/pvt.db',
        'profiles/default/logs/pvt.log',
      ]),
    );
    for (const c of canaries) expect(filesContaining(tmp.dir, c), c).toEqual([]);
  });
});

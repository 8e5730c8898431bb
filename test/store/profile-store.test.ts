/**
 * The ProfileStore API the app layer uses: create/inspect/open, identity blob, conversations, messages
 * (seq, idempotent ids, paging, counts, states), re-open after close, never overwriting an existing
 * profile, keychain protection, and what a crash during creation leaves behind.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ConversationNotFoundError,
  ForeignDatabaseError,
  InvalidProfileNameError,
  ProfileExistsError,
  ProfileInUseError,
  ProfileNotFoundError,
  SealedValueRejectedError,
  StoreClosedError,
  WrongPassphraseError,
} from '../../src/store/errors.ts';
import { memoryKeychain } from '../../src/store/keychain.ts';
import { inspectProfile, openProfile, type ProfileStore } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { newProfile, PASSPHRASE, type TempDir, tempDir } from './helpers.ts';

let tmp: TempDir;
let open: ProfileStore[] = [];
beforeEach(() => {
  tmp = tempDir();
  open = [];
});
afterEach(() => {
  for (const s of open) s.close();
  tmp.cleanup();
});
const track = (s: ProfileStore) => {
  open.push(s);
  return s;
};
const reopen = async (o: { passphrase?: string; profile?: string } = {}) =>
  track(
    await openProfile({
      dataDir: tmp.dir,
      profile: o.profile ?? 'default',
      rng: systemRng,
      passphrase: o.passphrase ?? PASSPHRASE,
    }),
  );

describe('profile store', () => {
  test('inspect: absent, then present with its protection; the layout on disk', async () => {
    expect(await inspectProfile({ dataDir: tmp.dir, profile: 'default' })).toEqual({ state: 'absent' });
    const store = track(await newProfile(tmp.dir));
    expect(store.dir).toBe(join(tmp.dir, 'profiles', 'default'));
    expect(store.keyProtection).toBe('passphrase');
    expect(await inspectProfile({ dataDir: tmp.dir, profile: 'default' })).toEqual({
      state: 'present',
      keyProtection: 'passphrase',
    });
    expect(readdirSync(store.dir).sort()).toEqual(['key.json', 'lock', 'pvt.db', 'pvt.db-wal']);
    expect(readFileSync(join(store.dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    for (const p of [tmp.dir, join(tmp.dir, 'profiles'), store.dir])
      expect(statSync(p).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(store.dir)) expect(statSync(join(store.dir, f)).mode & 0o777).toBe(0o600);
    store.close();
    expect(readdirSync(store.dir).sort()).toEqual(['key.json', 'pvt.db']);
  });

  test('the identity blob comes back as stored', async () => {
    const identity = systemRng(300);
    track(await newProfile(tmp.dir, { identity })).close();
    expect((await reopen()).identityBlob()).toEqual(identity);
  });

  test('messages: seq per conversation, ascending lists, paging, counts, states, last activity', async () => {
    const s = track(await newProfile(tmp.dir));
    s.ensureConversation('self', 'self', 'Note to self', 100);
    s.ensureConversation('c1', 'contact', 'Alice', 200);
    s.ensureConversation('self', 'self', 'ignored: exists', 300);
    const a = s.appendMessage({
      conversationId: 'self',
      direction: 'out',
      body: 'one',
      state: 'stored',
      createdAt: 1000,
    });
    const b = s.appendMessage({
      conversationId: 'c1',
      direction: 'in',
      body: 'hi',
      state: 'delivered',
      createdAt: 1100,
    });
    const c = s.appendMessage({
      conversationId: 'self',
      direction: 'out',
      body: 'two',
      state: 'pending',
      createdAt: 1200,
    });
    expect([a.seq, b.seq, c.seq]).toEqual([1, 1, 2]);
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(a.id).not.toBe(c.id);
    for (let i = 3; i <= 10; i++) {
      s.appendMessage({
        conversationId: 'self',
        direction: 'out',
        body: `n${i}`,
        state: 'stored',
        createdAt: 1000 + i * 100,
      });
    }
    expect(s.countMessages('self')).toBe(10);
    expect(s.countMessages('c1')).toBe(1);
    expect(s.countMessages('nobody')).toBe(0);
    const last3 = s.listMessages('self', { limit: 3 });
    expect(last3.map((m) => m.seq)).toEqual([8, 9, 10]);
    expect(last3.map((m) => m.body)).toEqual(['n8', 'n9', 'n10']);
    expect(s.listMessages('self', { limit: 3, before: 8 }).map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(s.listMessages('self').map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    s.setMessageState(c.id, 'sent');
    s.setMessageState('0'.repeat(32), 'sent'); // unknown id: nothing happens
    expect(s.listMessages('self', { limit: 9 })[0]).toMatchObject({ id: c.id, state: 'sent', body: 'two' });
    expect(s.conversations()).toEqual([
      { id: 'self', kind: 'self', title: 'Note to self', createdAt: 100, lastActivityAt: 2000 },
      { id: 'c1', kind: 'contact', title: 'Alice', createdAt: 200, lastActivityAt: 1100 },
    ]);
    s.close();
    const again = await reopen();
    expect(again.listMessages('self', { limit: 2 }).map((m) => m.body)).toEqual(['n9', 'n10']);
    expect(again.conversations().map((c2) => c2.title)).toEqual(['Note to self', 'Alice']);
  });

  test('appendMessage with a known id is idempotent: the stored row comes back, nothing is added', async () => {
    const s = track(await newProfile(tmp.dir));
    s.ensureConversation('c1', 'contact', 'Bob', 1);
    const id = 'aa'.repeat(16);
    const first = s.appendMessage({
      conversationId: 'c1',
      direction: 'in',
      body: 'hello',
      state: 'delivered',
      createdAt: 5,
      id,
    });
    const dup = s.appendMessage({
      conversationId: 'c1',
      direction: 'in',
      body: 'hello',
      state: 'delivered',
      createdAt: 9,
      id,
    });
    expect(dup).toEqual(first);
    expect(s.countMessages('c1')).toBe(1);
  });

  test('bad input is refused with TypeError/RangeError; an unknown conversation by name', async () => {
    const s = track(await newProfile(tmp.dir));
    s.ensureConversation('c1', 'contact', 'x', 1);
    const base = {
      conversationId: 'c1',
      direction: 'out' as const,
      body: 'x',
      state: 'stored',
      createdAt: 1,
    };
    expect(() => s.appendMessage({ ...base, conversationId: 'nope' })).toThrow(ConversationNotFoundError);
    expect(() => s.appendMessage({ ...base, direction: 'sideways' as 'out' })).toThrow(TypeError);
    expect(() => s.appendMessage({ ...base, createdAt: -1 })).toThrow(RangeError);
    expect(() => s.appendMessage({ ...base, id: 'has space' })).toThrow(TypeError);
    expect(() => s.appendMessage({ ...base, state: '' })).toThrow(TypeError);
    expect(() => s.listMessages('c1', { limit: 0 })).toThrow(RangeError);
    expect(() => s.ensureConversation('c\u0000', 'contact', 'x', 1)).toThrow(TypeError);
    expect(s.countMessages('c1')).toBe(0);
  });

  test('createProfile on an existing profile → ProfileExistsError and nothing changes', async () => {
    track(await newProfile(tmp.dir)).close();
    const dir = join(tmp.dir, 'profiles', 'default');
    const before = Object.fromEntries(
      readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('hex')]),
    );
    await expect(newProfile(tmp.dir, { identity: new Uint8Array([9]) })).rejects.toBeInstanceOf(
      ProfileExistsError,
    );
    const after = Object.fromEntries(
      readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('hex')]),
    );
    expect(after).toEqual(before);
  });

  test('openProfile: no profile → ProfileNotFoundError; wrong passphrase → WrongPassphraseError, files unchanged', async () => {
    await expect(reopen()).rejects.toBeInstanceOf(ProfileNotFoundError);
    track(await newProfile(tmp.dir)).close();
    const dir = join(tmp.dir, 'profiles', 'default');
    const snap = () =>
      Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('hex')]));
    const before = snap();
    await expect(reopen({ passphrase: 'nope' })).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(snap()).toEqual(before);
    expect((await reopen()).identityBlob()).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  test('a second open of an open profile, in this process or another, is refused', async () => {
    const s = track(await newProfile(tmp.dir));
    const error = await reopen().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileInUseError);
    expect((error as Error).message).toBe(`profile in use by pid ${process.pid}`);
    s.close();
    expect(() => s.countMessages('self')).toThrow(StoreClosedError);
    s.close(); // idempotent
    (await reopen()).close();
  });

  test('profiles are independent and names are validated', async () => {
    const a = track(await newProfile(tmp.dir, { identity: new Uint8Array([1]) }));
    const b = track(await newProfile(tmp.dir, { profile: 'work', identity: new Uint8Array([2]) }));
    a.ensureConversation('self', 'self', 't', 1);
    a.appendMessage({ conversationId: 'self', direction: 'out', body: 'x', state: 'stored', createdAt: 1 });
    expect(b.conversations()).toEqual([]);
    expect(b.identityBlob()).toEqual(new Uint8Array([2]));
    await expect(newProfile(tmp.dir, { profile: '../evil' })).rejects.toBeInstanceOf(InvalidProfileNameError);
    await expect(newProfile(tmp.dir, { profile: 'Upper' })).rejects.toBeInstanceOf(InvalidProfileNameError);
  });

  test('keychain protection: the key lives in the keychain, key.json names the entry', async () => {
    const keychain = memoryKeychain();
    const s = track(await newProfile(tmp.dir, { keychain }));
    expect(s.keyProtection).toBe('keychain');
    s.close();
    expect(await inspectProfile({ dataDir: tmp.dir, profile: 'default' })).toEqual({
      state: 'present',
      keyProtection: 'keychain',
    });
    const again = track(
      await openProfile({ dataDir: tmp.dir, profile: 'default', rng: systemRng, keychain }),
    );
    expect(again.identityBlob()).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  test('a failed keychain creation leaves no profile behind', async () => {
    const down = memoryKeychain({ available: false });
    await expect(newProfile(tmp.dir, { keychain: down })).rejects.toMatchObject({
      code: 'KeychainUnavailable',
    });
    const dir = join(tmp.dir, 'profiles', 'default');
    expect(readdirSync(dir)).toEqual([]);
    expect(await inspectProfile({ dataDir: tmp.dir, profile: 'default' })).toEqual({ state: 'absent' });
  });

  test('a key that does not match the database is refused (key.json swapped between profiles)', async () => {
    track(await newProfile(tmp.dir)).close();
    track(await newProfile(tmp.dir, { profile: 'other' })).close();
    const key = (p: string) => join(tmp.dir, 'profiles', p, 'key.json');
    writeFileSync(key('default'), readFileSync(key('other')));
    await expect(reopen()).rejects.toBeInstanceOf(SealedValueRejectedError);
    expect(existsSync(join(tmp.dir, 'profiles', 'default', 'lock'))).toBe(false);
  });

  test('a crash during creation (database, no key.json) does not block a new creation; the orphan is kept aside', async () => {
    track(await newProfile(tmp.dir)).close();
    const dir = join(tmp.dir, 'profiles', 'default');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'key.json'));
    expect(await inspectProfile({ dataDir: tmp.dir, profile: 'default' })).toEqual({ state: 'absent' });
    const s = track(await newProfile(tmp.dir, { identity: new Uint8Array([7]) }));
    expect(s.identityBlob()).toEqual(new Uint8Array([7]));
    expect(readdirSync(dir).filter((f) => f.startsWith('pvt.db.orphan-'))).toHaveLength(1);
  });

  test('creation refuses to touch a foreign database sitting where pvt.db goes', async () => {
    const dir = join(tmp.dir, 'profiles', 'default');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const foreign = new DatabaseSync(join(dir, 'pvt.db'));
    foreign.exec('CREATE TABLE t (x)');
    foreign.close();
    chmodSync(join(dir, 'pvt.db'), 0o600);
    const before = readFileSync(join(dir, 'pvt.db'));
    await expect(newProfile(tmp.dir)).rejects.toBeInstanceOf(ForeignDatabaseError);
    expect(readFileSync(join(dir, 'pvt.db')).equals(before)).toBe(true);
    expect(existsSync(join(dir, 'key.json'))).toBe(false);
  });
});

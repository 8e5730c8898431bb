/**
 * Master-key protection: passphrase wrap/unwrap (Argon2id → XChaCha20-Poly1305), key.json contents
 * (nothing secret in clear, bounded parameters), wrong passphrase → WrongPassphraseError with key.json
 * byte-identical, tampered parameters rejected, the keychain path with an in-memory keychain, and the
 * Argon2id tuner's ≥ 250 ms contract measured for real.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import { argon2idDerive, measureArgon2idMs, tuneArgon2id } from '../../src/store/argon2.ts';
import { ARGON2_TARGET_MS } from '../../src/store/constants.ts';
import { KeyFileError, PassphraseRequiredError, WrongPassphraseError } from '../../src/store/errors.ts';
import { memoryKeychain, osKeychain } from '../../src/store/keychain.ts';
import {
  generateMasterKey,
  type KeyFile,
  protectMasterKey,
  readKeyFile,
  unlockMasterKey,
} from '../../src/store/master-key.ts';
import { unwrapWithPassphrase, wrapWithPassphrase } from '../../src/store/passphrase-wrap.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { FAST_ARGON2, PASSPHRASE, type TempDir, tempDir } from './helpers.ts';

let tmp: TempDir;
let keyPath: string;
beforeEach(() => {
  tmp = tempDir();
  keyPath = join(tmp.dir, 'key.json');
});
afterEach(() => tmp.cleanup());

const noKeychain = memoryKeychain({ available: false });

async function writePassphraseKey(master: Uint8Array, passphrase = PASSPHRASE): Promise<KeyFile> {
  const { file } = await protectMasterKey(
    keyPath,
    master,
    { kind: 'passphrase', passphrase, argon2: FAST_ARGON2 },
    systemRng,
    noKeychain,
  );
  return file;
}

describe('passphrase protection', () => {
  test('wrap/unwrap round trip; each wrap uses a fresh salt and nonce', async () => {
    const master = generateMasterKey(systemRng);
    const a = await wrapWithPassphrase(master, PASSPHRASE, FAST_ARGON2, systemRng);
    const b = await wrapWithPassphrase(master, PASSPHRASE, FAST_ARGON2, systemRng);
    expect(a.salt).not.toBe(b.salt);
    expect(a.nonce).not.toBe(b.nonce);
    expect(await unwrapWithPassphrase(a, PASSPHRASE)).toEqual(master);
    expect(await unwrapWithPassphrase(b, PASSPHRASE)).toEqual(master);
  });

  test('the passphrase is Unicode-normalized (NFC): composed and decomposed forms both open', async () => {
    const master = generateMasterKey(systemRng);
    const w = await wrapWithPassphrase(master, 'caf\u00e9', FAST_ARGON2, systemRng);
    expect(await unwrapWithPassphrase(w, 'cafe\u0301')).toEqual(master);
  });

  test('key.json holds version, protection, kdf + params, salt, nonce, wrapped key — nothing secret in clear', async () => {
    const master = generateMasterKey(systemRng);
    await writePassphraseKey(master);
    const text = readFileSync(keyPath, 'utf8');
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(
      ['kdf', 'nonce', 'normalization', 'protection', 'salt', 'version', 'wrapped'].sort(),
    );
    expect(json).toMatchObject({
      version: 1,
      protection: 'passphrase',
      kdf: { name: 'argon2id', ...FAST_ARGON2 },
      normalization: 'NFC',
    });
    expect(text).not.toContain(PASSPHRASE);
    expect(text).not.toContain(Buffer.from(master).toString('base64'));
    expect(text).not.toContain(toHex(master));
    expect(readKeyFile(keyPath)).toEqual(json);
  });

  test('a wrong passphrase → WrongPassphraseError and key.json byte-identical', async () => {
    const master = generateMasterKey(systemRng);
    const file = await writePassphraseKey(master);
    const before = readFileSync(keyPath);
    const error = await unlockMasterKey(file, {
      passphrase: 'Correct horse battery staple',
      keychain: noKeychain,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect((error as WrongPassphraseError).message).toBe('wrong passphrase');
    expect((error as WrongPassphraseError).code).toBe('WrongPassphrase');
    expect(readFileSync(keyPath).equals(before)).toBe(true);
    expect(
      await unlockMasterKey(readKeyFile(keyPath), { passphrase: PASSPHRASE, keychain: noKeychain }),
    ).toEqual(master);
  });

  test('no passphrase for a passphrase profile → PassphraseRequiredError', async () => {
    const file = await writePassphraseKey(generateMasterKey(systemRng));
    await expect(unlockMasterKey(file, { keychain: noKeychain })).rejects.toBeInstanceOf(
      PassphraseRequiredError,
    );
  });

  test('tampered parameters, salt or wrapped key fail like a wrong passphrase', async () => {
    const master = generateMasterKey(systemRng);
    await writePassphraseKey(master);
    const original = JSON.parse(readFileSync(keyPath, 'utf8')) as {
      kdf: { passes: number };
      salt: string;
      wrapped: string;
    };
    const variants = [
      { ...original, kdf: { ...original.kdf, passes: original.kdf.passes + 1 } },
      { ...original, salt: Buffer.from(systemRng(16)).toString('base64') },
      { ...original, wrapped: Buffer.from(systemRng(48)).toString('base64') },
    ];
    for (const v of variants) {
      writeFileSync(keyPath, JSON.stringify(v));
      await expect(
        unlockMasterKey(readKeyFile(keyPath), { passphrase: PASSPHRASE, keychain: noKeychain }),
      ).rejects.toBeInstanceOf(WrongPassphraseError);
    }
  });

  test('a malformed or hostile key.json is refused by name before any work', () => {
    const cases: unknown[] = [
      'not json',
      { version: 2, protection: 'passphrase' },
      { version: 1, protection: 'magic' },
      { version: 1, protection: 'keychain' },
      {
        version: 1,
        protection: 'passphrase',
        kdf: { name: 'argon2id', memoryKiB: 1 << 30, passes: 3, parallelism: 1 },
        salt: 'AAAAAAAAAAAAAAAAAAAAAA==',
        nonce: Buffer.alloc(24).toString('base64'),
        wrapped: Buffer.alloc(48).toString('base64'),
      },
      {
        version: 1,
        protection: 'passphrase',
        kdf: { name: 'scrypt', memoryKiB: 256, passes: 1, parallelism: 1 },
        salt: 'AAAAAAAAAAAAAAAAAAAAAA==',
        nonce: Buffer.alloc(24).toString('base64'),
        wrapped: Buffer.alloc(48).toString('base64'),
      },
      {
        version: 1,
        protection: 'passphrase',
        kdf: { name: 'argon2id', memoryKiB: 256, passes: 1, parallelism: 1 },
        salt: 'AAAAAAAAAAAAAAAAAAAAAA==',
        nonce: Buffer.alloc(12).toString('base64'),
        wrapped: Buffer.alloc(48).toString('base64'),
      },
    ];
    for (const c of cases) {
      writeFileSync(keyPath, typeof c === 'string' ? c : JSON.stringify(c));
      expect(() => readKeyFile(keyPath)).toThrow(KeyFileError);
      expect(() => readKeyFile(keyPath)).toThrow(keyPath);
    }
  });

  test('key.json is written atomically with mode 0600 and no temp file left behind', async () => {
    await writePassphraseKey(generateMasterKey(systemRng));
    const { readdirSync, statSync } = await import('node:fs');
    expect(readdirSync(tmp.dir)).toEqual(['key.json']);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
  });
});

describe('keychain protection', () => {
  test('the master key goes to the keychain; key.json only names the entry', async () => {
    const keychain = memoryKeychain();
    const master = generateMasterKey(systemRng);
    const { file } = await protectMasterKey(keyPath, master, { kind: 'keychain' }, systemRng, keychain);
    expect(file.protection).toBe('keychain');
    const text = readFileSync(keyPath, 'utf8');
    expect(text).not.toContain(Buffer.from(master).toString('base64'));
    expect(keychain.entries.size).toBe(1);
    expect(await unlockMasterKey(readKeyFile(keyPath), { keychain })).toEqual(master);
  });

  test('a keychain that does not answer or lost the entry → KeychainUnavailableError', async () => {
    const keychain = memoryKeychain();
    const { file } = await protectMasterKey(
      keyPath,
      generateMasterKey(systemRng),
      { kind: 'keychain' },
      systemRng,
      keychain,
    );
    keychain.entries.clear();
    await expect(unlockMasterKey(file, { keychain })).rejects.toMatchObject({ code: 'KeychainUnavailable' });
    await expect(unlockMasterKey(file, { keychain: noKeychain })).rejects.toMatchObject({
      code: 'KeychainUnavailable',
    });
  });

  test('the OS keychain probe answers false quickly on a box without a session bus', async () => {
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    try {
      const t0 = performance.now();
      const available = await osKeychain.available();
      if (process.platform === 'linux') expect(available).toBe(false);
      expect(performance.now() - t0).toBeLessThan(2_500);
    } finally {
      if (saved !== undefined) process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
  });

  const dbusRunSession = spawnSync('sh', ['-c', 'command -v dbus-run-session']).status === 0;
  test.skipIf(!dbusRunSession)(
    'with a session bus but no Secret Service, the probe answers false quickly and the process exits',
    () => {
      const probe = `const { keychainAvailable } = await import(${JSON.stringify(new URL('../../src/store/keychain.ts', import.meta.url).href)});
        process.stdout.write(String(await keychainAvailable()));`;
      // A session bus whose only service directory is empty: nothing (gnome-keyring included, when the
      // machine has it installed) can be activated as the Secret Service.
      const dir = mkdtempSync(join(tmpdir(), 'pvt-dbus-'));
      const config = join(dir, 'session.conf');
      writeFileSync(
        config,
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=${dir}</listen>
  <servicedir>${dir}</servicedir>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
      );
      try {
        const t0 = performance.now();
        const r = spawnSync(
          'dbus-run-session',
          [`--config-file=${config}`, '--', process.execPath, '--input-type=module', '-e', probe],
          { timeout: 10_000, env: { ...process.env, PVT_NO_KEYCHAIN: '' } },
        );
        expect(r.stdout.toString()).toBe('false');
        expect(performance.now() - t0).toBeLessThan(5_000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('PVT_NO_KEYCHAIN=1 turns the OS keychain off', async () => {
    process.env.PVT_NO_KEYCHAIN = '1';
    try {
      expect(await osKeychain.available()).toBe(false);
    } finally {
      delete process.env.PVT_NO_KEYCHAIN;
    }
  });
});

describe('Argon2id', () => {
  test('the native and the pure-JS implementations agree (so a profile opens on either Node)', async () => {
    const { argon2id } = await import('@noble/hashes/argon2.js');
    const pass = new Uint8Array([1, 2, 3]);
    const salt = new Uint8Array(16).fill(7);
    const ours = await argon2idDerive(pass, salt, FAST_ARGON2);
    const noble = argon2id(pass, salt, { t: FAST_ARGON2.passes, m: FAST_ARGON2.memoryKiB, p: 1, dkLen: 32 });
    expect(ours).toEqual(noble);
    expect(await argon2idDerive(new Uint8Array([1, 2, 4]), salt, FAST_ARGON2)).not.toEqual(ours);
  });

  test(`the tuner picks parameters taking ≥ ${ARGON2_TARGET_MS} ms here (from 64 MiB, t=3)`, async () => {
    const tuned = await tuneArgon2id();
    expect(tuned.measuredMs).toBeGreaterThanOrEqual(ARGON2_TARGET_MS);
    expect(tuned.memoryKiB).toBeGreaterThanOrEqual(64 * 1024);
    expect(tuned.passes).toBeGreaterThanOrEqual(3);
    // Re-measure independently: the parameters, not a lucky sample, carry the cost. Timing on a shared
    // machine is noisy, so this is a sanity bound; the tuner's own contract is the assertion above.
    const again = await measureArgon2idMs(tuned);
    expect(again).toBeGreaterThanOrEqual(ARGON2_TARGET_MS * 0.75);
    const t0 = performance.now();
    await argon2idDerive(new Uint8Array(16), new Uint8Array(16), tuned);
    const wall = performance.now() - t0;
    console.log(
      `argon2id tuned on this machine: m=${tuned.memoryKiB} KiB, t=${tuned.passes}, p=${tuned.parallelism} → ${tuned.measuredMs.toFixed(0)} ms (re-measured ${again.toFixed(0)} ms CPU, ${wall.toFixed(0)} ms wall, ${tuned.implementation})`,
    );
  }, 60_000);
});

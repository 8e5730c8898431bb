/**
 * The profile's master key and key.json, the file that says how it is protected: by the OS keychain
 * (key.json names the keychain entry) or by a passphrase (key.json holds the Argon2id parameters, salt,
 * nonce and the wrapped key). Nothing secret is ever in key.json in clear. The file is validated before
 * use (bounded KDF parameters, exact field sizes) and written atomically; unlocking never writes.
 * Knows nothing about the database.
 */
import { readFileSync } from 'node:fs';
import { type Rng, toHex } from '../crypto/bytes.ts';
import { XCHACHA_NONCE_BYTES } from '../crypto/primitives.ts';
import { type Argon2Params, validArgon2Params } from './argon2.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { MASTER_KEY_BYTES } from './constants.ts';
import { KeychainUnavailableError, KeyFileError, PassphraseRequiredError } from './errors.ts';
import { KEYCHAIN_SERVICE, type KeychainBackend } from './keychain.ts';
import { type PassphraseWrap, unwrapWithPassphrase, wrapWithPassphrase } from './passphrase-wrap.ts';

export const KEY_FILE_VERSION = 1;

export type KeyProtection = 'keychain' | 'passphrase';
export type PassphraseKeyFile = { readonly version: 1; readonly protection: 'passphrase' } & PassphraseWrap;
export interface KeychainKeyFile {
  readonly version: 1;
  readonly protection: 'keychain';
  readonly service: string;
  readonly account: string;
}
export type KeyFile = PassphraseKeyFile | KeychainKeyFile;

export type ProtectionRequest =
  | { readonly kind: 'keychain' }
  | { readonly kind: 'passphrase'; readonly passphrase: string; readonly argon2: Argon2Params };

export function generateMasterKey(rng: Rng): Uint8Array {
  const key = rng(MASTER_KEY_BYTES);
  if (key.length !== MASTER_KEY_BYTES) throw new RangeError(`"rng" returned ${key.length} bytes`);
  return key;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
function b64Length(v: unknown): number {
  if (typeof v !== 'string' || v.length % 4 !== 0 || !B64.test(v)) return -1;
  return Buffer.from(v, 'base64').length;
}

/** Reads and validates key.json; KeyFileError (naming the file) on anything unexpected. */
export function readKeyFile(path: string): KeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new KeyFileError(path, (error as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new KeyFileError(path, 'not a JSON object');
  const f = parsed as Record<string, unknown>;
  if (f.version !== KEY_FILE_VERSION)
    throw new KeyFileError(path, `unsupported version ${String(f.version)}`);
  if (f.protection === 'keychain') {
    if (typeof f.account !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(f.account)) {
      throw new KeyFileError(path, 'missing or malformed keychain account');
    }
    const service = typeof f.service === 'string' ? f.service : KEYCHAIN_SERVICE;
    return { version: 1, protection: 'keychain', service, account: f.account };
  }
  if (f.protection === 'passphrase') {
    const kdf = (typeof f.kdf === 'object' && f.kdf !== null ? f.kdf : {}) as Record<string, unknown>;
    if (kdf.name !== 'argon2id') throw new KeyFileError(path, `unsupported kdf ${String(kdf.name)}`);
    const params = { memoryKiB: kdf.memoryKiB, passes: kdf.passes, parallelism: kdf.parallelism };
    if (!validArgon2Params(params)) throw new KeyFileError(path, 'Argon2id parameters out of bounds');
    const saltLen = b64Length(f.salt);
    if (saltLen < 8 || saltLen > 64) throw new KeyFileError(path, 'malformed salt');
    if (b64Length(f.nonce) !== XCHACHA_NONCE_BYTES) throw new KeyFileError(path, 'malformed nonce');
    if (b64Length(f.wrapped) !== MASTER_KEY_BYTES + 16) throw new KeyFileError(path, 'malformed wrapped key');
    if (f.normalization !== undefined && f.normalization !== 'NFC') {
      throw new KeyFileError(path, `unsupported normalization ${String(f.normalization)}`);
    }
    return {
      version: 1,
      protection: 'passphrase',
      kdf: { name: 'argon2id', ...params },
      ...(f.normalization === 'NFC' ? { normalization: 'NFC' as const } : {}),
      salt: f.salt as string,
      nonce: f.nonce as string,
      wrapped: f.wrapped as string,
    };
  }
  throw new KeyFileError(path, `unknown protection ${String(f.protection)}`);
}

function serialize(file: KeyFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Protects `masterKey` as requested and writes key.json atomically. For the keychain, the entry is
 * stored first and removed again if key.json cannot be written. Returns an undo for the caller's own
 * failure path (removes the keychain entry; key.json is the caller's to remove).
 */
export async function protectMasterKey(
  path: string,
  masterKey: Uint8Array,
  request: ProtectionRequest,
  rng: Rng,
  keychain: KeychainBackend,
): Promise<{ file: KeyFile; undo(): Promise<void> }> {
  if (request.kind === 'passphrase') {
    const wrap = await wrapWithPassphrase(masterKey, request.passphrase, request.argon2, rng);
    const file: PassphraseKeyFile = { version: 1, protection: 'passphrase', ...wrap };
    writeFileAtomic(path, serialize(file), rng);
    return { file, async undo() {} };
  }
  const account = `profile-${toHex(rng(16))}`;
  await keychain.store(account, Buffer.from(masterKey).toString('base64'));
  const file: KeychainKeyFile = { version: 1, protection: 'keychain', service: KEYCHAIN_SERVICE, account };
  const undo = async () => {
    await keychain.remove(account);
  };
  try {
    writeFileAtomic(path, serialize(file), rng);
  } catch (error) {
    await undo();
    throw error;
  }
  return { file, undo };
}

/**
 * Recovers the master key. WrongPassphraseError on a wrong passphrase, PassphraseRequiredError when none
 * was given, KeychainUnavailableError when the keychain does not answer or lost the entry.
 */
export async function unlockMasterKey(
  file: KeyFile,
  o: { passphrase?: string | undefined; keychain: KeychainBackend },
): Promise<Uint8Array> {
  if (file.protection === 'keychain') {
    const secret = await o.keychain.load(file.account);
    const key = new Uint8Array(Buffer.from(secret, 'base64'));
    if (key.length !== MASTER_KEY_BYTES) {
      throw new KeychainUnavailableError(`the keychain entry ${file.service}/${file.account} is malformed`);
    }
    return key;
  }
  if (o.passphrase === undefined) throw new PassphraseRequiredError();
  return unwrapWithPassphrase(file, o.passphrase);
}

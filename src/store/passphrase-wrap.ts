/**
 * Protection B for the master key: passphrase (Unicode NFC) → Argon2id(salt) → key-wrapping key →
 * XChaCha20-Poly1305 over the master key, with the KDF parameters and salt bound as associated data so
 * a tampered parameter fails like a wrong passphrase. Produces and consumes the fields of key.json; does
 * no file I/O and knows nothing about databases.
 */
import { type Rng, utf8, wipe } from '../crypto/bytes.ts';
import { aeadOpen, aeadSeal, XCHACHA_NONCE_BYTES } from '../crypto/primitives.ts';
import { type Argon2Params, argon2idDerive } from './argon2.ts';
import { KDF_SALT_BYTES, MASTER_KEY_BYTES } from './constants.ts';
import { WrongPassphraseError } from './errors.ts';

/** The passphrase-protection fields of key.json (binary fields base64). */
export interface PassphraseWrap {
  readonly kdf: { readonly name: 'argon2id' } & Argon2Params;
  /** "NFC" for key files written by this code; absent in the earliest files (passphrase used as typed). */
  readonly normalization?: 'NFC';
  readonly salt: string;
  readonly nonce: string;
  readonly wrapped: string;
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

function wrapAad(w: Omit<PassphraseWrap, 'nonce' | 'wrapped'>): Uint8Array {
  const { kdf } = w;
  const base = `pvt/key-wrap/v1|${kdf.name}|${kdf.memoryKiB}|${kdf.passes}|${kdf.parallelism}|${w.salt}`;
  return utf8(w.normalization ? `${base}|${w.normalization}` : base);
}

function passphraseBytes(passphrase: string, normalization: 'NFC' | undefined): Uint8Array {
  return utf8(normalization === 'NFC' ? passphrase.normalize('NFC') : passphrase);
}

export async function wrapWithPassphrase(
  masterKey: Uint8Array,
  passphrase: string,
  params: Argon2Params,
  rng: Rng,
): Promise<PassphraseWrap> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new TypeError('"passphrase" expected a non-empty string');
  }
  if (masterKey.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`"masterKey" expected ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
  }
  const head = {
    kdf: {
      name: 'argon2id' as const,
      memoryKiB: params.memoryKiB,
      passes: params.passes,
      parallelism: params.parallelism,
    },
    normalization: 'NFC' as const,
    salt: b64(rng(KDF_SALT_BYTES)),
  };
  const secret = passphraseBytes(passphrase, head.normalization);
  const kek = await argon2idDerive(secret, unb64(head.salt), head.kdf);
  wipe(secret);
  const nonce = rng(XCHACHA_NONCE_BYTES);
  const wrapped = aeadSeal(kek, nonce, masterKey, wrapAad(head));
  wipe(kek);
  return { ...head, nonce: b64(nonce), wrapped: b64(wrapped) };
}

/** The master key; WrongPassphraseError when the passphrase (or any bound field) does not match. */
export async function unwrapWithPassphrase(w: PassphraseWrap, passphrase: string): Promise<Uint8Array> {
  const secret = passphraseBytes(passphrase, w.normalization);
  const nonce = unb64(w.nonce);
  let kek: Uint8Array | undefined;
  try {
    if (nonce.length !== XCHACHA_NONCE_BYTES) throw new WrongPassphraseError();
    kek = await argon2idDerive(secret, unb64(w.salt), w.kdf);
    const key = aeadOpen(kek, nonce, unb64(w.wrapped), wrapAad(w));
    if (!key || key.length !== MASTER_KEY_BYTES) throw new WrongPassphraseError();
    return key;
  } finally {
    wipe(secret, kek);
  }
}

/**
 * The file `pvt export` writes: a magic line, one JSON header line, then the payload sealed with
 * XChaCha20-Poly1305 under a random file key. The file key is wrapped by the export passphrase
 * (Argon2id, the same wrap as key.json), and the whole header is the payload's associated data, so a
 * changed byte anywhere fails like a wrong passphrase. Payload: version byte, the profile's master key,
 * then a consistent copy of its database (still sealed column by column under that master key).
 * Pure codec: no file I/O, no clock (the time is a parameter), randomness from the given rng.
 */
import { concatBytes, type Rng, utf8, wipe } from '../crypto/bytes.ts';
import { aeadOpen, aeadSeal, XCHACHA_NONCE_BYTES } from '../crypto/primitives.ts';
import { type Argon2Params, validArgon2Params } from './argon2.ts';
import { MASTER_KEY_BYTES } from './constants.ts';
import { StoreError, WrongPassphraseError } from './errors.ts';
import { type PassphraseWrap, unwrapWithPassphrase, wrapWithPassphrase } from './passphrase-wrap.ts';

const MAGIC = 'PVT-EXPORT 1\n';
const PAYLOAD_VERSION = 1;
const FILE_KEY_BYTES = 32;
/** An export larger than this is refused before anything is decrypted (a database this big is not ours). */
export const MAX_EXPORT_BYTES = 4 * 1024 * 1024 * 1024 - 1;

export interface ExportHeader {
  readonly format: 'pvt-export';
  readonly version: 1;
  /** Random id, also written into the old profile's freeze marker. */
  readonly exportId: string;
  readonly createdAt: number;
  readonly history: boolean;
  readonly wrap: PassphraseWrap;
  readonly nonce: string;
}

export interface ExportContents {
  readonly header: ExportHeader;
  readonly masterKey: Uint8Array;
  readonly database: Uint8Array;
}

export class ExportFileError extends StoreError {
  constructor(detail: string) {
    super('ExportFileInvalid', `not a pvt export file, or a damaged one (${detail})`);
  }
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export async function sealExport(o: {
  masterKey: Uint8Array;
  database: Uint8Array;
  passphrase: string;
  argon2: Argon2Params;
  history: boolean;
  nowMs: number;
  rng: Rng;
}): Promise<{ bytes: Uint8Array; exportId: string }> {
  if (o.masterKey.length !== MASTER_KEY_BYTES) throw new RangeError('"masterKey" has the wrong length');
  const fileKey = o.rng(FILE_KEY_BYTES);
  try {
    const wrap = await wrapWithPassphrase(fileKey, o.passphrase, o.argon2, o.rng);
    const nonce = o.rng(XCHACHA_NONCE_BYTES);
    const exportId = Buffer.from(o.rng(12)).toString('hex');
    const header: ExportHeader = {
      format: 'pvt-export',
      version: 1,
      exportId,
      createdAt: o.nowMs,
      history: o.history,
      wrap,
      nonce: b64(nonce),
    };
    const head = utf8(`${MAGIC}${JSON.stringify(header)}\n`);
    const payload = concatBytes(new Uint8Array([PAYLOAD_VERSION]), o.masterKey, o.database);
    const sealed = aeadSeal(fileKey, nonce, payload, head);
    wipe(payload);
    return { bytes: concatBytes(head, sealed), exportId };
  } finally {
    wipe(fileKey);
  }
}

/** Reads the header without the passphrase (to say what the file is); ExportFileError when malformed. */
export function readExportHeader(bytes: Uint8Array): { header: ExportHeader; headLength: number } {
  const magic = utf8(MAGIC);
  if (bytes.length < magic.length || !magic.every((b, i) => bytes[i] === b))
    throw new ExportFileError('no pvt export header');
  const end = bytes.indexOf(0x0a, magic.length);
  if (end < 0 || end - magic.length > 64 * 1024) throw new ExportFileError('header line not found');
  let header: ExportHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(magic.length, end)).toString('utf8')) as ExportHeader;
  } catch {
    throw new ExportFileError('header is not JSON');
  }
  if (
    header?.format !== 'pvt-export' ||
    header.version !== 1 ||
    typeof header.exportId !== 'string' ||
    typeof header.createdAt !== 'number' ||
    typeof header.history !== 'boolean' ||
    typeof header.nonce !== 'string' ||
    typeof header.wrap !== 'object' ||
    header.wrap === null ||
    header.wrap.kdf?.name !== 'argon2id' ||
    !validArgon2Params(header.wrap.kdf)
  ) {
    throw new ExportFileError('unexpected header fields');
  }
  return { header, headLength: end + 1 };
}

/** Opens an export; WrongPassphraseError when the passphrase or any byte of the file is wrong. */
export async function openExport(bytes: Uint8Array, passphrase: string): Promise<ExportContents> {
  if (bytes.length > MAX_EXPORT_BYTES) throw new ExportFileError('too large');
  const { header, headLength } = readExportHeader(bytes);
  const nonce = unb64(header.nonce);
  if (nonce.length !== XCHACHA_NONCE_BYTES) throw new ExportFileError('bad nonce');
  let fileKey: Uint8Array | undefined;
  try {
    fileKey = await unwrapWithPassphrase(header.wrap, passphrase);
  } catch (error) {
    if (error instanceof WrongPassphraseError) throw error;
    throw new ExportFileError('bad key wrap');
  }
  try {
    const payload = aeadOpen(fileKey, nonce, bytes.subarray(headLength), bytes.subarray(0, headLength));
    if (!payload) throw new WrongPassphraseError();
    if (payload[0] !== PAYLOAD_VERSION || payload.length < 1 + MASTER_KEY_BYTES + 100) {
      throw new ExportFileError('unknown payload version');
    }
    return {
      header,
      masterKey: payload.slice(1, 1 + MASTER_KEY_BYTES),
      database: payload.subarray(1 + MASTER_KEY_BYTES),
    };
  } finally {
    wipe(fileKey);
  }
}

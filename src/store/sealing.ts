/**
 * Column sealing: a sensitive value is encrypted with XChaCha20-Poly1305 under the column-sealing subkey
 * (HKDF-SHA256 of the master key, info "pvt/store/seal/v1"; the master key itself never encrypts), with a
 * random 24-byte nonce and associated data "pvt/seal/v1" ‖ table ‖ column ‖ row id (NUL-separated), so a
 * value copied to another row, column or table fails to open (SealedValueRejectedError).
 * Sealed layout: version byte 0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16). Knows nothing about SQL.
 */
import { concatBytes, type Rng, utf8, wipe } from '../crypto/bytes.ts';
import {
  AEAD_TAG_BYTES,
  aeadOpen,
  aeadSeal,
  hkdfSha256,
  KEY_BYTES,
  XCHACHA_NONCE_BYTES,
} from '../crypto/primitives.ts';
import { SealedValueRejectedError, StoreClosedError } from './errors.ts';

export const SEAL_VERSION = 1;
const SEAL_INFO = utf8('pvt/store/seal/v1');
export const SEAL_OVERHEAD_BYTES = 1 + XCHACHA_NONCE_BYTES + AEAD_TAG_BYTES;

export interface Sealer {
  seal(table: string, column: string, rowId: string, plaintext: Uint8Array): Uint8Array;
  open(table: string, column: string, rowId: string, sealed: Uint8Array): Uint8Array;
  sealText(table: string, column: string, rowId: string, text: string): Uint8Array;
  openText(table: string, column: string, rowId: string, sealed: Uint8Array): string;
  /** Forgets the subkey (best-effort wipe); later calls throw StoreClosedError. */
  destroy(): void;
}

/** The associated data binding a sealed value to its place. Components must not contain NUL. */
export function sealAad(table: string, column: string, rowId: string): Uint8Array {
  for (const [name, v] of [
    ['table', table],
    ['column', column],
    ['rowId', rowId],
  ] as const) {
    if (typeof v !== 'string' || v.length === 0 || v.includes('\u0000')) {
      throw new TypeError(`"${name}" expected a non-empty string without NUL`);
    }
  }
  return utf8(`pvt/seal/v${SEAL_VERSION}\u0000${table}\u0000${column}\u0000${rowId}`);
}

/** A sealer over the column-sealing subkey of `masterKey` (the caller keeps and wipes the master key). */
export function createSealer(masterKey: Uint8Array, rng: Rng): Sealer {
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== KEY_BYTES) {
    throw new RangeError(`"masterKey" expected ${KEY_BYTES} bytes`);
  }
  const key = hkdfSha256(masterKey, undefined, SEAL_INFO, KEY_BYTES);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let destroyed = false;
  const live = () => {
    if (destroyed) throw new StoreClosedError();
  };
  const sealer: Sealer = {
    seal(table, column, rowId, plaintext) {
      live();
      const aad = sealAad(table, column, rowId);
      const nonce = rng(XCHACHA_NONCE_BYTES);
      return concatBytes(Uint8Array.of(SEAL_VERSION), nonce, aeadSeal(key, nonce, plaintext, aad));
    },
    open(table, column, rowId, sealed) {
      live();
      const aad = sealAad(table, column, rowId);
      if (
        !(sealed instanceof Uint8Array) ||
        sealed.length < SEAL_OVERHEAD_BYTES ||
        sealed[0] !== SEAL_VERSION
      ) {
        throw new SealedValueRejectedError(table, column);
      }
      const nonce = sealed.subarray(1, 1 + XCHACHA_NONCE_BYTES);
      const out = aeadOpen(key, nonce, sealed.subarray(1 + XCHACHA_NONCE_BYTES), aad);
      if (!out) throw new SealedValueRejectedError(table, column);
      return out;
    },
    sealText(table, column, rowId, text) {
      const bytes = utf8(text);
      try {
        return sealer.seal(table, column, rowId, bytes);
      } finally {
        wipe(bytes);
      }
    },
    openText(table, column, rowId, sealed) {
      const bytes = sealer.open(table, column, rowId, sealed);
      try {
        return decoder.decode(bytes);
      } catch {
        throw new SealedValueRejectedError(table, column);
      } finally {
        wipe(bytes);
      }
    },
    destroy() {
      destroyed = true;
      wipe(key);
    },
  };
  return sealer;
}

/** The text shown for a message whose sealed body cannot be opened. */
export const DAMAGED_MESSAGE_BODY = '[this message is damaged on disk and cannot be shown]';

/**
 * A message body, or DAMAGED_MESSAGE_BODY when its seal does not open: one damaged row (a bad sector, a
 * torn copy, tampering) must not hide the rest of a conversation.
 */
export function openMessageBody(sealer: Sealer, id: string, sealed: Uint8Array): string {
  try {
    return sealer.openText('messages', 'body', id, sealed);
  } catch {
    return DAMAGED_MESSAGE_BODY;
  }
}

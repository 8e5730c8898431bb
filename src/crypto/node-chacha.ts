/**
 * node:crypto (OpenSSL) fast path for XChaCha20 and XChaCha20-Poly1305 with the onion cells' nonces
 * (16 zero bytes ‖ a 64-bit counter): the HChaCha20 subkey of such a nonce depends only on the key, so it
 * is derived once per key (noble's hchacha) and every cell is then a ChaCha20 / ChaCha20-Poly1305 call
 * in OpenSSL with the 12-byte nonce 0⁴ ‖ counter — byte-identical to @noble/ciphers' xchacha20 and
 * xchacha20poly1305 (the onion vectors check it), ≈ 10× faster on 1.5 KB cells. Little-endian hosts
 * only (`nodeChachaAvailable` is false elsewhere: callers use noble then).
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';

/** A native (OpenSSL) secret key handle. */
export type NativeKey = KeyObject;

import { hchacha } from '@noble/ciphers/chacha.js';

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function hasChacha(): boolean {
  try {
    createCipheriv('chacha20-poly1305', Buffer.alloc(32), Buffer.alloc(12), { authTagLength: 16 });
    createCipheriv('chacha20', Buffer.alloc(32), Buffer.alloc(16));
    return true;
  } catch {
    return false;
  }
}

export const nodeChachaAvailable = littleEndian && hasChacha();

/** The HChaCha20 subkey of `key` for a nonce whose first 16 bytes are zero, as a native key. */
export function zeroPrefixSubkey(key: Uint8Array): KeyObject {
  const k = new Uint32Array(key.slice(0, 32).buffer);
  const out = new Uint32Array(8);
  hchacha(SIGMA, k, new Uint32Array(4), out);
  const bytes = new Uint8Array(out.buffer);
  const native = createSecretKey(bytes);
  bytes.fill(0);
  return native;
}

function nonce12(counter: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(counter), 4);
  return n;
}

/** XChaCha20(key, 0¹⁶ ‖ u64be(counter)) XOR data, given the key's zero-prefix subkey. */
export function chachaXor(subkey: KeyObject, counter: number, data: Uint8Array): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(counter), 8);
  const c = createCipheriv('chacha20', subkey, iv);
  return new Uint8Array(c.update(data));
}

/** XChaCha20-Poly1305 seal (ciphertext ‖ tag) with the nonce 0¹⁶ ‖ u64be(counter). */
export function chachaPolySeal(subkey: KeyObject, counter: number, plain: Uint8Array): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', subkey, nonce12(counter), { authTagLength: 16 });
  const body = c.update(plain);
  c.final();
  const out = new Uint8Array(body.length + 16);
  out.set(body);
  out.set(c.getAuthTag(), body.length);
  return out;
}

/** XChaCha20-Poly1305 open; null when the tag does not verify. */
export function chachaPolyOpen(subkey: KeyObject, counter: number, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < 16) return null;
  try {
    const d = createDecipheriv('chacha20-poly1305', subkey, nonce12(counter), { authTagLength: 16 });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    const body = d.update(sealed.subarray(0, sealed.length - 16));
    d.final();
    return new Uint8Array(body);
  } catch {
    return null;
  }
}

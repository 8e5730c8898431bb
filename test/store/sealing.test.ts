/**
 * Column sealing: round trip, and every way a sealed value must fail to open — another key, another
 * row, another column or table, flipped bits, truncation, an unknown version byte.
 */
import { describe, expect, test } from 'vitest';
import { utf8 } from '../../src/crypto/bytes.ts';
import { aeadOpen } from '../../src/crypto/primitives.ts';
import { SealedValueRejectedError, StoreClosedError } from '../../src/store/errors.ts';
import { createSealer, SEAL_OVERHEAD_BYTES, sealAad } from '../../src/store/sealing.ts';
import { systemRng } from '../../src/store/system-rng.ts';

const key = () => systemRng(32);

describe('sealing', () => {
  test('round trip of bytes and text, with a fresh nonce each time', () => {
    const s = createSealer(key(), systemRng);
    const a = s.sealText('messages', 'body', 'row1', 'héllo 🙂');
    const b = s.sealText('messages', 'body', 'row1', 'héllo 🙂');
    expect(a).not.toEqual(b);
    expect(a.length).toBe(utf8('héllo 🙂').length + SEAL_OVERHEAD_BYTES);
    expect(s.openText('messages', 'body', 'row1', a)).toBe('héllo 🙂');
    const bytes = new Uint8Array([0, 255, 7]);
    expect(s.open('identity', 'blob', '1', s.seal('identity', 'blob', '1', bytes))).toEqual(bytes);
    expect(s.openText('t', 'c', 'r', s.sealText('t', 'c', 'r', ''))).toBe('');
  });

  test('the ciphertext hides the plaintext, and the master key itself does not open it (HKDF subkey)', () => {
    const master = key();
    const sealed = createSealer(master, systemRng).sealText('messages', 'body', 'r', 'plaintext-canary');
    expect(Buffer.from(sealed).includes(Buffer.from('plaintext-canary'))).toBe(false);
    const nonce = sealed.subarray(1, 25);
    expect(aeadOpen(master, nonce, sealed.subarray(25), sealAad('messages', 'body', 'r'))).toBeNull();
  });

  test('rejects a value sealed under another key', () => {
    const sealed = createSealer(key(), systemRng).sealText('messages', 'body', 'r', 'x');
    expect(() => createSealer(key(), systemRng).open('messages', 'body', 'r', sealed)).toThrow(
      SealedValueRejectedError,
    );
  });

  test('rejects a value moved to another row, column or table', () => {
    const s = createSealer(key(), systemRng);
    const sealed = s.sealText('messages', 'body', 'row-a', 'x');
    for (const [t, c, r] of [
      ['messages', 'body', 'row-b'],
      ['messages', 'title', 'row-a'],
      ['conversations', 'body', 'row-a'],
      ['conversations', 'title', 'row-a'],
    ] as const) {
      const error = (() => {
        try {
          s.open(t, c, r, sealed);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SealedValueRejectedError);
      expect((error as SealedValueRejectedError).code).toBe('SealedValueRejected');
    }
  });

  test('rejects tampered, truncated and unknown-version values', () => {
    const s = createSealer(key(), systemRng);
    const sealed = s.sealText('messages', 'body', 'r', 'some text');
    for (let i = 0; i < sealed.length; i++) {
      const t = sealed.slice();
      t[i] = (t[i] as number) ^ 0x01;
      expect(() => s.open('messages', 'body', 'r', t)).toThrow(SealedValueRejectedError);
    }
    expect(() => s.open('messages', 'body', 'r', sealed.subarray(0, sealed.length - 1))).toThrow(
      SealedValueRejectedError,
    );
    expect(() => s.open('messages', 'body', 'r', new Uint8Array(0))).toThrow(SealedValueRejectedError);
    expect(() => s.open('messages', 'body', 'r', sealed.subarray(0, SEAL_OVERHEAD_BYTES - 1))).toThrow(
      SealedValueRejectedError,
    );
  });

  test('associated data is unambiguous: NUL and empty components are refused', () => {
    expect(() => sealAad('a\u0000b', 'c', 'r')).toThrow(TypeError);
    expect(() => sealAad('a', '', 'r')).toThrow(TypeError);
    expect(new TextDecoder().decode(sealAad('messages', 'body', 'x'))).toBe(
      'pvt/seal/v1\u0000messages\u0000body\u0000x',
    );
  });

  test('a destroyed sealer refuses to work', () => {
    const s = createSealer(key(), systemRng);
    const sealed = s.sealText('t', 'c', 'r', 'x');
    s.destroy();
    expect(() => s.open('t', 'c', 'r', sealed)).toThrow(StoreClosedError);
  });
});

/**
 * Identity: generation, private serialization round trip (and the v1 layout the store already holds),
 * signed public bundle, fingerprint, display-name rule; negative tests named for what they reject.
 */
import { describe, expect, test } from 'vitest';
import { concatBytes, toHex, u64be } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { MAX_DISPLAY_NAME_BYTES } from '../../src/protocol/constants.ts';
import {
  decodeIdentity,
  decodePublicBundle,
  displayNameProblem,
  encodeIdentity,
  encodePublicBundle,
  generateIdentity,
  identityFingerprint,
  PUBLIC_BUNDLE_BYTES,
  publicIdentity,
  samePublicIdentity,
} from '../../src/protocol/identity.ts';
import { NOW_MS } from './fixtures.ts';

const rng = createLabelledDrbg('pvt tests: identity');
const ada = generateIdentity({ displayName: 'Ada', nowMs: NOW_MS, rng });
const bob = generateIdentity({ displayName: 'Bob', nowMs: NOW_MS, rng });

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
  return undefined;
}

describe('generateIdentity', () => {
  test('draws four independent keys: the DH key is not converted from the signing key', () => {
    expect(ada.signSecret).not.toEqual(ada.dhSecret);
    expect(ada.transportSeed).not.toEqual(ada.signSecret);
    expect(ada.signPublic).toHaveLength(32);
    expect(ada.dhPublic).toHaveLength(32);
    expect(ada.createdAt).toBe(NOW_MS);
  });
  test('rejects bad arguments with TypeError/RangeError naming them', () => {
    expect(() => generateIdentity({ displayName: '', nowMs: NOW_MS, rng })).toThrow(/"displayName"/);
    expect(() => generateIdentity({ displayName: 'a\u001b[31m', nowMs: NOW_MS, rng })).toThrow(RangeError);
    expect(() => generateIdentity({ displayName: 'x', nowMs: -1, rng })).toThrow(/"nowMs"/);
    expect(() => generateIdentity({ displayName: 'x', nowMs: 1.5, rng })).toThrow(RangeError);
  });
});

describe('private serialization', () => {
  test('round trips, recomputing the public keys', () => {
    expect(decodeIdentity(encodeIdentity(ada))).toEqual(ada);
  });
  test('keeps the v1 layout: version ‖ 3 secrets ‖ createdAt u64 ‖ u16 name length ‖ name', () => {
    const name = new TextEncoder().encode('Ada');
    const expected = concatBytes(
      Uint8Array.of(1),
      ada.signSecret,
      ada.dhSecret,
      ada.transportSeed,
      u64be(NOW_MS),
      Uint8Array.of(0, 3),
      name,
    );
    expect(toHex(encodeIdentity(ada))).toBe(toHex(expected));
  });
  test('rejects an unsupported version', () => {
    const bytes = encodeIdentity(ada);
    bytes[0] = 2;
    expect(codeOf(() => decodeIdentity(bytes))).toBe('UnsupportedIdentityVersion');
  });
  test('rejects truncated and extended encodings', () => {
    const bytes = encodeIdentity(ada);
    expect(codeOf(() => decodeIdentity(bytes.subarray(0, bytes.length - 1)))).toBe('MalformedIdentity');
    expect(codeOf(() => decodeIdentity(bytes.subarray(0, 50)))).toBe('MalformedIdentity');
    expect(codeOf(() => decodeIdentity(concatBytes(bytes, Uint8Array.of(0))))).toBe('MalformedIdentity');
    expect(codeOf(() => decodeIdentity(new Uint8Array(0)))).toBe('MalformedIdentity');
  });
  test('rejects a name that is not UTF-8, and a creation time beyond 2^53', () => {
    const bytes = encodeIdentity(ada);
    bytes[bytes.length - 1] = 0xff;
    expect(codeOf(() => decodeIdentity(bytes))).toBe('MalformedIdentity');
    const late = encodeIdentity(ada);
    late.set(u64be(2n ** 60n), 97);
    expect(codeOf(() => decodeIdentity(late))).toBe('MalformedIdentity');
  });
  test('rejects a name longer than the limit', () => {
    const bytes = encodeIdentity(ada);
    bytes[105] = 0x01;
    bytes[106] = 0x01; // 257
    expect(codeOf(() => decodeIdentity(bytes))).toBe('MalformedIdentity');
  });
  test('bad argument type → TypeError', () => {
    expect(() => decodeIdentity('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('public bundle', () => {
  test('round trips and verifies the binding signature', () => {
    const bundle = encodePublicBundle(ada);
    expect(bundle).toHaveLength(PUBLIC_BUNDLE_BYTES);
    expect(samePublicIdentity(decodePublicBundle(bundle), publicIdentity(ada))).toBe(true);
  });
  test('rejects a bundle whose DH key was swapped (signature no longer binds it)', () => {
    const bundle = encodePublicBundle(ada);
    bundle.set(bob.dhPublic, 33);
    expect(codeOf(() => decodePublicBundle(bundle))).toBe('MalformedIdentity');
  });
  test('rejects a flipped signature byte, a wrong length and an unknown version', () => {
    const bundle = encodePublicBundle(ada);
    const flipped = Uint8Array.from(bundle);
    flipped[100] = (flipped[100] as number) ^ 1;
    expect(codeOf(() => decodePublicBundle(flipped))).toBe('MalformedIdentity');
    expect(codeOf(() => decodePublicBundle(bundle.subarray(1)))).toBe('UnsupportedIdentityVersion');
    expect(codeOf(() => decodePublicBundle(bundle.subarray(0, 128)))).toBe('MalformedIdentity');
    const v2 = Uint8Array.from(bundle);
    v2[0] = 2;
    expect(codeOf(() => decodePublicBundle(v2))).toBe('UnsupportedIdentityVersion');
  });
});

describe('fingerprint', () => {
  test('is 16 base32 characters in four groups, and depends on both keys', () => {
    const fp = identityFingerprint(ada);
    expect(fp).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(identityFingerprint({ signPublic: ada.signPublic, dhPublic: bob.dhPublic })).not.toBe(fp);
    expect(identityFingerprint({ signPublic: bob.signPublic, dhPublic: ada.dhPublic })).not.toBe(fp);
  });
});

describe('displayNameProblem', () => {
  test.each([
    ['Ada', undefined],
    ['李小龙 🐉', undefined],
    ['Zoë Ørsted-Müller', undefined],
    ['', 'it is empty'],
    ['x'.repeat(MAX_DISPLAY_NAME_BYTES + 1), `longer than ${MAX_DISPLAY_NAME_BYTES} UTF-8 bytes`],
    ['evil\u001b]0;pwned\u0007', 'it contains control, invisible or bidirectional characters'],
    ['line\nbreak', 'it contains control, invisible or bidirectional characters'],
    ['abc\u202Egpj.exe', 'it contains control, invisible or bidirectional characters'],
    ['c1\u0085control', 'it contains control, invisible or bidirectional characters'],
  ])('%j → %s', (name, problem) => {
    expect(displayNameProblem(name)).toBe(problem);
  });
  test('counts bytes, not characters: 64 four-byte emoji fit exactly', () => {
    expect(displayNameProblem('🐉'.repeat(64))).toBeUndefined();
    expect(displayNameProblem(`${'🐉'.repeat(64)}x`)).toBeDefined();
  });
});

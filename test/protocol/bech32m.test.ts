/**
 * bech32m codec: BIP-350 test vectors, round trips, strict padding, and an exhaustive check of the error
 * detection claimed in docs/protocol/invite.md — every 1- and 2-character substitution at the longest
 * invite text, every 3-character substitution at the length of a two-address invite.
 */
import { describe, expect, test } from 'vitest';
import {
  BECH32_CHARSET,
  bech32mDecode,
  bech32mEncode,
  bech32mVerify,
  bech32Polymod,
  bytesToWords,
  wordsToBytes,
} from '../../src/protocol/bech32m.ts';
import { MAX_INVITE_TEXT_CHARS } from '../../src/protocol/constants.ts';

const words = (s: string) => [...s].map((c) => BECH32_CHARSET.indexOf(c));

describe('BIP-350 vectors', () => {
  test.each([
    'A1LQFN3A',
    'a1lqfn3a',
    'an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6',
    'abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx',
    'split1checkupstagehandshakeupstreamerranterredcaperredlc445v',
    '?1v759aa',
  ])('valid: %s', (s) => {
    const lower = s.toLowerCase();
    const i = lower.lastIndexOf('1');
    expect(bech32mVerify(lower.slice(0, i), words(lower.slice(i + 1)))).toBe(true);
  });
  test.each([
    'a1lqfn3q', // last character changed
    'abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryy',
    'A12UEL5L', // a valid bech32 (not bech32m) string: the constants differ
  ])('invalid: %s', (s) => {
    const lower = s.toLowerCase();
    const i = lower.lastIndexOf('1');
    expect(bech32mVerify(lower.slice(0, i), words(lower.slice(i + 1)))).toBe(false);
  });
});

describe('codec', () => {
  test('round trips bytes of every length 0..64', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const decoded = bech32mDecode('pvt', bech32mEncode('pvt', bytes));
      expect(decoded).toEqual({ ok: true, bytes });
    }
  });
  test('rejects non-zero padding bits and padding of 5 bits or more', () => {
    expect(wordsToBytes([31])).toBeNull(); // 5 bits of padding
    expect(wordsToBytes([0, 1])).toBeNull(); // 2 padding bits, not zero
    expect(wordsToBytes([0, 0])).toEqual(new Uint8Array(1));
    expect(bytesToWords(Uint8Array.of(0xff))).toEqual([31, 28]);
  });
  test('reports the first character outside the alphabet with its index', () => {
    expect(bech32mDecode('pvt', 'pvt1qqqbqq')).toEqual({
      ok: false,
      reason: 'character',
      character: 'b',
      position: 7,
    });
    expect(bech32mDecode('pvt', 'xyz1qq')).toEqual({ ok: false, reason: 'prefix' });
  });
});

/** Residue of error value e (1..31) at `back` symbols from the end: linear, so errors add by XOR. */
function residues(length: number): Uint32Array {
  const out = new Uint32Array(length * 32);
  for (let e = 1; e < 32; e++) {
    let r = bech32Polymod([e], 0);
    for (let back = 0; back < length; back++) {
      out[back * 32 + e] = r;
      r = bech32Polymod([0], r);
    }
  }
  return out;
}

describe('error detection (exhaustive over the linear code)', () => {
  test('every 1- and 2-character substitution is detected at the longest invite text', () => {
    const length = MAX_INVITE_TEXT_CHARS - 4; // data + checksum characters after "pvt1"
    const r = residues(length);
    const all: number[] = [];
    for (let pos = 0; pos < length; pos++) {
      for (let e = 1; e < 32; e++) {
        const v = r[pos * 32 + e] as number;
        expect(v).not.toBe(0); // single substitution
        all.push(v);
      }
    }
    // Two substitutions cancel iff two residues at different positions are equal; equal residues at
    // the same position are impossible (that would be a detected single error of value e1 ^ e2).
    all.sort((a, b) => a - b);
    let collisions = 0;
    for (let i = 1; i < all.length; i++) if (all[i] === all[i - 1]) collisions++;
    expect(collisions).toBe(0);
  });

  test('every 3-character substitution is detected at the length of a two-address invite (148 chars)', () => {
    const length = 148 - 4;
    const r = residues(length);
    const seen = new Uint8Array(1 << 27); // bitmap over the 30-bit residues of all 2-error patterns
    for (let i = 0; i < length; i++) {
      for (let j = i + 1; j < length; j++) {
        for (let a = 1; a < 32; a++) {
          const ra = r[i * 32 + a] as number;
          for (let b = 1; b < 32; b++) {
            const v = ra ^ (r[j * 32 + b] as number);
            seen[v >>> 3] = (seen[v >>> 3] as number) | (1 << (v & 7));
          }
        }
      }
    }
    let hits = 0;
    for (let k = 0; k < r.length; k++) {
      if (k % 32 === 0) continue;
      const v = r[k] as number;
      if ((seen[v >>> 3] as number) & (1 << (v & 7))) hits++;
    }
    expect(hits).toBe(0);
  });
});

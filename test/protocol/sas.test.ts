/**
 * SAS and safety number: formats, the word list, what the SAS depends on (and what it must not), the
 * commit-reveal binding, uniformity of the digits; the safety number's order independence and format.
 */
import { describe, expect, test } from 'vitest';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import {
  formatSafetyNumber,
  identityDigits,
  safetyNumber,
  safetyNumberGroups,
} from '../../src/protocol/safety-number.ts';
import {
  deriveSas,
  formatSasDigits,
  formatSasWords,
  SAS_WORD_LIST,
  sasCommitment,
} from '../../src/protocol/sas.ts';

const rng = createLabelledDrbg('pvt tests: sas');
const joiner = { signPublic: rng(32), dhPublic: rng(32) };
const other = { signPublic: rng(32), dhPublic: rng(32) };
const h = rng(32);
const e = rng(32);

describe('word list', () => {
  test('has 256 distinct lowercase ASCII words of 3 to 7 letters, sorted', () => {
    expect(SAS_WORD_LIST).toHaveLength(256);
    expect(new Set(SAS_WORD_LIST).size).toBe(256);
    for (const w of SAS_WORD_LIST) expect(w).toMatch(/^[a-z]{3,7}$/);
    expect([...SAS_WORD_LIST].sort()).toEqual(SAS_WORD_LIST);
    expect(Object.isFrozen(SAS_WORD_LIST)).toBe(true);
  });
});

describe('SAS', () => {
  test('is 6 digits and 3 words, formatted for reading aloud', () => {
    const sas = deriveSas(h, e, joiner);
    expect(sas.digits).toMatch(/^\d{6}$/);
    expect(formatSasDigits(sas)).toMatch(/^\d{3} \d{3}$/);
    expect(formatSasWords(sas).split('-')).toEqual(sas.words);
  });
  test('changes with the transcript, the revealed ephemeral key and either identity key', () => {
    const base = deriveSas(h, e, joiner).digits;
    expect(deriveSas(rng(32), e, joiner).digits).not.toBe(base);
    expect(deriveSas(h, rng(32), joiner).digits).not.toBe(base);
    expect(deriveSas(h, e, { ...joiner, signPublic: other.signPublic }).digits).not.toBe(base);
    expect(deriveSas(h, e, { ...joiner, dhPublic: other.dhPublic }).digits).not.toBe(base);
  });
  test('the commitment binds the ephemeral key and both identity keys', () => {
    const c = sasCommitment(e, joiner);
    expect(c).toHaveLength(32);
    expect(sasCommitment(rng(32), joiner)).not.toEqual(c);
    expect(sasCommitment(e, { ...joiner, dhPublic: other.dhPublic })).not.toEqual(c);
    expect(sasCommitment(e, { ...joiner, signPublic: other.signPublic })).not.toEqual(c);
  });
  test('the digits are close to uniform (each leading digit ≈ 10 %, over 20,000 draws)', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[Number(deriveSas(rng(32), e, joiner).digits[0])]++;
    // chi-square with 9 degrees of freedom: 27.9 is the 0.1 % critical value
    const chi = counts.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    expect(chi).toBeLessThan(27.9);
  });
  test('rejects wrong-size inputs with RangeError', () => {
    expect(() => deriveSas(new Uint8Array(31), e, joiner)).toThrow(RangeError);
    expect(() => sasCommitment(new Uint8Array(33), joiner)).toThrow(RangeError);
  });
});

describe('safety number', () => {
  test('is 60 digits, identical whichever side computes it', () => {
    const n = safetyNumber(joiner, other);
    expect(n).toMatch(/^\d{60}$/);
    expect(safetyNumber(other, joiner)).toBe(n);
    expect([identityDigits(joiner), identityDigits(other)].sort().join('')).toBe(n);
  });
  test('changes when any of the four keys changes', () => {
    const n = safetyNumber(joiner, other);
    const x = rng(32);
    expect(safetyNumber({ ...joiner, signPublic: x }, other)).not.toBe(n);
    expect(safetyNumber({ ...joiner, dhPublic: x }, other)).not.toBe(n);
    expect(safetyNumber(joiner, { ...other, signPublic: x })).not.toBe(n);
    expect(safetyNumber(joiner, { ...other, dhPublic: x })).not.toBe(n);
  });
  test('formats as 12 groups of 5, optionally 4 per line', () => {
    const n = safetyNumber(joiner, other);
    expect(safetyNumberGroups(n)).toHaveLength(12);
    expect(formatSafetyNumber(n)).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(formatSafetyNumber(n, 4).split('\n')).toHaveLength(3);
    expect(() => safetyNumberGroups('123')).toThrow(RangeError);
  });
});

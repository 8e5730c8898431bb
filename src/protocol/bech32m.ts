/**
 * Bech32m (BIP-350) checksummed base32, without BIP-173's 90-character limit: the checksum polynomial
 * and constant of bech32m over strings of up to 1023 symbols (hrp expansion + data + checksum), where
 * the code still detects every error touching 3 or fewer characters (see docs/protocol/invite.md).
 * Pure codec: knows nothing about invites; reports failures as values, never throws on bad text.
 */

/** The bech32 alphabet: no 1, b, i, o. Index = 5-bit value. */
export const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32M_CONST = 0x2bc830a3;
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3] as const;
export const BECH32M_CHECKSUM_CHARS = 6;
/** Longest code (hrp expansion + data + checksum, in 5-bit symbols) the BCH code is defined for. */
export const BECH32M_MAX_CODE_SYMBOLS = 1023;

const CHAR_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BECH32_CHARSET.length; i++) CHAR_VALUE[BECH32_CHARSET.charCodeAt(i)] = i;

/** The BCH checksum state over 5-bit `values` from `start` (1 for bech32/bech32m; 0 gives the linear part). */
export function bech32Polymod(values: ArrayLike<number>, start = 1): number {
  let chk = start;
  for (let i = 0; i < values.length; i++) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ (values[i] as number);
    for (let j = 0; j < 5; j++) if ((top >>> j) & 1) chk ^= GENERATOR[j] as number;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >>> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

/** The six checksum symbols of `hrp` + `data` (5-bit symbols). */
export function bech32mChecksum(hrp: string, data: readonly number[]): number[] {
  const mod = bech32Polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ BECH32M_CONST;
  const out: number[] = [];
  for (let i = 0; i < BECH32M_CHECKSUM_CHARS; i++) out.push((mod >>> (5 * (5 - i))) & 31);
  return out;
}

/** Whether `dataWithChecksum` (5-bit symbols, checksum last) carries a valid bech32m checksum for `hrp`. */
export function bech32mVerify(hrp: string, dataWithChecksum: readonly number[]): boolean {
  return bech32Polymod([...hrpExpand(hrp), ...dataWithChecksum]) === BECH32M_CONST;
}

/** Bytes → 5-bit symbols, most significant bit first, the last symbol zero-padded. */
export function bytesToWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push((acc >>> bits) & 31);
    }
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

/** 5-bit symbols → bytes; null when the padding is 5 bits or longer or not all zero (non-canonical). */
export function wordsToBytes(words: readonly number[]): Uint8Array | null {
  const out = new Uint8Array(Math.floor((words.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const w of words) {
    if (!Number.isInteger(w) || w < 0 || w > 31) return null;
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** Lowercase `hrp` ‖ "1" ‖ data ‖ checksum. */
export function bech32mEncode(hrp: string, bytes: Uint8Array): string {
  const words = bytesToWords(bytes);
  let out = `${hrp}1`;
  for (const w of [...words, ...bech32mChecksum(hrp, words)]) out += BECH32_CHARSET[w];
  return out;
}

export type Bech32mDecoded =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'prefix' }
  | {
      readonly ok: false;
      readonly reason: 'character';
      readonly character: string;
      readonly position: number;
    }
  | { readonly ok: false; readonly reason: 'length' }
  | { readonly ok: false; readonly reason: 'checksum' }
  | { readonly ok: false; readonly reason: 'padding' };

/**
 * Decodes lowercase `text` that must start with `hrp` ‖ "1". Positions in errors index `text`.
 * Order of checks: prefix, characters, length, checksum, padding.
 */
export function bech32mDecode(hrp: string, text: string): Bech32mDecoded {
  const prefix = `${hrp}1`;
  if (!text.startsWith(prefix)) return { ok: false, reason: 'prefix' };
  const words: number[] = [];
  for (let i = prefix.length; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (CHAR_VALUE[code] as number) : -1;
    if (value < 0) return { ok: false, reason: 'character', character: text.charAt(i), position: i };
    words.push(value);
  }
  if (
    words.length < BECH32M_CHECKSUM_CHARS ||
    hrpExpand(hrp).length + words.length > BECH32M_MAX_CODE_SYMBOLS
  ) {
    return { ok: false, reason: 'length' };
  }
  if (!bech32mVerify(hrp, words)) return { ok: false, reason: 'checksum' };
  const bytes = wordsToBytes(words.slice(0, words.length - BECH32M_CHECKSUM_CHARS));
  if (bytes === null) return { ok: false, reason: 'padding' };
  return { ok: true, bytes };
}

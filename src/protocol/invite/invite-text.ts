/**
 * The text form of an invite: `pvt1…`, bech32m (BIP-350 alphabet, polynomial and constant) over the
 * binary invite, without BIP-173's 90-character limit. Reading is forgiving — any case, spaces, tabs,
 * newlines, dashes and underscores anywhere — and any string decodes to an Invite or a named
 * ProtocolError. Also the uppercase form for QR alphanumeric mode and a grouped form for reading aloud.
 * Pure; knows the binary invite codec only through invite-code.ts. Spec: docs/protocol/invite.md.
 */
import { BECH32M_CHECKSUM_CHARS, bech32mDecode, bech32mEncode } from '../bech32m.ts';
import { MAX_INVITE_INPUT_CHARS, MAX_INVITE_TEXT_CHARS } from '../constants.ts';
import {
  InvalidInviteCharacterError,
  InvalidInviteChecksumError,
  InviteTooLongError,
  MalformedInviteError,
} from '../errors.ts';
import { decodeInviteBytes, encodeInviteBytes, type Invite } from './invite-code.ts';

/** Human-readable part; the text form starts with `pvt1`. */
export const INVITE_HRP = 'pvt';
const PREFIX = `${INVITE_HRP}1`;

/** Canonical text form: lowercase `pvt1…`. */
export function encodeInviteText(invite: Invite): string {
  const text = bech32mEncode(INVITE_HRP, encodeInviteBytes(invite));
  if (text.length > MAX_INVITE_TEXT_CHARS) throw new RangeError(`"invite" expected a shorter invite`);
  return text;
}

/** Uppercase form for QR codes: every character is in the QR alphanumeric set (5.5 bits per char). */
export function inviteQrText(invite: Invite): string {
  return encodeInviteText(invite).toUpperCase();
}

/** `pvt1` then groups of `groupChars` characters joined by `separator`, for reading aloud or printing. */
export function groupInviteText(text: string, groupChars = 5, separator = ' '): string {
  if (!Number.isInteger(groupChars) || groupChars < 1) {
    throw new RangeError(`"groupChars" expected a positive integer, got ${groupChars}`);
  }
  const body = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : text;
  const groups: string[] = [];
  for (let i = 0; i < body.length; i += groupChars) groups.push(body.slice(i, i + groupChars));
  return text.startsWith(PREFIX) ? [PREFIX, ...groups].join(separator) : groups.join(separator);
}

/** Characters the reader drops wherever they are: whitespace (incl. NBSP), ASCII/Unicode dashes, underscores. */
const IGNORED = /[\s\u00a0\u2010-\u2015\u2212_-]/u;

/**
 * Strips ignored characters and lowercases ASCII letters, keeping each kept character's index in the
 * input so errors can point at what the person typed.
 */
function normalize(input: string): { text: string; origin: number[] } {
  let text = '';
  const origin: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i);
    if (IGNORED.test(ch)) continue;
    const code = ch.charCodeAt(0);
    text += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch;
    origin.push(i);
  }
  return { text, origin };
}

/**
 * Decodes any string into an Invite or throws a named ProtocolError: InviteTooLong, MalformedInvite,
 * InvalidInviteCharacter, InvalidInviteChecksum, UnsupportedInviteVersion, and InviteExpired when
 * `nowMs` is given. Bad argument types (not a string) → TypeError.
 */
export function decodeInviteText(input: string, options: { nowMs?: number } = {}): Invite {
  if (typeof input !== 'string') throw new TypeError(`"input" expected string, got ${typeof input}`);
  if (input.length > MAX_INVITE_INPUT_CHARS)
    throw new InviteTooLongError(input.length, MAX_INVITE_INPUT_CHARS);
  const { text, origin } = normalize(input);
  if (text.length === 0) throw new MalformedInviteError('empty');
  if (text.length > MAX_INVITE_TEXT_CHARS) throw new InviteTooLongError(text.length, MAX_INVITE_TEXT_CHARS);
  if (!text.startsWith(PREFIX))
    throw new MalformedInviteError(`not a pvt invite (it must start with ${PREFIX})`);
  if (text.length < PREFIX.length + 1 + BECH32M_CHECKSUM_CHARS) throw new MalformedInviteError('too short');
  const decoded = bech32mDecode(INVITE_HRP, text);
  if (!decoded.ok) {
    switch (decoded.reason) {
      case 'character':
        throw new InvalidInviteCharacterError(decoded.character, (origin[decoded.position] as number) + 1);
      case 'checksum':
        throw new InvalidInviteChecksumError();
      case 'padding':
        throw new MalformedInviteError('non-canonical padding');
      case 'length':
        throw new InviteTooLongError(text.length, MAX_INVITE_TEXT_CHARS);
      case 'prefix':
        throw new MalformedInviteError(`not a pvt invite (it must start with ${PREFIX})`);
    }
  }
  return decodeInviteBytes(decoded.bytes, options);
}

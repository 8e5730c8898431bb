/**
 * Byte layout of the four join-handshake messages: header, fixed sizes, and the codecs of each sealed
 * plaintext (fixed-size, zero-padded blocks for names and locators). Decoders check every length, every
 * padding byte and every field, and throw only MalformedHandshakeMessage (or the header's named errors).
 * Pure; knows no keys and no state machine. Spec: docs/protocol/handshake.md ("Wire format").
 */
import { concatBytes, utf8 } from '../../crypto/bytes.ts';
import { AEAD_TAG_BYTES, MLKEM768_CIPHERTEXT_BYTES, MLKEM768_PUBLIC_BYTES } from '../../crypto/primitives.ts';
import {
  HANDSHAKE_NONCE_BYTES,
  HANDSHAKE_VERSION,
  INVITE_ID_BYTES,
  MAX_DISPLAY_NAME_BYTES,
  MAX_HANDSHAKE_MESSAGE_BYTES,
  MAX_HANDSHAKE_REPLY_TO_BYTES,
  MAX_LOCATOR_ADDRS,
} from '../constants.ts';
import {
  HandshakeMessageTooLargeError,
  MalformedHandshakeMessageError,
  UnexpectedHandshakeMessageError,
  UnsupportedHandshakeVersionError,
} from '../errors.ts';
import { displayNameProblem, type PublicIdentity } from '../identity.ts';
import {
  assertLocator,
  encodeLocator,
  maxLocatorBytes,
  readLocator,
  type TransportLocator,
} from '../invite/locator.ts';

export const MESSAGE_TYPES = {
  joinRequest: 1,
  inviterResponse: 2,
  joinerReveal: 3,
  inviterConfirm: 4,
} as const;
export type MessageName = keyof typeof MESSAGE_TYPES;
const NAMES: Record<number, MessageName> = {
  1: 'joinRequest',
  2: 'inviterResponse',
  3: 'joinerReveal',
  4: 'inviterConfirm',
};

const KEY = 32;
const SIG = 64;
export const HEADER_BYTES = 2;
export const NAME_BLOCK_BYTES = 2 + MAX_DISPLAY_NAME_BYTES;
export const REPLY_TO_BLOCK_BYTES = 1 + MAX_HANDSHAKE_REPLY_TO_BYTES;
export const LOCATOR_BLOCK_BYTES = 2 + maxLocatorBytes(MAX_LOCATOR_ADDRS);

/** JoinRequest plaintext: commitment(32) ‖ replyTo block. */
export const JOIN_REQUEST_PLAINTEXT_BYTES = KEY + REPLY_TO_BLOCK_BYTES;
/** InviterResponse signed body: eI(32) ‖ kemPublic(1184) ‖ signPublic(32) ‖ dhPublic(32) ‖ name block. */
export const INVITER_RESPONSE_BODY_BYTES = KEY + MLKEM768_PUBLIC_BYTES + 2 * KEY + NAME_BLOCK_BYTES;
export const INVITER_RESPONSE_PLAINTEXT_BYTES = INVITER_RESPONSE_BODY_BYTES + SIG;
/** JoinerReveal segment A: eJ(32) ‖ kemCipherText(1088). */
export const REVEAL_A_PLAINTEXT_BYTES = KEY + MLKEM768_CIPHERTEXT_BYTES;
/** JoinerReveal segment B: signPublic(32) ‖ dhPublic(32) ‖ name block ‖ locator block. */
export const REVEAL_B_PLAINTEXT_BYTES = 2 * KEY + NAME_BLOCK_BYTES + LOCATOR_BLOCK_BYTES;
/** JoinerReveal segment C: the joiner's signature. */
export const REVEAL_C_PLAINTEXT_BYTES = SIG;
/** InviterConfirm plaintext: ratchetDhPublic(32) ‖ ratchetKemPublic(1184) ‖ locator block. */
export const CONFIRM_PLAINTEXT_BYTES = KEY + MLKEM768_PUBLIC_BYTES + LOCATOR_BLOCK_BYTES;

const SEALED = (n: number): number => n + AEAD_TAG_BYTES;
export const JOIN_REQUEST_BYTES =
  HEADER_BYTES + INVITE_ID_BYTES + HANDSHAKE_NONCE_BYTES + SEALED(JOIN_REQUEST_PLAINTEXT_BYTES);
export const INVITER_RESPONSE_BYTES =
  HEADER_BYTES + HANDSHAKE_NONCE_BYTES + SEALED(INVITER_RESPONSE_PLAINTEXT_BYTES);
export const REVEAL_A_BYTES = SEALED(REVEAL_A_PLAINTEXT_BYTES);
export const REVEAL_B_BYTES = SEALED(REVEAL_B_PLAINTEXT_BYTES);
export const REVEAL_C_BYTES = SEALED(REVEAL_C_PLAINTEXT_BYTES);
export const JOINER_REVEAL_BYTES =
  HEADER_BYTES + HANDSHAKE_NONCE_BYTES + REVEAL_A_BYTES + REVEAL_B_BYTES + REVEAL_C_BYTES;
export const INVITER_CONFIRM_BYTES = HEADER_BYTES + HANDSHAKE_NONCE_BYTES + SEALED(CONFIRM_PLAINTEXT_BYTES);

/** The one size each message type has. */
export const MESSAGE_BYTES: Record<MessageName, number> = {
  joinRequest: JOIN_REQUEST_BYTES,
  inviterResponse: INVITER_RESPONSE_BYTES,
  joinerReveal: JOINER_REVEAL_BYTES,
  inviterConfirm: INVITER_CONFIRM_BYTES,
};

export function header(type: MessageName): Uint8Array {
  return Uint8Array.of(HANDSHAKE_VERSION, MESSAGE_TYPES[type]);
}

/** Which message `bytes` claims to be (version and type byte only; nothing authenticated). */
export function peekMessageType(bytes: Uint8Array): MessageName {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`"message" expected Uint8Array, got ${typeof bytes}`);
  if (bytes.length > MAX_HANDSHAKE_MESSAGE_BYTES) {
    throw new HandshakeMessageTooLargeError(bytes.length, MAX_HANDSHAKE_MESSAGE_BYTES);
  }
  if (bytes.length < HEADER_BYTES) throw new MalformedHandshakeMessageError('shorter than a header');
  if (bytes[0] !== HANDSHAKE_VERSION) throw new UnsupportedHandshakeVersionError(bytes[0] as number);
  const name = NAMES[bytes[1] as number];
  if (name === undefined) throw new MalformedHandshakeMessageError(`unknown message type ${bytes[1]}`);
  return name;
}

/** Checks size, version and type against what the state expects (reordered/replayed → Unexpected). */
export function expectMessage(bytes: Uint8Array, expected: MessageName): void {
  const name = peekMessageType(bytes);
  if (name !== expected) throw new UnexpectedHandshakeMessageError(expected, name);
  if (bytes.length !== MESSAGE_BYTES[expected]) {
    throw new MalformedHandshakeMessageError(
      `${expected} must be ${MESSAGE_BYTES[expected]} bytes, got ${bytes.length} (truncated or padded)`,
    );
  }
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  let acc = 0;
  for (let i = from; i < to; i++) acc |= bytes[i] as number;
  return acc === 0;
}

/** Sequential reads from a plaintext whose total length was checked first. */
class Reader {
  private offset = 0;
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  take(n: number): Uint8Array {
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

// ── blocks ────────────────────────────────────────────────────────────────────────────────────────

/** nameLen(u16 BE, 1..256) ‖ UTF-8 name ‖ zeros to 258 bytes. */
export function encodeNameBlock(name: string): Uint8Array {
  const problem = displayNameProblem(name);
  if (problem !== undefined)
    throw new RangeError(`"displayName" expected a valid name, got one where ${problem}`);
  const bytes = utf8(name);
  const out = new Uint8Array(NAME_BLOCK_BYTES);
  out[0] = bytes.length >>> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeNameBlock(block: Uint8Array): string {
  const len = ((block[0] as number) << 8) | (block[1] as number);
  if (len < 1 || len > MAX_DISPLAY_NAME_BYTES)
    throw new MalformedHandshakeMessageError('display name length');
  if (!allZero(block, 2 + len, block.length))
    throw new MalformedHandshakeMessageError('display name padding');
  let name: string;
  try {
    name = strictUtf8.decode(block.subarray(2, 2 + len));
  } catch {
    throw new MalformedHandshakeMessageError('display name is not UTF-8');
  }
  const problem = displayNameProblem(name);
  if (problem !== undefined) throw new MalformedHandshakeMessageError(`display name: ${problem}`);
  return name;
}

/** replyToLen(1, 0..128) ‖ replyTo ‖ zeros to 129 bytes. */
export function encodeReplyToBlock(replyTo: Uint8Array): Uint8Array {
  if (replyTo.length > MAX_HANDSHAKE_REPLY_TO_BYTES) {
    throw new RangeError(
      `"replyTo" expected at most ${MAX_HANDSHAKE_REPLY_TO_BYTES} bytes, got ${replyTo.length}`,
    );
  }
  const out = new Uint8Array(REPLY_TO_BLOCK_BYTES);
  out[0] = replyTo.length;
  out.set(replyTo, 1);
  return out;
}

export function decodeReplyToBlock(block: Uint8Array): Uint8Array {
  const len = block[0] as number;
  if (len > MAX_HANDSHAKE_REPLY_TO_BYTES) throw new MalformedHandshakeMessageError('reply locator length');
  if (!allZero(block, 1 + len, block.length))
    throw new MalformedHandshakeMessageError('reply locator padding');
  return block.slice(1, 1 + len);
}

/** locatorLen(u16 BE) ‖ locator (see invite/locator.ts, ≤ 8 addresses) ‖ zeros to 717 bytes. */
export function encodeLocatorBlock(locator: TransportLocator): Uint8Array {
  assertLocator('locator', locator, MAX_LOCATOR_ADDRS);
  const bytes = encodeLocator(locator, MAX_LOCATOR_ADDRS);
  const out = new Uint8Array(LOCATOR_BLOCK_BYTES);
  out[0] = bytes.length >>> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}

export function decodeLocatorBlock(block: Uint8Array): TransportLocator {
  const len = ((block[0] as number) << 8) | (block[1] as number);
  if (len > LOCATOR_BLOCK_BYTES - 2) throw new MalformedHandshakeMessageError('locator length');
  if (!allZero(block, 2 + len, block.length)) throw new MalformedHandshakeMessageError('locator padding');
  const body = block.subarray(2, 2 + len);
  const read = readLocator(body, 0, MAX_LOCATOR_ADDRS);
  if (!read.ok) throw new MalformedHandshakeMessageError(`locator: ${read.detail}`);
  if (read.end !== body.length) throw new MalformedHandshakeMessageError('locator: trailing bytes');
  return read.locator;
}

function assertPlaintext(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`"${what}" expected Uint8Array, got ${typeof bytes}`);
  if (bytes.length !== length) {
    throw new MalformedHandshakeMessageError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

// ── plaintexts ────────────────────────────────────────────────────────────────────────────────────

export interface JoinRequestPlaintext {
  readonly commitment: Uint8Array;
  readonly replyTo: Uint8Array;
}
export function encodeJoinRequestPlaintext(p: JoinRequestPlaintext): Uint8Array {
  return concatBytes(p.commitment, encodeReplyToBlock(p.replyTo));
}
export function decodeJoinRequestPlaintext(bytes: Uint8Array): JoinRequestPlaintext {
  assertPlaintext(bytes, JOIN_REQUEST_PLAINTEXT_BYTES, 'joinRequest plaintext');
  const r = new Reader(bytes);
  return { commitment: r.take(KEY), replyTo: decodeReplyToBlock(r.take(REPLY_TO_BLOCK_BYTES)) };
}

export interface InviterResponseBody {
  readonly ephemeralPublic: Uint8Array;
  readonly kemPublic: Uint8Array;
  readonly identity: PublicIdentity;
  readonly displayName: string;
}
export function encodeInviterResponseBody(p: InviterResponseBody): Uint8Array {
  return concatBytes(
    p.ephemeralPublic,
    p.kemPublic,
    p.identity.signPublic,
    p.identity.dhPublic,
    encodeNameBlock(p.displayName),
  );
}
/** Splits the plaintext into the signed body (bytes) and the signature, and decodes the body. */
export function decodeInviterResponsePlaintext(
  bytes: Uint8Array,
): InviterResponseBody & { readonly body: Uint8Array; readonly signature: Uint8Array } {
  assertPlaintext(bytes, INVITER_RESPONSE_PLAINTEXT_BYTES, 'inviterResponse plaintext');
  const r = new Reader(bytes);
  const ephemeralPublic = r.take(KEY);
  const kemPublic = r.take(MLKEM768_PUBLIC_BYTES);
  const identity = { signPublic: r.take(KEY), dhPublic: r.take(KEY) };
  const displayName = decodeNameBlock(r.take(NAME_BLOCK_BYTES));
  const signature = r.take(SIG);
  return {
    ephemeralPublic,
    kemPublic,
    identity,
    displayName,
    body: bytes.slice(0, INVITER_RESPONSE_BODY_BYTES),
    signature,
  };
}

export interface RevealA {
  readonly ephemeralPublic: Uint8Array;
  readonly kemCipherText: Uint8Array;
}
export function encodeRevealA(p: RevealA): Uint8Array {
  return concatBytes(p.ephemeralPublic, p.kemCipherText);
}
export function decodeRevealA(bytes: Uint8Array): RevealA {
  assertPlaintext(bytes, REVEAL_A_PLAINTEXT_BYTES, 'joinerReveal segment A');
  const r = new Reader(bytes);
  return { ephemeralPublic: r.take(KEY), kemCipherText: r.take(MLKEM768_CIPHERTEXT_BYTES) };
}

export interface RevealB {
  readonly identity: PublicIdentity;
  readonly displayName: string;
  readonly locator: TransportLocator;
}
export function encodeRevealB(p: RevealB): Uint8Array {
  return concatBytes(
    p.identity.signPublic,
    p.identity.dhPublic,
    encodeNameBlock(p.displayName),
    encodeLocatorBlock(p.locator),
  );
}
export function decodeRevealB(bytes: Uint8Array): RevealB {
  assertPlaintext(bytes, REVEAL_B_PLAINTEXT_BYTES, 'joinerReveal segment B');
  const r = new Reader(bytes);
  const identity = { signPublic: r.take(KEY), dhPublic: r.take(KEY) };
  const displayName = decodeNameBlock(r.take(NAME_BLOCK_BYTES));
  return { identity, displayName, locator: decodeLocatorBlock(r.take(LOCATOR_BLOCK_BYTES)) };
}

export interface ConfirmPlaintext {
  readonly ratchetDhPublic: Uint8Array;
  readonly ratchetKemPublic: Uint8Array;
  readonly locator: TransportLocator;
}
export function encodeConfirmPlaintext(p: ConfirmPlaintext): Uint8Array {
  return concatBytes(p.ratchetDhPublic, p.ratchetKemPublic, encodeLocatorBlock(p.locator));
}
export function decodeConfirmPlaintext(bytes: Uint8Array): ConfirmPlaintext {
  assertPlaintext(bytes, CONFIRM_PLAINTEXT_BYTES, 'inviterConfirm plaintext');
  const r = new Reader(bytes);
  return {
    ratchetDhPublic: r.take(KEY),
    ratchetKemPublic: r.take(MLKEM768_PUBLIC_BYTES),
    locator: decodeLocatorBlock(r.take(LOCATOR_BLOCK_BYTES)),
  };
}

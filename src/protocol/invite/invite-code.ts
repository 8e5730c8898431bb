/**
 * Invite content and its binary form: version, a 128-bit one-time secret, an expiry (seconds since the
 * epoch) and the inviter's transport locator; creation from an Rng and a clock reading, the invite id
 * the inviter records to enforce single use, and the expiry rule. Pure; knows nothing about the text
 * form (invite-text.ts), the handshake or storage. Spec: docs/protocol/invite.md.
 *
 * Wire (v1): version(1) ‖ secret(16) ‖ expiresAtSeconds(u32 BE) ‖ locator (see locator.ts; ≤ 4 addresses)
 */
import { assertBytes, concatBytes, type Rng, utf8 } from '../../crypto/bytes.ts';
import { sha256Hash } from '../../crypto/primitives.ts';
import {
  INVITE_DEFAULT_TTL_SECONDS,
  INVITE_ID_BYTES,
  INVITE_MAX_TTL_SECONDS,
  INVITE_SECRET_BYTES,
  INVITE_VERSION,
  MAX_INVITE_ADDRS,
} from '../constants.ts';
import { InviteExpiredError, MalformedInviteError, UnsupportedInviteVersionError } from '../errors.ts';
import {
  assertLocator,
  encodedLocatorBytes,
  readLocator,
  type TransportLocator,
  writeLocator,
} from './locator.ts';

export interface Invite {
  readonly version: number;
  /** The one-time secret (16 bytes). Whoever holds it may run the join handshake once. */
  readonly secret: Uint8Array;
  /** Expiry, whole seconds since the Unix epoch (u32). The invite is refused from this second on. */
  readonly expiresAtSeconds: number;
  /** How to reach the inviter: transport PeerId, up to 4 multiaddrs, mailbox locator. */
  readonly inviter: TransportLocator;
}

const INVITE_ID_DOMAIN = utf8('pvt/invite/id/v1');
const HEADER_BYTES = 1 + INVITE_SECRET_BYTES + 4;
const MAX_U32 = 0xffffffff;

/**
 * The invite id: the first 16 bytes of SHA-256("pvt/invite/id/v1" ‖ secret). Sent in clear in the
 * JoinRequest so the inviter can find the invite; the inviter records it as consumed after a join.
 */
export function inviteId(secret: Uint8Array): Uint8Array {
  assertBytes('secret', secret, INVITE_SECRET_BYTES);
  return sha256Hash(concatBytes(INVITE_ID_DOMAIN, secret)).slice(0, INVITE_ID_BYTES);
}

export function createInvite(o: {
  inviter: TransportLocator;
  nowMs: number;
  rng: Rng;
  ttlSeconds?: number;
}): Invite {
  assertLocator('inviter', o.inviter, MAX_INVITE_ADDRS);
  if (!Number.isSafeInteger(o.nowMs) || o.nowMs < 0) {
    throw new RangeError(`"nowMs" expected a non-negative safe integer, got ${String(o.nowMs)}`);
  }
  const ttl = o.ttlSeconds ?? INVITE_DEFAULT_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > INVITE_MAX_TTL_SECONDS) {
    throw new RangeError(
      `"ttlSeconds" expected an integer in 1..${INVITE_MAX_TTL_SECONDS}, got ${String(ttl)}`,
    );
  }
  const expiresAtSeconds = Math.floor(o.nowMs / 1000) + ttl;
  if (expiresAtSeconds > MAX_U32) throw new RangeError(`"nowMs" expected a time before 2106, got ${o.nowMs}`);
  if (typeof o.rng !== 'function') throw new TypeError(`"rng" expected function, got ${typeof o.rng}`);
  const secret = o.rng(INVITE_SECRET_BYTES);
  assertBytes('rng output', secret, INVITE_SECRET_BYTES);
  return { version: INVITE_VERSION, secret, expiresAtSeconds, inviter: o.inviter };
}

export function isInviteExpired(invite: Pick<Invite, 'expiresAtSeconds'>, nowMs: number): boolean {
  return nowMs >= invite.expiresAtSeconds * 1000;
}

/** Throws InviteExpired when `nowMs` is at or after the invite's expiry. */
export function assertInviteNotExpired(invite: Pick<Invite, 'expiresAtSeconds'>, nowMs: number): void {
  if (!Number.isFinite(nowMs)) throw new RangeError(`"nowMs" expected a finite number, got ${nowMs}`);
  if (isInviteExpired(invite, nowMs)) throw new InviteExpiredError(invite.expiresAtSeconds);
}

function assertInvite(invite: Invite): void {
  if (invite.version !== INVITE_VERSION) {
    throw new RangeError(`"invite.version" expected ${INVITE_VERSION}, got ${String(invite.version)}`);
  }
  assertBytes('invite.secret', invite.secret, INVITE_SECRET_BYTES);
  if (
    !Number.isInteger(invite.expiresAtSeconds) ||
    invite.expiresAtSeconds < 0 ||
    invite.expiresAtSeconds > MAX_U32
  ) {
    throw new RangeError(`"invite.expiresAtSeconds" expected u32, got ${String(invite.expiresAtSeconds)}`);
  }
  assertLocator('invite.inviter', invite.inviter, MAX_INVITE_ADDRS);
}

export function encodeInviteBytes(invite: Invite): Uint8Array {
  assertInvite(invite);
  const out = new Uint8Array(HEADER_BYTES + encodedLocatorBytes(invite.inviter));
  out[0] = INVITE_VERSION;
  out.set(invite.secret, 1);
  new DataView(out.buffer).setUint32(1 + INVITE_SECRET_BYTES, invite.expiresAtSeconds, false);
  writeLocator(out, HEADER_BYTES, invite.inviter);
  return out;
}

/**
 * Inverse of `encodeInviteBytes`. Any other input → UnsupportedInviteVersion or MalformedInvite; with
 * `nowMs`, an expired invite → InviteExpired (checked last, after the structure).
 */
export function decodeInviteBytes(bytes: Uint8Array, options: { nowMs?: number } = {}): Invite {
  assertBytes('bytes', bytes);
  if (bytes.length === 0) throw new MalformedInviteError('empty');
  if (bytes[0] !== INVITE_VERSION) throw new UnsupportedInviteVersionError(bytes[0] as number);
  if (bytes.length < HEADER_BYTES) throw new MalformedInviteError('truncated header');
  const secret = bytes.slice(1, 1 + INVITE_SECRET_BYTES);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expiresAtSeconds = view.getUint32(1 + INVITE_SECRET_BYTES, false);
  const read = readLocator(bytes, HEADER_BYTES, MAX_INVITE_ADDRS);
  if (!read.ok) throw new MalformedInviteError(read.detail);
  if (read.end !== bytes.length) throw new MalformedInviteError('trailing bytes');
  const invite: Invite = { version: INVITE_VERSION, secret, expiresAtSeconds, inviter: read.locator };
  if (options.nowMs !== undefined) assertInviteNotExpired(invite, options.nowMs);
  return invite;
}

/**
 * Long-term identity: an Ed25519 signing key and an X25519 DH key (generated separately, never
 * converted), a separate Ed25519 libp2p transport key, a display name and a creation time; the private
 * serialization stored (sealed) by the store, the signed public bundle a contact may be given, the short
 * fingerprint shown to people, and the display-name rule every peer-supplied name must pass.
 * Pure: randomness and time are parameters. Knows nothing about invites, handshakes, storage or libp2p
 * (the transport key is only a seed here). Spec: docs/protocol/identity.md.
 */
import { assertBytes, concatBytes, equalBytes, type Rng, u64be, utf8 } from '../crypto/bytes.ts';
import {
  ed25519Keygen,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  sha256Hash,
  x25519Keygen,
  x25519PublicKey,
} from '../crypto/primitives.ts';
import { nameProblem } from '../text/names.ts';
import {
  IDENTITY_FINGERPRINT_CHARS,
  IDENTITY_KEY_BYTES,
  IDENTITY_VERSION,
  MAX_DISPLAY_NAME_BYTES,
} from './constants.ts';
import { MalformedIdentityError, UnsupportedIdentityVersionError } from './errors.ts';

export { IDENTITY_VERSION, MAX_DISPLAY_NAME_BYTES } from './constants.ts';

const PUBLIC_BUNDLE_DOMAIN = utf8('pvt/identity/bundle/v1');
const FINGERPRINT_DOMAIN = utf8('pvt/fingerprint/v1');
/** Fixed part of the private serialization: version, three 32-byte secrets, createdAt, name length. */
const PRIVATE_FIXED_BYTES = 1 + 3 * IDENTITY_KEY_BYTES + 8 + 2;
/** version(1) ‖ signPublic(32) ‖ dhPublic(32) ‖ signature(64). */
export const PUBLIC_BUNDLE_BYTES = 1 + 2 * IDENTITY_KEY_BYTES + 64;

export interface Identity {
  readonly version: number;
  readonly signSecret: Uint8Array;
  readonly signPublic: Uint8Array;
  readonly dhSecret: Uint8Array;
  readonly dhPublic: Uint8Array;
  /** Ed25519 seed of the libp2p transport key (its PeerId is not the identity). */
  readonly transportSeed: Uint8Array;
  readonly displayName: string;
  /** Creation time, milliseconds since the Unix epoch. */
  readonly createdAt: number;
}

/** What a contact knows of an identity: its two public keys. */
export interface PublicIdentity {
  readonly signPublic: Uint8Array;
  readonly dhPublic: Uint8Array;
}

/**
 * Why `name` may not be a display name received from or sent to a peer, or undefined when it may:
 * 1..MAX_DISPLAY_NAME_BYTES UTF-8 bytes and at most MAX_NAME_CHARS (64) characters, nothing invisible,
 * no control or bidirectional characters (src/text/names.ts).
 */
export function displayNameProblem(name: string): string | undefined {
  const bytes = utf8(name).length;
  if (bytes === 0) return 'it is empty';
  if (bytes > MAX_DISPLAY_NAME_BYTES) return `longer than ${MAX_DISPLAY_NAME_BYTES} UTF-8 bytes`;
  return nameProblem(name);
}

/** Throws TypeError/RangeError naming `name` unless `id` has 32-byte keys and a name peers will accept. */
export function assertIdentity(name: string, id: Identity): void {
  if (typeof id !== 'object' || id === null) {
    throw new TypeError(`"${name}" expected an Identity, got ${id === null ? 'null' : typeof id}`);
  }
  assertBytes(`${name}.signSecret`, id.signSecret, IDENTITY_KEY_BYTES);
  assertBytes(`${name}.signPublic`, id.signPublic, IDENTITY_KEY_BYTES);
  assertBytes(`${name}.dhSecret`, id.dhSecret, IDENTITY_KEY_BYTES);
  assertBytes(`${name}.dhPublic`, id.dhPublic, IDENTITY_KEY_BYTES);
  if (typeof id.displayName !== 'string') {
    throw new TypeError(`"${name}.displayName" expected string, got ${typeof id.displayName}`);
  }
  const problem = displayNameProblem(id.displayName);
  if (problem !== undefined) {
    throw new RangeError(`"${name}.displayName" expected a name peers accept, got one where ${problem}`);
  }
}

function assertTimeMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`"${name}" expected a non-negative safe integer (ms), got ${String(value)}`);
  }
}

export function generateIdentity(o: { displayName: string; nowMs: number; rng: Rng }): Identity {
  if (typeof o.displayName !== 'string') {
    throw new TypeError(`"displayName" expected string, got ${typeof o.displayName}`);
  }
  const problem = displayNameProblem(o.displayName);
  if (problem !== undefined)
    throw new RangeError(`"displayName" expected a valid name, got one where ${problem}`);
  assertTimeMs('nowMs', o.nowMs);
  if (typeof o.rng !== 'function') throw new TypeError(`"rng" expected function, got ${typeof o.rng}`);
  const sign = ed25519Keygen(o.rng);
  const dh = x25519Keygen(o.rng);
  const transportSeed = o.rng(IDENTITY_KEY_BYTES);
  assertBytes('rng output', transportSeed, IDENTITY_KEY_BYTES);
  return {
    version: IDENTITY_VERSION,
    signSecret: sign.secretKey,
    signPublic: sign.publicKey,
    dhSecret: dh.secretKey,
    dhPublic: dh.publicKey,
    transportSeed,
    displayName: o.displayName,
    createdAt: o.nowMs,
  };
}

/**
 * The private serialization (sealed by the store, never sent):
 * version(1) ‖ signSecret(32) ‖ dhSecret(32) ‖ transportSeed(32) ‖ createdAt(u64 BE, ms) ‖ nameLen(u16 BE) ‖ name.
 */
export function encodeIdentity(id: Identity): Uint8Array {
  assertBytes('signSecret', id.signSecret, IDENTITY_KEY_BYTES);
  assertBytes('dhSecret', id.dhSecret, IDENTITY_KEY_BYTES);
  assertBytes('transportSeed', id.transportSeed, IDENTITY_KEY_BYTES);
  assertTimeMs('createdAt', id.createdAt);
  const name = utf8(id.displayName);
  if (name.length > MAX_DISPLAY_NAME_BYTES) {
    throw new RangeError(
      `"displayName" expected at most ${MAX_DISPLAY_NAME_BYTES} bytes, got ${name.length}`,
    );
  }
  const out = new Uint8Array(PRIVATE_FIXED_BYTES + name.length);
  out[0] = IDENTITY_VERSION;
  out.set(id.signSecret, 1);
  out.set(id.dhSecret, 33);
  out.set(id.transportSeed, 65);
  out.set(u64be(id.createdAt), 97);
  out[105] = name.length >>> 8;
  out[106] = name.length & 0xff;
  out.set(name, PRIVATE_FIXED_BYTES);
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Inverse of `encodeIdentity`; any other input → MalformedIdentity or UnsupportedIdentityVersion. */
export function decodeIdentity(bytes: Uint8Array): Identity {
  assertBytes('bytes', bytes);
  if (bytes.length < 1) throw new MalformedIdentityError('empty');
  if (bytes[0] !== IDENTITY_VERSION) throw new UnsupportedIdentityVersionError(bytes[0] as number);
  if (bytes.length < PRIVATE_FIXED_BYTES) throw new MalformedIdentityError('truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const createdAt = view.getBigUint64(97, false);
  if (createdAt > BigInt(Number.MAX_SAFE_INTEGER))
    throw new MalformedIdentityError('creation time out of range');
  const nameLen = view.getUint16(105, false);
  if (nameLen > MAX_DISPLAY_NAME_BYTES) throw new MalformedIdentityError('display name too long');
  if (bytes.length !== PRIVATE_FIXED_BYTES + nameLen) throw new MalformedIdentityError('bad length');
  let displayName: string;
  try {
    displayName = strictUtf8.decode(bytes.subarray(PRIVATE_FIXED_BYTES));
  } catch {
    throw new MalformedIdentityError('display name is not UTF-8');
  }
  const signSecret = bytes.slice(1, 33);
  const dhSecret = bytes.slice(33, 65);
  return {
    version: IDENTITY_VERSION,
    signSecret,
    signPublic: ed25519PublicKey(signSecret),
    dhSecret,
    dhPublic: x25519PublicKey(dhSecret),
    transportSeed: bytes.slice(65, 97),
    displayName,
    createdAt: Number(createdAt),
  };
}

export function publicIdentity(id: PublicIdentity): PublicIdentity {
  return { signPublic: id.signPublic, dhPublic: id.dhPublic };
}

function bundleMessage(signPublic: Uint8Array, dhPublic: Uint8Array): Uint8Array {
  return concatBytes(PUBLIC_BUNDLE_DOMAIN, Uint8Array.of(IDENTITY_VERSION), signPublic, dhPublic);
}

/**
 * The signed public bundle: version(1) ‖ signPublic(32) ‖ dhPublic(32) ‖ signature(64), the signature
 * by signPublic over "pvt/identity/bundle/v1" ‖ version ‖ signPublic ‖ dhPublic (binds the DH key).
 */
export function encodePublicBundle(id: Identity): Uint8Array {
  const signature = ed25519Sign(id.signSecret, bundleMessage(id.signPublic, id.dhPublic));
  return concatBytes(Uint8Array.of(IDENTITY_VERSION), id.signPublic, id.dhPublic, signature);
}

/** Inverse of `encodePublicBundle`, verifying the binding signature. */
export function decodePublicBundle(bytes: Uint8Array): PublicIdentity {
  assertBytes('bytes', bytes);
  if (bytes.length < 1) throw new MalformedIdentityError('empty bundle');
  if (bytes[0] !== IDENTITY_VERSION) throw new UnsupportedIdentityVersionError(bytes[0] as number);
  if (bytes.length !== PUBLIC_BUNDLE_BYTES) {
    throw new MalformedIdentityError(`bundle must be ${PUBLIC_BUNDLE_BYTES} bytes, got ${bytes.length}`);
  }
  const signPublic = bytes.slice(1, 33);
  const dhPublic = bytes.slice(33, 65);
  if (!ed25519Verify(signPublic, bundleMessage(signPublic, dhPublic), bytes.subarray(65))) {
    throw new MalformedIdentityError('bundle signature invalid');
  }
  return { signPublic, dhPublic };
}

export function samePublicIdentity(a: PublicIdentity, b: PublicIdentity): boolean {
  return equalBytes(a.signPublic, b.signPublic) && equalBytes(a.dhPublic, b.dhPublic);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 16 RFC 4648 base32 characters of SHA-256("pvt/fingerprint/v1" ‖ signPublic ‖ dhPublic), as XXXX-XXXX-XXXX-XXXX. */
export function identityFingerprint(id: PublicIdentity): string {
  assertBytes('signPublic', id.signPublic, IDENTITY_KEY_BYTES);
  assertBytes('dhPublic', id.dhPublic, IDENTITY_KEY_BYTES);
  const digest = sha256Hash(concatBytes(FINGERPRINT_DOMAIN, id.signPublic, id.dhPublic));
  let out = '';
  // 16 characters × 5 bits = the first 80 bits (10 bytes) of the digest, most significant bit first.
  for (let i = 0; i < IDENTITY_FINGERPRINT_CHARS; i++) {
    const bit = i * 5;
    const byte = bit >>> 3;
    const word = (((digest[byte] as number) << 8) | (digest[byte + 1] as number)) >>> 0;
    out += BASE32[(word >>> (11 - (bit & 7))) & 31];
  }
  return out.match(/.{4}/g)?.join('-') ?? out;
}

/**
 * The hybrid ntor-style circuit handshake (docs/protocol/onion.md, "Handshake"): the client's CREATE
 * (ephemeral X25519 + ML-KEM-768 encapsulation to the relay's onion key), the relay's CREATED (its
 * ephemeral X25519 + an auth MAC), and the per-hop key schedule. Pure: randomness and the asymmetric
 * backend are parameters. Knows nothing about cells on links or circuits.
 */
import {
  type CryptoBackend,
  type KemPrivateKey,
  type KemPublicKey,
  kemPublicKey,
  mlkem768PublicKeyIsValid,
} from '../../crypto/backend.ts';
import { defaultCryptoBackend } from '../../crypto/backend-node.ts';
import { concatBytes, equalBytes, type Rng, utf8, wipe } from '../../crypto/bytes.ts';
import {
  hkdfSha256,
  hmacSha256,
  sha256Hash as sha256,
  x25519,
  x25519PublicKey,
} from '../../crypto/primitives.ts';
import {
  AUTH_BYTES,
  CREATE_HANDSHAKE_BYTES,
  CREATED_HANDSHAKE_BYTES,
  ED25519_PUBLIC_BYTES,
  HOP_KEY_MATERIAL_BYTES,
  LABEL_KEY_ID,
  LABEL_KEYS,
  LABEL_SALT,
  LABEL_SERVER_AUTH,
  LABEL_TRANSCRIPT,
  ONION_KEY_ID_BYTES,
  X25519_BYTES,
} from './constants.ts';
import { OnionHandshakeError } from './errors.ts';

/** A relay's onion key pair set (rotated on a schedule; only in memory). */
export interface OnionKeys {
  readonly keyId: Uint8Array;
  readonly x25519Secret: Uint8Array;
  readonly x25519Public: Uint8Array;
  readonly kemPrivate: KemPrivateKey;
  readonly kemPublic: Uint8Array;
}

/** What a client needs to know of a relay to run the handshake (from its verified descriptor). */
export interface OnionPublicKeys {
  /** The relay's Ed25519 transport public key (its PeerId). */
  readonly relayId: Uint8Array;
  readonly x25519Public: Uint8Array;
  readonly kemPublic: Uint8Array;
}

/** The per-hop keys: layer and AEAD keys for each direction. */
export interface HopKeys {
  readonly lf: Uint8Array;
  readonly lb: Uint8Array;
  readonly af: Uint8Array;
  readonly ab: Uint8Array;
}

export interface ClientHandshakeState {
  readonly relay: OnionPublicKeys;
  readonly keyId: Uint8Array;
  readonly x: Uint8Array;
  readonly X: Uint8Array;
  readonly kemCt: Uint8Array;
  readonly ss: Uint8Array;
}

export function onionKeyId(x25519Public: Uint8Array, kemPublic: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(LABEL_KEY_ID), x25519Public, kemPublic)).slice(0, ONION_KEY_ID_BYTES);
}

/** Fresh onion keys. */
export function generateOnionKeys(rng: Rng, backend: CryptoBackend = defaultCryptoBackend()): OnionKeys {
  const x25519Secret = rng(32);
  const x25519Public = x25519PublicKey(x25519Secret);
  const kem = backend.kemGenerate(rng);
  return {
    keyId: onionKeyId(x25519Public, kem.publicKey),
    x25519Secret,
    x25519Public,
    kemPrivate: kem.privateKey,
    kemPublic: kem.publicKey,
  };
}

function transcript(
  relayId: Uint8Array,
  keyId: Uint8Array,
  B: Uint8Array,
  ek: Uint8Array,
  X: Uint8Array,
  Y: Uint8Array,
  kemCt: Uint8Array,
): Uint8Array {
  return sha256(concatBytes(utf8(LABEL_TRANSCRIPT), relayId, keyId, B, sha256(ek), X, Y, kemCt));
}

function schedule(secret: Uint8Array, th: Uint8Array): { keys: HopKeys; auth: Uint8Array } {
  const okm = hkdfSha256(secret, utf8(LABEL_SALT), concatBytes(utf8(LABEL_KEYS), th), HOP_KEY_MATERIAL_BYTES);
  const kAuth = okm.slice(128, 160);
  const auth = hmacSha256(kAuth, concatBytes(utf8(LABEL_SERVER_AUTH), th));
  const keys = { lf: okm.slice(0, 32), lb: okm.slice(32, 64), af: okm.slice(64, 96), ab: okm.slice(96, 128) };
  wipe(okm, kAuth);
  return { keys, auth };
}

function dh(secret: Uint8Array, pub: Uint8Array): Uint8Array {
  try {
    return x25519(secret, pub);
  } catch {
    throw new OnionHandshakeError('low-order X25519 key');
  }
}

/** Client side, first step: the CREATE handshake bytes for `relay`, and the state to finish with. */
export function clientCreate(
  relay: OnionPublicKeys,
  rng: Rng,
  backend: CryptoBackend = defaultCryptoBackend(),
): { message: Uint8Array; state: ClientHandshakeState } {
  if (relay.relayId.length !== ED25519_PUBLIC_BYTES) throw new RangeError('"relayId" expected 32 bytes');
  if (relay.x25519Public.length !== X25519_BYTES) throw new RangeError('"x25519Public" expected 32 bytes');
  if (!mlkem768PublicKeyIsValid(relay.kemPublic)) throw new OnionHandshakeError('invalid ML-KEM key');
  const keyId = onionKeyId(relay.x25519Public, relay.kemPublic);
  const x = rng(32);
  const X = x25519PublicKey(x);
  const pk: KemPublicKey = kemPublicKey(relay.kemPublic.slice());
  const { cipherText, sharedSecret } = backend.kemEncapsulate(pk, rng);
  return {
    message: concatBytes(keyId, X, cipherText),
    state: { relay, keyId, x, X, kemCt: cipherText, ss: sharedSecret },
  };
}

/**
 * Relay side: answers a CREATE handshake with `Y ‖ auth` and derives the hop keys. `keysFor` returns
 * the onion keys with that id (current or, during the grace period, previous). OnionHandshakeError for
 * an unknown key id or a low-order X.
 */
export function relayRespond(
  relayId: Uint8Array,
  keysFor: (keyId: Uint8Array) => OnionKeys | undefined,
  message: Uint8Array,
  rng: Rng,
  backend: CryptoBackend = defaultCryptoBackend(),
): { reply: Uint8Array; keys: HopKeys } {
  if (message.length !== CREATE_HANDSHAKE_BYTES) throw new OnionHandshakeError('CREATE has the wrong length');
  const keyId = message.subarray(0, ONION_KEY_ID_BYTES);
  const X = message.slice(ONION_KEY_ID_BYTES, ONION_KEY_ID_BYTES + X25519_BYTES);
  const kemCt = message.slice(ONION_KEY_ID_BYTES + X25519_BYTES);
  const onion = keysFor(keyId);
  if (!onion) throw new OnionHandshakeError('unknown onion key id');
  const y = rng(32);
  const Y = x25519PublicKey(y);
  const s1 = dh(y, X);
  const s2 = dh(onion.x25519Secret, X);
  const ss = backend.kemDecapsulate(onion.kemPrivate, kemCt);
  const th = transcript(relayId, onion.keyId, onion.x25519Public, onion.kemPublic, X, Y, kemCt);
  const secret = concatBytes(s1, s2, ss);
  const { keys, auth } = schedule(secret, th);
  wipe(y, s1, s2, ss, secret);
  return { reply: concatBytes(Y, auth), keys };
}

/** Client side, last step: checks the relay's `Y ‖ auth` and derives the hop keys. */
export function clientFinish(state: ClientHandshakeState, reply: Uint8Array): HopKeys {
  if (reply.length !== CREATED_HANDSHAKE_BYTES) throw new OnionHandshakeError('CREATED has the wrong length');
  const Y = reply.slice(0, X25519_BYTES);
  const auth = reply.subarray(X25519_BYTES, X25519_BYTES + AUTH_BYTES);
  const s1 = dh(state.x, Y);
  const s2 = dh(state.x, state.relay.x25519Public);
  const th = transcript(
    state.relay.relayId,
    state.keyId,
    state.relay.x25519Public,
    state.relay.kemPublic,
    state.X,
    Y,
    state.kemCt,
  );
  const secret = concatBytes(s1, s2, state.ss);
  const { keys, auth: expected } = schedule(secret, th);
  wipe(s1, s2, secret);
  if (!equalBytes(auth, expected)) throw new OnionHandshakeError('relay authentication failed');
  wipe(state.x, state.ss);
  return keys;
}

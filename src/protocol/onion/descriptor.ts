/**
 * Relay descriptors (docs/protocol/onion.md, "Descriptors"): the signed statement of a relay's transport
 * key, onion keys, addresses, flags, services and validity. Strict decoder, Ed25519 signature by the
 * transport key, validity checked against a clock passed in. Pure; addresses are opaque multiaddr bytes
 * here (the net layer parses them).
 */
import { mlkem768PublicKeyIsValid } from '../../crypto/backend.ts';
import { concatBytes, utf8 } from '../../crypto/bytes.ts';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../crypto/primitives.ts';
import {
  DESCRIPTOR_CLOCK_SKEW_MS,
  DESCRIPTOR_FLAGS_KNOWN,
  DESCRIPTOR_MAX_ADDR_BYTES,
  DESCRIPTOR_MAX_ADDRS,
  DESCRIPTOR_MAX_BYTES,
  DESCRIPTOR_MAX_SERVICES,
  DESCRIPTOR_MAX_VALIDITY_MS,
  DESCRIPTOR_VERSION,
  ED25519_PUBLIC_BYTES,
  ED25519_SIGNATURE_BYTES,
  LABEL_DESCRIPTOR,
  MLKEM768_PUBLIC_BYTES,
  SERVICE_NAME_PATTERN,
  X25519_BYTES,
} from './constants.ts';
import { OnionDescriptorError } from './errors.ts';
import { onionKeyId } from './handshake.ts';

export interface DescriptorContent {
  /** Ed25519 transport public key (what the PeerId encodes). */
  readonly transportKey: Uint8Array;
  readonly x25519Public: Uint8Array;
  readonly kemPublic: Uint8Array;
  readonly publishedMs: number;
  readonly validUntilMs: number;
  readonly relayingSinceMs: number;
  readonly bandwidthKiBps: number;
  readonly flags: number;
  readonly addrs: readonly Uint8Array[];
  readonly services: readonly string[];
}

export interface Descriptor extends DescriptorContent {
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
  /** The whole encoded descriptor. */
  readonly bytes: Uint8Array;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

function encodeContent(c: DescriptorContent): Uint8Array {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`descriptor: ${what}`);
  };
  check(c.transportKey.length === ED25519_PUBLIC_BYTES, '"transportKey" expected 32 bytes');
  check(c.x25519Public.length === X25519_BYTES, '"x25519Public" expected 32 bytes');
  check(c.kemPublic.length === MLKEM768_PUBLIC_BYTES, '"kemPublic" expected 1184 bytes');
  for (const t of [c.publishedMs, c.validUntilMs, c.relayingSinceMs]) {
    check(Number.isSafeInteger(t) && t >= 0, 'times expected non-negative integers');
  }
  check(c.validUntilMs > c.publishedMs, '"validUntilMs" expected after "publishedMs"');
  check(c.validUntilMs - c.publishedMs <= DESCRIPTOR_MAX_VALIDITY_MS, 'validity too long');
  check(
    Number.isInteger(c.bandwidthKiBps) && c.bandwidthKiBps >= 0 && c.bandwidthKiBps <= 0xffffffff,
    'bandwidth',
  );
  check((c.flags & ~DESCRIPTOR_FLAGS_KNOWN) === 0, 'unknown flags');
  check(c.addrs.length <= DESCRIPTOR_MAX_ADDRS, 'too many addresses');
  check(c.services.length <= DESCRIPTOR_MAX_SERVICES, 'too many services');
  const parts: Uint8Array[] = [
    Uint8Array.of(DESCRIPTOR_VERSION),
    c.transportKey,
    c.x25519Public,
    c.kemPublic,
    u64(c.publishedMs),
    u64(c.validUntilMs),
    u64(c.relayingSinceMs),
  ];
  const bw = new Uint8Array(4);
  new DataView(bw.buffer).setUint32(0, c.bandwidthKiBps);
  parts.push(bw, Uint8Array.of(c.flags, c.addrs.length));
  for (const a of c.addrs) {
    check(a.length >= 1 && a.length <= DESCRIPTOR_MAX_ADDR_BYTES, 'address length');
    parts.push(Uint8Array.of(a.length >> 8, a.length & 0xff), a);
  }
  parts.push(Uint8Array.of(c.services.length));
  for (const s of c.services) {
    check(SERVICE_NAME_PATTERN.test(s), 'service name');
    parts.push(Uint8Array.of(s.length), utf8(s));
  }
  return concatBytes(...parts);
}

function signed(content: Uint8Array): Uint8Array {
  return concatBytes(utf8(LABEL_DESCRIPTOR), content);
}

/** Encodes and signs a descriptor with the transport key's 32-byte Ed25519 seed. */
export function signDescriptor(content: DescriptorContent, transportSeed: Uint8Array): Uint8Array {
  const pub = ed25519PublicKey(transportSeed);
  if (pub.length !== content.transportKey.length || pub.some((b, i) => b !== content.transportKey[i])) {
    throw new RangeError('"transportSeed" does not match "transportKey"');
  }
  const body = encodeContent(content);
  const out = concatBytes(body, ed25519Sign(transportSeed, signed(body)));
  if (out.length > DESCRIPTOR_MAX_BYTES) throw new RangeError('descriptor too large');
  return out;
}

/**
 * Decodes a descriptor strictly and checks its signature and key; does not check the validity period
 * (see `checkDescriptorTime`). OnionDescriptorError on anything wrong.
 */
export function decodeDescriptor(bytes: Uint8Array): Descriptor {
  if (!(bytes instanceof Uint8Array)) throw new OnionDescriptorError('not bytes');
  if (bytes.length > DESCRIPTOR_MAX_BYTES) throw new OnionDescriptorError('too large');
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new OnionDescriptorError('truncated');
    const out = bytes.slice(at, at + n);
    at += n;
    return out;
  };
  const byte = () => take(1)[0] as number;
  const u64n = () => {
    const v = new DataView(take(8).buffer).getBigUint64(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new OnionDescriptorError('time out of range');
    return Number(v);
  };
  const version = byte();
  if (version !== DESCRIPTOR_VERSION) throw new OnionDescriptorError(`unsupported version ${version}`);
  const transportKey = take(ED25519_PUBLIC_BYTES);
  const x25519Public = take(X25519_BYTES);
  const kemPublic = take(MLKEM768_PUBLIC_BYTES);
  const publishedMs = u64n();
  const validUntilMs = u64n();
  const relayingSinceMs = u64n();
  const bandwidthKiBps = new DataView(take(4).buffer).getUint32(0);
  const flags = byte();
  if ((flags & ~DESCRIPTOR_FLAGS_KNOWN) !== 0) throw new OnionDescriptorError('unknown flags');
  const addrCount = byte();
  if (addrCount > DESCRIPTOR_MAX_ADDRS) throw new OnionDescriptorError('too many addresses');
  const addrs: Uint8Array[] = [];
  for (let i = 0; i < addrCount; i++) {
    const lenBytes = take(2);
    const len = ((lenBytes[0] as number) << 8) | (lenBytes[1] as number);
    if (len < 1 || len > DESCRIPTOR_MAX_ADDR_BYTES) throw new OnionDescriptorError('address length');
    addrs.push(take(len));
  }
  const serviceCount = byte();
  if (serviceCount > DESCRIPTOR_MAX_SERVICES) throw new OnionDescriptorError('too many services');
  const services: string[] = [];
  for (let i = 0; i < serviceCount; i++) {
    const len = byte();
    const raw = take(len);
    const name = String.fromCharCode(...raw);
    if (!SERVICE_NAME_PATTERN.test(name)) throw new OnionDescriptorError('bad service name');
    services.push(name);
  }
  const contentEnd = at;
  const signature = take(ED25519_SIGNATURE_BYTES);
  if (at !== bytes.length) throw new OnionDescriptorError('trailing bytes');
  if (validUntilMs <= publishedMs || validUntilMs - publishedMs > DESCRIPTOR_MAX_VALIDITY_MS) {
    throw new OnionDescriptorError('bad validity period');
  }
  if (!mlkem768PublicKeyIsValid(kemPublic)) throw new OnionDescriptorError('invalid ML-KEM key');
  if (!ed25519Verify(transportKey, signed(bytes.subarray(0, contentEnd)), signature)) {
    throw new OnionDescriptorError('signature does not verify');
  }
  return {
    transportKey,
    x25519Public,
    kemPublic,
    publishedMs,
    validUntilMs,
    relayingSinceMs,
    bandwidthKiBps,
    flags,
    addrs,
    services,
    keyId: onionKeyId(x25519Public, kemPublic),
    signature,
    bytes: bytes.slice(),
  };
}

/** OnionDescriptorError unless the descriptor is valid at `nowMs`. */
export function checkDescriptorTime(d: Descriptor, nowMs: number): void {
  if (d.publishedMs > nowMs + DESCRIPTOR_CLOCK_SKEW_MS)
    throw new OnionDescriptorError('published in the future');
  if (nowMs >= d.validUntilMs) throw new OnionDescriptorError('expired');
}

/**
 * Per-hop cell crypto (docs/protocol/onion.md, "Relay cells and layers"): length-preserving XChaCha20
 * layers keyed per hop and direction with counter nonces, and an XChaCha20-Poly1305 seal by the hop a
 * cell is for (forward) or from (backward). A hop's counters advance with every cell it processes; a
 * replayed, reordered or dropped cell therefore fails the destination's tag. Pure; the counters are the
 * only state and live in the HopState objects passed in (mutated in place, one owner each).
 */
import { xchacha20, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import {
  chachaPolyOpen,
  chachaPolySeal,
  chachaXor,
  type NativeKey,
  nodeChachaAvailable,
  zeroPrefixSubkey,
} from '../../crypto/node-chacha.ts';
import { CELL_BODY_BYTES, RELAY_PLAINTEXT_BYTES } from './constants.ts';
import { OnionCellError } from './errors.ts';
import type { HopKeys } from './handshake.ts';

/** One hop's keys and counters (cells processed forward / backward). */
export interface HopState {
  readonly keys: HopKeys;
  nf: number;
  nb: number;
  /** The keys' HChaCha20 subkeys for the fast path (node:crypto), when available. */
  readonly sub: Readonly<Record<keyof HopKeys, NativeKey>> | undefined;
}

export function hopState(keys: HopKeys): HopState {
  const sub = nodeChachaAvailable
    ? {
        lf: zeroPrefixSubkey(keys.lf),
        lb: zeroPrefixSubkey(keys.lb),
        af: zeroPrefixSubkey(keys.af),
        ab: zeroPrefixSubkey(keys.ab),
      }
    : undefined;
  return { keys, nf: 0, nb: 0, sub };
}

type KeyName = keyof HopKeys;

function xorLayer(hop: HopState, name: KeyName, counter: number, body: Uint8Array): Uint8Array {
  return hop.sub ? chachaXor(hop.sub[name], counter, body) : layer(hop.keys[name], counter, body);
}

function openTag(hop: HopState, name: KeyName, counter: number, body: Uint8Array): Uint8Array | null {
  return hop.sub ? chachaPolyOpen(hop.sub[name], counter, body) : open(hop.keys[name], counter, body);
}

function sealTag(hop: HopState, name: KeyName, counter: number, plain: Uint8Array): Uint8Array {
  return hop.sub
    ? chachaPolySeal(hop.sub[name], counter, plain)
    : xchacha20poly1305(hop.keys[name], nonce(counter)).encrypt(plain);
}

function nonce(counter: number): Uint8Array {
  const n = new Uint8Array(24);
  new DataView(n.buffer).setBigUint64(16, BigInt(counter));
  return n;
}

function layer(key: Uint8Array, counter: number, body: Uint8Array): Uint8Array {
  return xchacha20(key, nonce(counter), body);
}

function open(key: Uint8Array, counter: number, body: Uint8Array): Uint8Array | null {
  try {
    return xchacha20poly1305(key, nonce(counter)).decrypt(body);
  } catch {
    return null;
  }
}

function checkBody(body: Uint8Array): void {
  if (body.length !== CELL_BODY_BYTES) {
    throw new OnionCellError(`relay body expected ${CELL_BODY_BYTES} bytes, got ${body.length}`);
  }
}

function checkPlain(plain: Uint8Array): void {
  if (plain.length !== RELAY_PLAINTEXT_BYTES) {
    throw new RangeError(`"plaintext" expected ${RELAY_PLAINTEXT_BYTES} bytes, got ${plain.length}`);
  }
}

// ── relay side ──────────────────────────────────────────────────────────────────────────────────────

/**
 * A forward cell at a hop: removes the hop's layer; `plain` is set when the cell is for this hop (its
 * tag verified), else `body` is what goes on to the successor.
 */
export function relayForward(
  hop: HopState,
  body: Uint8Array,
): { plain: Uint8Array | null; body: Uint8Array } {
  checkBody(body);
  const n = hop.nf;
  hop.nf = n + 1;
  const stripped = xorLayer(hop, 'lf', n, body);
  return { plain: openTag(hop, 'af', n, stripped), body: stripped };
}

/** A backward cell passing a hop from its successor: adds the hop's layer. */
export function relayBackward(hop: HopState, body: Uint8Array): Uint8Array {
  checkBody(body);
  const n = hop.nb;
  hop.nb = n + 1;
  return xorLayer(hop, 'lb', n, body);
}

/** A backward cell originated by a hop (EXTENDED, CONNECTED, DATA…): sealed, then layered. */
export function relayOriginate(hop: HopState, plain: Uint8Array): Uint8Array {
  checkPlain(plain);
  const n = hop.nb;
  hop.nb = n + 1;
  return xorLayer(hop, 'lb', n, sealTag(hop, 'ab', n, plain));
}

// ── client side ─────────────────────────────────────────────────────────────────────────────────────

/** A forward cell from the client to hop `target` (0-based) of `hops`. */
export function clientSeal(hops: readonly HopState[], target: number, plain: Uint8Array): Uint8Array {
  checkPlain(plain);
  const dest = hops[target];
  if (!dest) throw new RangeError(`"target" expected 0..${hops.length - 1}, got ${target}`);
  let body: Uint8Array = sealTag(dest, 'af', dest.nf, plain);
  for (let j = target; j >= 0; j--) {
    const hop = hops[j] as HopState;
    body = xorLayer(hop, 'lf', hop.nf, body);
    hop.nf += 1;
  }
  return body;
}

/**
 * A backward cell at the client: strips layers hop by hop until one hop's tag verifies. Returns the
 * origin hop and plaintext, or null when no hop's tag verifies (the circuit is then out of step).
 */
export function clientOpen(
  hops: readonly HopState[],
  body: Uint8Array,
): { hop: number; plain: Uint8Array } | null {
  checkBody(body);
  let current: Uint8Array = body;
  for (let j = 0; j < hops.length; j++) {
    const hop = hops[j] as HopState;
    const n = hop.nb;
    hop.nb = n + 1;
    current = xorLayer(hop, 'lb', n, current);
    const plain = openTag(hop, 'ab', n, current);
    if (plain) return { hop: j, plain };
  }
  return null;
}

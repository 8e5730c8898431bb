/**
 * The handshake states a join waiting in mailboxes must survive a restart in (docs/protocol/mailbox.md,
 * "Offline join"): the joiner's JoinerAwaitingResponse and JoinerAwaitingConfirm, the inviter's
 * InviterAwaitingReveal, as bytes and back. What the owner holds anyway is not encoded and is given back
 * on decode: the profile's identity, and the inviter's InviterInvite (its stored invite, identity and
 * current locator). The bytes hold secrets (ephemeral keys, chaining key): the caller seals them at rest.
 * Layout: version 0x01 ‖ step (1) ‖ fixed fields in declaration order; variable ones as u16 BE length ‖
 * bytes. Pure; knows nothing about storage.
 */
import { concatBytes, utf8 } from '../../crypto/bytes.ts';
import { INVITE_ID_BYTES } from '../constants.ts';
import { CorruptHandshakeStateError } from '../errors.ts';
import type { Identity } from '../identity.ts';
import { SAS_WORD_LIST, type Sas } from '../sas.ts';
import type {
  HandshakePeer,
  InviterAwaitingReveal,
  InviterInvite,
  JoinerAwaitingConfirm,
  JoinerAwaitingResponse,
} from './types.ts';
import {
  decodeLocatorBlock,
  decodeNameBlock,
  encodeLocatorBlock,
  encodeNameBlock,
  LOCATOR_BLOCK_BYTES,
  NAME_BLOCK_BYTES,
} from './wire.ts';

const VERSION = 1;
const STEPS = {
  'joiner/awaiting-response': 1,
  'joiner/awaiting-confirm': 2,
  'inviter/awaiting-reveal': 3,
} as const;
type StoredStep = keyof typeof STEPS;

const KEY = 32;
const SAS_DIGITS = 6;
const SAS_WORDS = 3;

function u16(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`length ${n} does not fit u16`);
  return Uint8Array.of(n >>> 8, n & 0xff);
}

function variable(bytes: Uint8Array): Uint8Array {
  return concatBytes(u16(bytes.length), bytes);
}

function encodeSas(sas: Sas): Uint8Array {
  if (!/^\d{6}$/.test(sas.digits) || sas.words.length !== SAS_WORDS) throw new RangeError('"sas" malformed');
  const words = sas.words.map((w) => {
    const i = SAS_WORD_LIST.indexOf(w);
    if (i < 0) throw new RangeError('"sas" has a word outside the list');
    return i;
  });
  return concatBytes(utf8(sas.digits), Uint8Array.from(words));
}

function encodePeer(peer: HandshakePeer): Uint8Array {
  return concatBytes(peer.identity.signPublic, peer.identity.dhPublic, encodeNameBlock(peer.displayName));
}

function header(step: StoredStep): Uint8Array {
  return Uint8Array.of(VERSION, STEPS[step]);
}

/** Sequential reads that fail with CorruptHandshakeState, and insist on the exact length at the end. */
class Reader {
  #offset = 0;
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array, step: StoredStep) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('"bytes" expected Uint8Array');
    this.#bytes = bytes;
    const [version, got] = this.take(2);
    if (version !== VERSION) throw new CorruptHandshakeStateError(`version ${version}`);
    if (got !== STEPS[step]) throw new CorruptHandshakeStateError(`step ${got}, expected ${step}`);
  }
  take(n: number): Uint8Array {
    if (this.#offset + n > this.#bytes.length) throw new CorruptHandshakeStateError('truncated');
    const out = this.#bytes.slice(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }
  variable(): Uint8Array {
    const [hi, lo] = this.take(2);
    return this.take(((hi as number) << 8) | (lo as number));
  }
  sas(): Sas {
    const digits = new TextDecoder().decode(this.take(SAS_DIGITS));
    if (!/^\d{6}$/.test(digits)) throw new CorruptHandshakeStateError('SAS digits');
    const words = [...this.take(SAS_WORDS)].map((i) => SAS_WORD_LIST[i] as string);
    return { digits, words };
  }
  peer(): HandshakePeer {
    const signPublic = this.take(KEY);
    const dhPublic = this.take(KEY);
    try {
      return {
        identity: { signPublic, dhPublic },
        displayName: decodeNameBlock(this.take(NAME_BLOCK_BYTES)),
      };
    } catch (error) {
      if (error instanceof CorruptHandshakeStateError) throw error;
      throw new CorruptHandshakeStateError('peer name');
    }
  }
  end(): void {
    if (this.#offset !== this.#bytes.length) throw new CorruptHandshakeStateError('trailing bytes');
  }
}

function locator(r: Reader) {
  try {
    return decodeLocatorBlock(r.take(LOCATOR_BLOCK_BYTES));
  } catch (error) {
    if (error instanceof CorruptHandshakeStateError) throw error;
    throw new CorruptHandshakeStateError('locator');
  }
}

// ── joiner ─────────────────────────────────────────────────────────────────────────────────────────

/** The joiner after message 1, without its identity (the profile's, given back on decode). */
export function encodeJoinerAwaitingResponse(s: JoinerAwaitingResponse): Uint8Array {
  return concatBytes(
    header('joiner/awaiting-response'),
    s.inviteId,
    s.ephemeral.secretKey,
    s.ephemeral.publicKey,
    s.sym.ck,
    s.sym.h,
    encodeLocatorBlock(s.locator),
  );
}

export function decodeJoinerAwaitingResponse(bytes: Uint8Array, identity: Identity): JoinerAwaitingResponse {
  const r = new Reader(bytes, 'joiner/awaiting-response');
  const inviteId = r.take(INVITE_ID_BYTES);
  const ephemeral = { secretKey: r.take(KEY), publicKey: r.take(KEY) };
  const sym = { ck: r.take(KEY), h: r.take(KEY) };
  const loc = locator(r);
  r.end();
  return { step: 'joiner/awaiting-response', inviteId, identity, locator: loc, ephemeral, sym };
}

/** The joiner after message 3: what consumeInviterConfirm needs (no secret but the chaining key). */
export function encodeJoinerAwaitingConfirm(s: JoinerAwaitingConfirm): Uint8Array {
  return concatBytes(
    header('joiner/awaiting-confirm'),
    s.inviteId,
    s.sym.ck,
    s.sym.h,
    encodePeer(s.inviter),
    encodeSas(s.sas),
  );
}

export function decodeJoinerAwaitingConfirm(bytes: Uint8Array): JoinerAwaitingConfirm {
  const r = new Reader(bytes, 'joiner/awaiting-confirm');
  const inviteId = r.take(INVITE_ID_BYTES);
  const sym = { ck: r.take(KEY), h: r.take(KEY) };
  const inviter = r.peer();
  const sas = r.sas();
  r.end();
  return { step: 'joiner/awaiting-confirm', inviteId, sym, inviter, sas };
}

// ── inviter ────────────────────────────────────────────────────────────────────────────────────────

/** The inviter after message 2, without its InviterInvite (given back on decode). */
export function encodeInviterAwaitingReveal(s: InviterAwaitingReveal): Uint8Array {
  return concatBytes(
    header('inviter/awaiting-reveal'),
    s.inviteId,
    s.commitment,
    s.ephemeral.secretKey,
    s.ephemeral.publicKey,
    s.sym.ck,
    s.sym.h,
    variable(s.kem.secretKey),
    variable(s.kem.publicKey),
  );
}

export function decodeInviterAwaitingReveal(bytes: Uint8Array, invite: InviterInvite): InviterAwaitingReveal {
  const r = new Reader(bytes, 'inviter/awaiting-reveal');
  const inviteId = r.take(INVITE_ID_BYTES);
  const commitment = r.take(KEY);
  const ephemeral = { secretKey: r.take(KEY), publicKey: r.take(KEY) };
  const sym = { ck: r.take(KEY), h: r.take(KEY) };
  const kem = { secretKey: r.variable(), publicKey: r.variable() };
  r.end();
  return { step: 'inviter/awaiting-reveal', invite, inviteId, commitment, ephemeral, kem, sym };
}

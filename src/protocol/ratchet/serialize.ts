/**
 * The versioned byte format of a session state (docs/protocol/ratchet.md, "Stored state"), for the
 * encrypted store. Canonical: deserialize ∘ serialize is the identity on bytes. The strict reader rejects
 * unknown versions (UnsupportedRatchetStateVersionError) and anything truncated, oversized or
 * inconsistent (CorruptRatchetStateError). Knows the state's shape, not where it is kept.
 */
import type { CryptoBackend } from '../../crypto/backend.ts';
import { assertBytes } from '../../crypto/bytes.ts';
import {
  RATCHET_AD_BYTES,
  RATCHET_KEM_CIPHERTEXT_BYTES,
  RATCHET_KEM_PUBLIC_BYTES,
  RATCHET_KEM_SEED_BYTES,
  RATCHET_KEY_BYTES,
  RATCHET_MAX_SKIPPED_CHAINS,
  RATCHET_MAX_SKIPPED_KEYS,
  RATCHET_STATE_VERSION,
} from '../constants.ts';
import { CorruptRatchetStateError, UnsupportedRatchetStateVersionError } from '../errors.ts';
import { sameKey } from './skipped.ts';
import {
  type ChainKem,
  KEM_KIND_CIPHERTEXT,
  KEM_KIND_PUBLIC_KEY,
  type RatchetState,
  type SkippedKey,
} from './state.ts';
import { sendingChain } from './steps.ts';

const ROLE_ALICE = 1;
const ROLE_BOB = 2;
const FLAG_DH_SELF = 1 << 0;
const FLAG_DH_REMOTE = 1 << 1;
const FLAG_SEND_CHAIN = 1 << 2;
const FLAG_RECV_CHAIN = 1 << 3;
const FLAG_KEM_SELF = 1 << 4;
const FLAG_KEM_REMOTE = 1 << 5;
const KNOWN_FLAGS = 0x3f;
/** version 1, role 1, flags 1, AD 32, RK 32, NHKs 32, NHKr 32, six u32 counters. */
const FIXED_BYTES = 3 + RATCHET_AD_BYTES + 3 * RATCHET_KEY_BYTES + 6 * 4;
const SKIPPED_ENTRY_BYTES = 1 + 4 + RATCHET_KEY_BYTES;
/** Largest valid encoding: every optional section, a public-key KEM field and full skipped tables. */
export const RATCHET_MAX_STATE_BYTES =
  FIXED_BYTES +
  2 * RATCHET_KEY_BYTES +
  RATCHET_KEY_BYTES +
  2 * RATCHET_KEY_BYTES +
  1 +
  RATCHET_KEM_PUBLIC_BYTES +
  2 * RATCHET_KEY_BYTES +
  RATCHET_KEM_SEED_BYTES +
  RATCHET_KEM_PUBLIC_BYTES +
  1 +
  RATCHET_MAX_SKIPPED_CHAINS * RATCHET_KEY_BYTES +
  2 +
  RATCHET_MAX_SKIPPED_KEYS * SKIPPED_ENTRY_BYTES;

class Writer {
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  bytes(value: Uint8Array): void {
    this.parts.push(value);
    this.length += value.length;
  }
  u8(value: number): void {
    this.bytes(Uint8Array.of(value));
  }
  u16(value: number): void {
    this.bytes(Uint8Array.of(value >>> 8, value & 0xff));
  }
  u32(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`"state" counter expected u32, got ${value}`);
    }
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value, false);
    this.bytes(out);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

/** Serializes a state (exports native keys through its backend when needed). */
export function serializeState(state: RatchetState): Uint8Array {
  if (typeof state !== 'object' || state === null || !('rootKey' in state)) {
    throw new TypeError(`"state" expected RatchetState, got ${state === null ? 'null' : typeof state}`);
  }
  const { backend } = state;
  const w = new Writer();
  w.u8(RATCHET_STATE_VERSION);
  w.u8(state.role === 'alice' ? ROLE_ALICE : ROLE_BOB);
  const flags =
    (state.dhSelf ? FLAG_DH_SELF : 0) |
    (state.dhRemote ? FLAG_DH_REMOTE : 0) |
    (state.sendChain ? FLAG_SEND_CHAIN : 0) |
    (state.recvChain ? FLAG_RECV_CHAIN : 0) |
    (state.kemSelf ? FLAG_KEM_SELF : 0) |
    (state.kemRemote ? FLAG_KEM_REMOTE : 0);
  w.u8(flags);
  w.bytes(state.associatedData);
  w.bytes(state.rootKey);
  w.bytes(state.nextSendHeaderKey);
  w.bytes(state.nextRecvHeaderKey);
  w.u32(state.sendCount);
  w.u32(state.prevSendCount);
  w.u32(state.recvCount);
  w.u32(state.dhSteps);
  w.u32(state.kemSteps);
  w.u32(state.lastKemStep);
  if (state.dhSelf) {
    w.bytes(backend.dhExportSecret(state.dhSelf.privateKey));
    w.bytes(state.dhSelf.publicKey);
  }
  if (state.dhRemote) w.bytes(state.dhRemote.bytes);
  if (state.sendChain) {
    w.bytes(state.sendChain.chainKey);
    w.bytes(state.sendChain.headerKey);
    w.u8(state.sendChain.kem.kind);
    w.bytes(state.sendChain.kem.bytes);
  }
  if (state.recvChain) {
    w.bytes(state.recvChain.chainKey);
    w.bytes(state.recvChain.headerKey);
  }
  if (state.kemSelf) w.bytes(backend.kemExportSeed(state.kemSelf));
  if (state.kemRemote) w.bytes(state.kemRemote.bytes);
  const table: Uint8Array[] = [];
  const indexes: number[] = [];
  for (const entry of state.skipped) {
    let index = table.findIndex((k) => sameKey(k, entry.headerKey));
    if (index < 0) index = table.push(entry.headerKey) - 1;
    indexes.push(index);
  }
  w.u8(table.length);
  for (const key of table) w.bytes(key);
  w.u16(state.skipped.length);
  state.skipped.forEach((entry, i) => {
    w.u8(indexes[i] as number);
    w.u32(entry.n);
    w.bytes(entry.messageKey);
  });
  return w.finish();
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  private readonly input: Uint8Array;
  constructor(input: Uint8Array) {
    this.input = input;
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }
  bytes(length: number, what: string): Uint8Array {
    if (this.offset + length > this.input.length) throw new CorruptRatchetStateError(`truncated in ${what}`);
    const out = this.input.slice(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  u8(what: string): number {
    if (this.offset + 1 > this.input.length) throw new CorruptRatchetStateError(`truncated in ${what}`);
    return this.input[this.offset++] as number;
  }
  u16(what: string): number {
    if (this.offset + 2 > this.input.length) throw new CorruptRatchetStateError(`truncated in ${what}`);
    const value = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return value;
  }
  u32(what: string): number {
    if (this.offset + 4 > this.input.length) throw new CorruptRatchetStateError(`truncated in ${what}`);
    const value = this.view.getUint32(this.offset, false);
    this.offset += 4;
    return value;
  }
  end(): void {
    if (this.offset !== this.input.length) {
      throw new CorruptRatchetStateError(`${this.input.length - this.offset} trailing bytes`);
    }
  }
}

/**
 * Reads a serialized state; the backend is attached, not stored. It is chosen by the caller (the
 * launcher, once per process), never implied, so a run can be reproduced from its inputs.
 */
export function deserializeState(
  bytes: Uint8Array,
  options: { readonly backend: CryptoBackend },
): RatchetState {
  assertBytes('bytes', bytes);
  if (bytes.length === 0) throw new CorruptRatchetStateError('empty input');
  const version = bytes[0] as number;
  if (version !== RATCHET_STATE_VERSION) throw new UnsupportedRatchetStateVersionError(version);
  if (bytes.length > RATCHET_MAX_STATE_BYTES) {
    throw new CorruptRatchetStateError(
      `${bytes.length} bytes exceeds the ${RATCHET_MAX_STATE_BYTES}-byte maximum`,
    );
  }
  const backend = options?.backend;
  if (typeof backend !== 'object' || backend === null)
    throw new TypeError(`"options.backend" expected CryptoBackend, got ${typeof backend}`);
  const r = new Reader(bytes);
  r.u8('version');
  const roleByte = r.u8('role');
  if (roleByte !== ROLE_ALICE && roleByte !== ROLE_BOB)
    throw new CorruptRatchetStateError(`unknown role ${roleByte}`);
  const flags = r.u8('flags');
  if ((flags & ~KNOWN_FLAGS) !== 0)
    throw new CorruptRatchetStateError(`unknown flags 0x${flags.toString(16)}`);
  const has = (flag: number): boolean => (flags & flag) !== 0;
  if (has(FLAG_SEND_CHAIN) && !has(FLAG_DH_SELF))
    throw new CorruptRatchetStateError('sending chain without a DH key');
  if (has(FLAG_RECV_CHAIN) && !has(FLAG_DH_REMOTE)) {
    throw new CorruptRatchetStateError('receiving chain without a peer DH key');
  }
  if (has(FLAG_KEM_SELF) && has(FLAG_KEM_REMOTE)) throw new CorruptRatchetStateError('both KEM keys pending');
  const associatedData = r.bytes(RATCHET_AD_BYTES, 'associated data');
  const rootKey = r.bytes(RATCHET_KEY_BYTES, 'root key');
  const nextSendHeaderKey = r.bytes(RATCHET_KEY_BYTES, 'next sending header key');
  const nextRecvHeaderKey = r.bytes(RATCHET_KEY_BYTES, 'next receiving header key');
  const sendCount = r.u32('counters');
  const prevSendCount = r.u32('counters');
  const recvCount = r.u32('counters');
  const dhSteps = r.u32('counters');
  const kemSteps = r.u32('counters');
  const lastKemStep = r.u32('counters');
  if (kemSteps > dhSteps || lastKemStep > dhSteps || (kemSteps === 0) !== (lastKemStep === 0)) {
    throw new CorruptRatchetStateError('inconsistent step counters');
  }
  let dhSelf: RatchetState['dhSelf'];
  if (has(FLAG_DH_SELF)) {
    const secret = r.bytes(RATCHET_KEY_BYTES, 'DH secret');
    dhSelf = {
      privateKey: { secret, native: undefined },
      publicKey: r.bytes(RATCHET_KEY_BYTES, 'DH public key'),
    };
  }
  const dhRemote = has(FLAG_DH_REMOTE)
    ? { bytes: r.bytes(RATCHET_KEY_BYTES, 'peer DH key'), native: undefined }
    : undefined;
  let sendChain: RatchetState['sendChain'];
  if (has(FLAG_SEND_CHAIN)) {
    const chainKey = r.bytes(RATCHET_KEY_BYTES, 'sending chain key');
    const headerKey = r.bytes(RATCHET_KEY_BYTES, 'sending header key');
    const kind = r.u8('sending KEM kind');
    let kem: ChainKem;
    if (kind === KEM_KIND_CIPHERTEXT) {
      kem = {
        kind: KEM_KIND_CIPHERTEXT,
        bytes: r.bytes(RATCHET_KEM_CIPHERTEXT_BYTES, 'sending KEM ciphertext'),
      };
    } else if (kind === KEM_KIND_PUBLIC_KEY) {
      kem = { kind: KEM_KIND_PUBLIC_KEY, bytes: r.bytes(RATCHET_KEM_PUBLIC_BYTES, 'sending KEM key') };
    } else {
      throw new CorruptRatchetStateError(`unknown KEM kind ${kind}`);
    }
    sendChain = sendingChain(chainKey, headerKey, kem);
  }
  let recvChain: RatchetState['recvChain'];
  if (has(FLAG_RECV_CHAIN)) {
    recvChain = {
      chainKey: r.bytes(RATCHET_KEY_BYTES, 'receiving chain key'),
      headerKey: r.bytes(RATCHET_KEY_BYTES, 'receiving header key'),
    };
  }
  const kemSelf = has(FLAG_KEM_SELF)
    ? { seed: r.bytes(RATCHET_KEM_SEED_BYTES, 'KEM seed'), expanded: undefined, native: undefined }
    : undefined;
  let kemRemote: RatchetState['kemRemote'];
  if (has(FLAG_KEM_REMOTE)) {
    const ek = r.bytes(RATCHET_KEM_PUBLIC_BYTES, 'peer KEM key');
    try {
      kemRemote = backend.kemImportPublic(ek);
    } catch {
      throw new CorruptRatchetStateError('invalid peer ML-KEM-768 key');
    }
  }
  const tableLength = r.u8('skipped header keys');
  if (tableLength > RATCHET_MAX_SKIPPED_CHAINS) {
    throw new CorruptRatchetStateError(`${tableLength} skipped chains exceeds ${RATCHET_MAX_SKIPPED_CHAINS}`);
  }
  const table: Uint8Array[] = [];
  for (let i = 0; i < tableLength; i++) table.push(r.bytes(RATCHET_KEY_BYTES, 'skipped header key'));
  const count = r.u16('skipped keys');
  if (count > RATCHET_MAX_SKIPPED_KEYS) {
    throw new CorruptRatchetStateError(`${count} skipped keys exceeds ${RATCHET_MAX_SKIPPED_KEYS}`);
  }
  const skipped: SkippedKey[] = [];
  let nextNewIndex = 0;
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const index = r.u8('skipped key');
    const n = r.u32('skipped key');
    const messageKey = r.bytes(RATCHET_KEY_BYTES, 'skipped key');
    // Canonical: header keys appear in the table in order of first use.
    if (index > nextNewIndex || index >= tableLength)
      throw new CorruptRatchetStateError('bad skipped-key index');
    if (index === nextNewIndex) nextNewIndex++;
    const id = `${index}:${n}`;
    if (seen.has(id)) throw new CorruptRatchetStateError('duplicate skipped key');
    seen.add(id);
    skipped.push({ headerKey: table[index] as Uint8Array, n, messageKey });
  }
  if (nextNewIndex !== tableLength) throw new CorruptRatchetStateError('unused skipped header key');
  r.end();
  return {
    backend,
    role: roleByte === ROLE_ALICE ? 'alice' : 'bob',
    associatedData,
    rootKey,
    dhSelf,
    dhRemote,
    sendChain,
    sendCount,
    prevSendCount,
    nextSendHeaderKey,
    recvChain,
    recvCount,
    nextRecvHeaderKey,
    kemSelf,
    kemRemote,
    dhSteps,
    kemSteps,
    lastKemStep,
    skipped,
  };
}

/**
 * Requests and responses of /pvt/mailbox/1.0.0 (docs/protocol/mailbox.md, "Wire format"), one per
 * frame: version(1) ‖ kind(1) ‖ body. Decoders are strict — exact lengths for the kind, counts in range,
 * no trailing bytes — and size-capped before anything is copied; any other input is a
 * MalformedMailboxMessageError. Pure; knows nothing about streams or storage.
 */
import { assertBytes } from '../../crypto/bytes.ts';
import {
  MAILBOX_ENVELOPE_BYTES,
  MAILBOX_HASH_BYTES,
  MAILBOX_KEY_BYTES,
  MAILBOX_MAX_DELETE_HASHES,
  MAILBOX_MAX_FETCH_CAPS,
  MAILBOX_MAX_FETCH_ENVELOPES,
  MAILBOX_MAX_REQUEST_BYTES,
  MAILBOX_MAX_RESPONSE_BYTES,
  MAILBOX_POW_MAX_BITS,
  MAILBOX_POW_NONCE_BYTES,
  MAILBOX_VERSION,
} from './constants.ts';
import { MalformedMailboxMessageError } from './errors.ts';

export const REQUEST_KIND = { info: 0x01, deposit: 0x02, fetch: 0x03, delete: 0x04 } as const;
export const RESPONSE_KIND = {
  info: 0x81,
  deposited: 0x82,
  fetched: 0x83,
  deleted: 0x84,
  refused: 0xff,
} as const;

/** Why a mailbox refused a request (the byte on the wire). */
export const REFUSAL = {
  malformed: 1,
  /** Missing, weak or stale proof of work: retry with the difficulty and bucket of the refusal. */
  pow: 2,
  slotFull: 3,
  mailboxFull: 4,
  rateLimited: 5,
  busy: 6,
  unavailable: 7,
} as const;
export type RefusalReason = keyof typeof REFUSAL;
const REFUSAL_NAMES = new Map<number, RefusalReason>(
  Object.entries(REFUSAL).map(([k, v]) => [v, k as RefusalReason]),
);

export type MailboxRequest =
  | { readonly kind: 'info' }
  | {
      readonly kind: 'deposit';
      readonly token: Uint8Array;
      readonly bucket: number;
      readonly nonce: Uint8Array;
      readonly envelope: Uint8Array;
    }
  /** Envelopes of the slots of `fetchCaps`, in cap order then arrival order, after the first `skip`. */
  | { readonly kind: 'fetch'; readonly skip: number; readonly fetchCaps: readonly Uint8Array[] }
  | { readonly kind: 'delete'; readonly deleteCap: Uint8Array; readonly hashes: readonly Uint8Array[] };

export interface FetchedEnvelope {
  /** Index into the request's fetchCaps. */
  readonly cap: number;
  readonly envelope: Uint8Array;
}

export type MailboxResponse =
  | {
      readonly kind: 'info';
      readonly difficulty: number;
      readonly bucket: number;
      readonly ttlSeconds: number;
      readonly maxPerToken: number;
    }
  | { readonly kind: 'deposited'; readonly stored: boolean }
  | { readonly kind: 'fetched'; readonly remaining: number; readonly envelopes: readonly FetchedEnvelope[] }
  | { readonly kind: 'deleted'; readonly count: number }
  | {
      readonly kind: 'refused';
      readonly reason: RefusalReason;
      readonly difficulty: number;
      readonly bucket: number;
    };

function u8(n: number, name: string, max = 0xff): number {
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new RangeError(`"${name}" expected 0..${max}, got ${n}`);
  return n;
}

function checkList(name: string, list: readonly Uint8Array[], each: number, max: number): void {
  if (!Array.isArray(list) || list.length < 1 || list.length > max) {
    throw new RangeError(
      `"${name}" expected 1..${max} items, got ${Array.isArray(list) ? list.length : typeof list}`,
    );
  }
  list.forEach((b, i) => {
    assertBytes(`${name}[${i}]`, b, each);
  });
}

class Writer {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }
  u8(n: number): this {
    this.bytes[this.#at++] = n;
    return this;
  }
  u16(n: number): this {
    this.#view.setUint16(this.#at, n, false);
    this.#at += 2;
    return this;
  }
  u32(n: number): this {
    this.#view.setUint32(this.#at, n, false);
    this.#at += 4;
    return this;
  }
  put(b: Uint8Array): this {
    this.bytes.set(b, this.#at);
    this.#at += b.length;
    return this;
  }
}

export function encodeRequest(r: MailboxRequest): Uint8Array {
  switch (r.kind) {
    case 'info':
      return new Writer(2).u8(MAILBOX_VERSION).u8(REQUEST_KIND.info).bytes;
    case 'deposit':
      assertBytes('token', r.token, MAILBOX_KEY_BYTES);
      assertBytes('nonce', r.nonce, MAILBOX_POW_NONCE_BYTES);
      assertBytes('envelope', r.envelope, MAILBOX_ENVELOPE_BYTES);
      u8(r.bucket, 'bucket', 0xffff_ffff);
      return new Writer(MAILBOX_MAX_REQUEST_BYTES)
        .u8(MAILBOX_VERSION)
        .u8(REQUEST_KIND.deposit)
        .put(r.token)
        .u32(r.bucket)
        .put(r.nonce)
        .put(r.envelope).bytes;
    case 'fetch': {
      checkList('fetchCaps', r.fetchCaps, MAILBOX_KEY_BYTES, MAILBOX_MAX_FETCH_CAPS);
      u8(r.skip, 'skip', 0xffff_ffff);
      const w = new Writer(2 + 4 + 1 + r.fetchCaps.length * MAILBOX_KEY_BYTES)
        .u8(MAILBOX_VERSION)
        .u8(REQUEST_KIND.fetch)
        .u32(r.skip)
        .u8(r.fetchCaps.length);
      for (const c of r.fetchCaps) w.put(c);
      return w.bytes;
    }
    case 'delete': {
      assertBytes('deleteCap', r.deleteCap, MAILBOX_KEY_BYTES);
      checkList('hashes', r.hashes, MAILBOX_HASH_BYTES, MAILBOX_MAX_DELETE_HASHES);
      const w = new Writer(2 + MAILBOX_KEY_BYTES + 1 + r.hashes.length * MAILBOX_HASH_BYTES)
        .u8(MAILBOX_VERSION)
        .u8(REQUEST_KIND.delete)
        .put(r.deleteCap)
        .u8(r.hashes.length);
      for (const h of r.hashes) w.put(h);
      return w.bytes;
    }
    default:
      throw new TypeError(`"request.kind" expected info | deposit | fetch | delete`);
  }
}

export function encodeResponse(r: MailboxResponse): Uint8Array {
  switch (r.kind) {
    case 'info':
      return new Writer(2 + 1 + 4 + 4 + 2)
        .u8(MAILBOX_VERSION)
        .u8(RESPONSE_KIND.info)
        .u8(u8(r.difficulty, 'difficulty', MAILBOX_POW_MAX_BITS))
        .u32(u8(r.bucket, 'bucket', 0xffff_ffff))
        .u32(u8(r.ttlSeconds, 'ttlSeconds', 0xffff_ffff))
        .u16(u8(r.maxPerToken, 'maxPerToken', 0xffff)).bytes;
    case 'deposited':
      return new Writer(3)
        .u8(MAILBOX_VERSION)
        .u8(RESPONSE_KIND.deposited)
        .u8(r.stored ? 1 : 0).bytes;
    case 'fetched': {
      if (r.envelopes.length > MAILBOX_MAX_FETCH_ENVELOPES) {
        throw new RangeError(
          `"envelopes" expected at most ${MAILBOX_MAX_FETCH_ENVELOPES}, got ${r.envelopes.length}`,
        );
      }
      const w = new Writer(2 + 4 + 1 + r.envelopes.length * (1 + MAILBOX_ENVELOPE_BYTES))
        .u8(MAILBOX_VERSION)
        .u8(RESPONSE_KIND.fetched)
        .u32(u8(r.remaining, 'remaining', 0xffff_ffff))
        .u8(r.envelopes.length);
      for (const e of r.envelopes) {
        assertBytes('envelope', e.envelope, MAILBOX_ENVELOPE_BYTES);
        w.u8(u8(e.cap, 'cap', MAILBOX_MAX_FETCH_CAPS - 1)).put(e.envelope);
      }
      return w.bytes;
    }
    case 'deleted':
      return new Writer(4)
        .u8(MAILBOX_VERSION)
        .u8(RESPONSE_KIND.deleted)
        .u16(u8(r.count, 'count', 0xffff)).bytes;
    case 'refused': {
      const reason = REFUSAL[r.reason];
      if (reason === undefined)
        throw new TypeError(`"reason" expected a refusal reason, got ${String(r.reason)}`);
      return new Writer(2 + 1 + 1 + 4)
        .u8(MAILBOX_VERSION)
        .u8(RESPONSE_KIND.refused)
        .u8(reason)
        .u8(u8(r.difficulty, 'difficulty', MAILBOX_POW_MAX_BITS))
        .u32(u8(r.bucket, 'bucket', 0xffff_ffff)).bytes;
    }
    default:
      throw new TypeError('"response.kind" expected info | deposited | fetched | deleted | refused');
  }
}

function header(bytes: Uint8Array, cap: number, what: string): { kind: number; view: DataView } {
  assertBytes(what, bytes);
  if (bytes.length > cap)
    throw new MalformedMailboxMessageError(`${what} of ${bytes.length} bytes, the limit is ${cap}`);
  if (bytes.length < 2)
    throw new MalformedMailboxMessageError(`${what} expected at least 2 bytes, got ${bytes.length}`);
  if (bytes[0] !== MAILBOX_VERSION) {
    throw new MalformedMailboxMessageError(`${what} version expected ${MAILBOX_VERSION}, got ${bytes[0]}`);
  }
  return { kind: bytes[1] as number, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function exact(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new MalformedMailboxMessageError(`${what} expected ${length} bytes, got ${bytes.length}`);
  }
}

function slices(bytes: Uint8Array, at: number, count: number, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(bytes.slice(at + i * size, at + (i + 1) * size));
  return out;
}

export function decodeRequest(bytes: Uint8Array): MailboxRequest {
  const { kind, view } = header(bytes, MAILBOX_MAX_REQUEST_BYTES, 'request');
  switch (kind) {
    case REQUEST_KIND.info:
      exact(bytes, 2, 'info request');
      return { kind: 'info' };
    case REQUEST_KIND.deposit:
      exact(bytes, MAILBOX_MAX_REQUEST_BYTES, 'deposit request');
      return {
        kind: 'deposit',
        token: bytes.slice(2, 34),
        bucket: view.getUint32(34, false),
        nonce: bytes.slice(38, 46),
        envelope: bytes.slice(46),
      };
    case REQUEST_KIND.fetch: {
      if (bytes.length < 7) throw new MalformedMailboxMessageError('fetch request truncated');
      const skip = view.getUint32(2, false);
      const count = bytes[6] as number;
      if (count < 1 || count > MAILBOX_MAX_FETCH_CAPS) {
        throw new MalformedMailboxMessageError(`fetch request with ${count} capabilities`);
      }
      exact(bytes, 7 + count * MAILBOX_KEY_BYTES, 'fetch request');
      return { kind: 'fetch', skip, fetchCaps: slices(bytes, 7, count, MAILBOX_KEY_BYTES) };
    }
    case REQUEST_KIND.delete: {
      if (bytes.length < 35) throw new MalformedMailboxMessageError('delete request truncated');
      const count = bytes[34] as number;
      if (count < 1 || count > MAILBOX_MAX_DELETE_HASHES) {
        throw new MalformedMailboxMessageError(`delete request with ${count} hashes`);
      }
      exact(bytes, 35 + count * MAILBOX_HASH_BYTES, 'delete request');
      return {
        kind: 'delete',
        deleteCap: bytes.slice(2, 34),
        hashes: slices(bytes, 35, count, MAILBOX_HASH_BYTES),
      };
    }
    default:
      throw new MalformedMailboxMessageError(`unknown request kind ${kind}`);
  }
}

export function decodeResponse(bytes: Uint8Array): MailboxResponse {
  const { kind, view } = header(bytes, MAILBOX_MAX_RESPONSE_BYTES, 'response');
  switch (kind) {
    case RESPONSE_KIND.info: {
      exact(bytes, 13, 'info response');
      const difficulty = bytes[2] as number;
      if (difficulty > MAILBOX_POW_MAX_BITS)
        throw new MalformedMailboxMessageError(`difficulty ${difficulty}`);
      return {
        kind: 'info',
        difficulty,
        bucket: view.getUint32(3, false),
        ttlSeconds: view.getUint32(7, false),
        maxPerToken: view.getUint16(11, false),
      };
    }
    case RESPONSE_KIND.deposited:
      exact(bytes, 3, 'deposited response');
      if ((bytes[2] as number) > 1) throw new MalformedMailboxMessageError(`stored flag ${bytes[2]}`);
      return { kind: 'deposited', stored: bytes[2] === 1 };
    case RESPONSE_KIND.fetched: {
      if (bytes.length < 7) throw new MalformedMailboxMessageError('fetched response truncated');
      const remaining = view.getUint32(2, false);
      const count = bytes[6] as number;
      if (count > MAILBOX_MAX_FETCH_ENVELOPES) throw new MalformedMailboxMessageError(`${count} envelopes`);
      exact(bytes, 7 + count * (1 + MAILBOX_ENVELOPE_BYTES), 'fetched response');
      const envelopes: FetchedEnvelope[] = [];
      for (let i = 0; i < count; i++) {
        const at = 7 + i * (1 + MAILBOX_ENVELOPE_BYTES);
        const cap = bytes[at] as number;
        if (cap >= MAILBOX_MAX_FETCH_CAPS) throw new MalformedMailboxMessageError(`capability index ${cap}`);
        envelopes.push({ cap, envelope: bytes.slice(at + 1, at + 1 + MAILBOX_ENVELOPE_BYTES) });
      }
      return { kind: 'fetched', remaining, envelopes };
    }
    case RESPONSE_KIND.deleted:
      exact(bytes, 4, 'deleted response');
      return { kind: 'deleted', count: view.getUint16(2, false) };
    case RESPONSE_KIND.refused: {
      exact(bytes, 8, 'refusal');
      const reason = REFUSAL_NAMES.get(bytes[2] as number);
      if (reason === undefined) throw new MalformedMailboxMessageError(`unknown refusal reason ${bytes[2]}`);
      const difficulty = bytes[3] as number;
      if (difficulty > MAILBOX_POW_MAX_BITS)
        throw new MalformedMailboxMessageError(`difficulty ${difficulty}`);
      return { kind: 'refused', reason, difficulty, bucket: view.getUint32(4, false) };
    }
    default:
      throw new MalformedMailboxMessageError(`unknown response kind ${kind}`);
  }
}

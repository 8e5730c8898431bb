/**
 * Link cells and relay-cell plaintexts (docs/protocol/onion.md, "Cells", "Relay cells"): fixed-size
 * encoders and strict decoders (exact length, known command, zero padding). Pure; knows nothing about
 * keys or links.
 */
import {
  CELL_BODY_BYTES,
  CELL_BYTES,
  CELL_CREATE,
  CELL_CREATED,
  CELL_DESTROY,
  CELL_HEADER_BYTES,
  CELL_PADDING,
  CELL_RELAY,
  CREATE_HANDSHAKE_BYTES,
  CREATED_HANDSHAKE_BYTES,
  DESTROY_REASON_MAX,
  EXTEND_MAX_ADDRS,
  EXTEND_MAX_PEER_ID_BYTES,
  RELAY_COMMAND_MAX,
  RELAY_DATA_MAX_BYTES,
  RELAY_HEADER_BYTES,
  RELAY_PLAINTEXT_BYTES,
} from './constants.ts';
import { OnionCellError } from './errors.ts';

export interface Cell {
  readonly circId: number;
  readonly command: number;
  /** Exactly CELL_BODY_BYTES. */
  readonly body: Uint8Array;
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** A cell's wire form (CELL_BYTES). The body is padded with zeros when shorter. */
export function encodeCell(
  circId: number,
  command: number,
  body: Uint8Array = new Uint8Array(0),
): Uint8Array {
  if (!Number.isInteger(circId) || circId < 1 || circId > 0xffffffff) {
    throw new RangeError(`"circId" expected an integer in 1..2^32-1, got ${circId}`);
  }
  if (command < CELL_CREATE || command > CELL_PADDING)
    throw new RangeError(`"command" expected 1..5, got ${command}`);
  if (body.length > CELL_BODY_BYTES) {
    throw new RangeError(`"body" expected at most ${CELL_BODY_BYTES} bytes, got ${body.length}`);
  }
  const out = new Uint8Array(CELL_BYTES);
  new DataView(out.buffer).setUint32(0, circId);
  out[4] = command;
  out.set(body, CELL_HEADER_BYTES);
  return out;
}

/** Decodes a link cell strictly (the body of CREATE/CREATED/DESTROY/PADDING is checked too). */
export function decodeCell(bytes: Uint8Array): Cell {
  if (!(bytes instanceof Uint8Array)) throw new OnionCellError('not bytes');
  if (bytes.length !== CELL_BYTES)
    throw new OnionCellError(`expected ${CELL_BYTES} bytes, got ${bytes.length}`);
  const circId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  if (circId === 0) throw new OnionCellError('circuit id 0');
  const command = bytes[4] as number;
  const body = bytes.subarray(CELL_HEADER_BYTES);
  switch (command) {
    case CELL_CREATE:
      if (!allZero(body, CREATE_HANDSHAKE_BYTES)) throw new OnionCellError('CREATE padding not zero');
      break;
    case CELL_CREATED:
      if (!allZero(body, CREATED_HANDSHAKE_BYTES)) throw new OnionCellError('CREATED padding not zero');
      break;
    case CELL_DESTROY:
      if ((body[0] as number) > DESTROY_REASON_MAX) throw new OnionCellError('unknown DESTROY reason');
      if (!allZero(body, 1)) throw new OnionCellError('DESTROY padding not zero');
      break;
    case CELL_PADDING:
      if (!allZero(body, 0)) throw new OnionCellError('PADDING not zero');
      break;
    case CELL_RELAY:
      break;
    default:
      throw new OnionCellError(`unknown command ${command}`);
  }
  return { circId, command, body };
}

export interface RelayMessage {
  readonly command: number;
  readonly streamId: number;
  readonly data: Uint8Array;
}

/** A relay cell's plaintext (RELAY_PLAINTEXT_BYTES): command ‖ stream id ‖ length ‖ data ‖ zeros. */
export function encodeRelay(message: RelayMessage): Uint8Array {
  const { command, streamId, data } = message;
  if (!Number.isInteger(command) || command < 1 || command > RELAY_COMMAND_MAX) {
    throw new RangeError(`"command" expected 1..${RELAY_COMMAND_MAX}, got ${command}`);
  }
  if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xffff) {
    throw new RangeError(`"streamId" expected 0..65535, got ${streamId}`);
  }
  if (data.length > RELAY_DATA_MAX_BYTES) {
    throw new RangeError(`"data" expected at most ${RELAY_DATA_MAX_BYTES} bytes, got ${data.length}`);
  }
  const out = new Uint8Array(RELAY_PLAINTEXT_BYTES);
  const view = new DataView(out.buffer);
  out[0] = command;
  view.setUint16(1, streamId);
  view.setUint16(3, data.length);
  out.set(data, RELAY_HEADER_BYTES);
  return out;
}

export function decodeRelay(plain: Uint8Array): RelayMessage {
  if (plain.length !== RELAY_PLAINTEXT_BYTES) {
    throw new OnionCellError(`relay plaintext expected ${RELAY_PLAINTEXT_BYTES} bytes, got ${plain.length}`);
  }
  const command = plain[0] as number;
  if (command < 1 || command > RELAY_COMMAND_MAX)
    throw new OnionCellError(`unknown relay command ${command}`);
  const view = new DataView(plain.buffer, plain.byteOffset, plain.length);
  const streamId = view.getUint16(1);
  const length = view.getUint16(3);
  if (length > RELAY_DATA_MAX_BYTES) throw new OnionCellError('relay data length too large');
  if (!allZero(plain, RELAY_HEADER_BYTES + length)) throw new OnionCellError('relay padding not zero');
  return { command, streamId, data: plain.slice(RELAY_HEADER_BYTES, RELAY_HEADER_BYTES + length) };
}

export interface ExtendRequest {
  /** The next hop's PeerId in binary form. */
  readonly peerId: Uint8Array;
  /** The next hop's multiaddrs in binary form. */
  readonly addrs: readonly Uint8Array[];
  /** The CREATE handshake for the next hop (CREATE_HANDSHAKE_BYTES). */
  readonly handshake: Uint8Array;
}

/** EXTEND data: u8 len ‖ peerId ‖ u8 count ‖ (u8 len ‖ addr)* ‖ handshake. */
export function encodeExtend(request: ExtendRequest): Uint8Array {
  const { peerId, addrs, handshake } = request;
  if (peerId.length < 1 || peerId.length > EXTEND_MAX_PEER_ID_BYTES) {
    throw new RangeError(`"peerId" expected 1..${EXTEND_MAX_PEER_ID_BYTES} bytes, got ${peerId.length}`);
  }
  if (addrs.length > EXTEND_MAX_ADDRS) {
    throw new RangeError(`"addrs" expected at most ${EXTEND_MAX_ADDRS}, got ${addrs.length}`);
  }
  if (handshake.length !== CREATE_HANDSHAKE_BYTES) {
    throw new RangeError(`"handshake" expected ${CREATE_HANDSHAKE_BYTES} bytes, got ${handshake.length}`);
  }
  const parts: number[] = [peerId.length, ...peerId, addrs.length];
  for (const a of addrs) {
    if (a.length < 1 || a.length > 255) throw new RangeError(`"addr" expected 1..255 bytes, got ${a.length}`);
    parts.push(a.length, ...a);
  }
  const head = Uint8Array.from(parts);
  const out = new Uint8Array(head.length + handshake.length);
  out.set(head);
  out.set(handshake, head.length);
  if (out.length > RELAY_DATA_MAX_BYTES) throw new RangeError('"addrs" too long for one EXTEND cell');
  return out;
}

export function decodeExtend(data: Uint8Array): ExtendRequest {
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (at + n > data.length) throw new OnionCellError('EXTEND truncated');
    const out = data.slice(at, at + n);
    at += n;
    return out;
  };
  const byte = () => take(1)[0] as number;
  const peerLen = byte();
  if (peerLen < 1 || peerLen > EXTEND_MAX_PEER_ID_BYTES) throw new OnionCellError('EXTEND peer id length');
  const peerId = take(peerLen);
  const count = byte();
  if (count > EXTEND_MAX_ADDRS) throw new OnionCellError('EXTEND has too many addresses');
  const addrs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = byte();
    if (len < 1) throw new OnionCellError('EXTEND empty address');
    addrs.push(take(len));
  }
  const handshake = take(CREATE_HANDSHAKE_BYTES);
  if (at !== data.length) throw new OnionCellError('EXTEND has trailing bytes');
  return { peerId, addrs, handshake };
}

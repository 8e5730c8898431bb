/**
 * Named domain errors of the protocol layer (invites, handshake, SAS, ratchet, …), each with a stable
 * `code` for the app, the CLI and the logs. Shared file: every protocol module appends its own classes
 * below the base; no class carries key material or plaintext in its message.
 */

/** Base of every protocol domain error. `code` is stable; `message` is for people and logs. */
export class ProtocolError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code;
  }
}

// ── identity ────────────────────────────────────────────────────────────────────────────────────────

/** A serialized private identity or public bundle that cannot be decoded (length, encoding, signature). */
export class MalformedIdentityError extends ProtocolError {
  constructor(detail: string) {
    super('MalformedIdentity', `malformed identity: ${detail}`);
  }
}

/** A serialized identity with a version this build does not know. */
export class UnsupportedIdentityVersionError extends ProtocolError {
  readonly version: number;
  constructor(version: number) {
    super('UnsupportedIdentityVersion', `unsupported identity version ${version}`);
    this.version = version;
  }
}

// ── invite codes ───────────────────────────────────────────────────────────────────────────────────

/** Not a pvt invite at all, or a structurally broken one (bad prefix, bad padding, bad lengths). */
export class MalformedInviteError extends ProtocolError {
  constructor(detail: string) {
    super('MalformedInvite', `malformed invite: ${detail}`);
  }
}

/** A character that never occurs in invite codes (e.g. `b`, `i`, `o`, `1` after the prefix). */
export class InvalidInviteCharacterError extends ProtocolError {
  readonly position: number;
  constructor(character: string, position: number) {
    super(
      'InvalidInviteCharacter',
      `invalid character ${JSON.stringify(character)} at position ${position} of the invite code`,
    );
    this.position = position;
  }
}

/** The checksum does not match: the code was mistyped or damaged. */
export class InvalidInviteChecksumError extends ProtocolError {
  constructor() {
    super('InvalidInviteChecksum', 'invite code checksum mismatch (mistyped or damaged code)');
  }
}

/** Longer than any invite this version can produce. */
export class InviteTooLongError extends ProtocolError {
  constructor(length: number, max: number) {
    super('InviteTooLong', `invite code too long: ${length} characters, the limit is ${max}`);
  }
}

/** The invite's binary version byte is one this build does not know. */
export class UnsupportedInviteVersionError extends ProtocolError {
  readonly version: number;
  constructor(version: number) {
    super('UnsupportedInviteVersion', `unsupported invite version ${version} (update pvt?)`);
    this.version = version;
  }
}

/** The invite's expiry time has passed. */
export class InviteExpiredError extends ProtocolError {
  readonly expiresAtSeconds: number;
  constructor(expiresAtSeconds: number) {
    super('InviteExpired', `invite expired at ${new Date(expiresAtSeconds * 1000).toISOString()}`);
    this.expiresAtSeconds = expiresAtSeconds;
  }
}

// ── join handshake ─────────────────────────────────────────────────────────────────────────────────

/** Wrong size, unknown type byte, bad padding or bad field inside an authenticated message. */
export class MalformedHandshakeMessageError extends ProtocolError {
  constructor(detail: string) {
    super('MalformedHandshakeMessage', `malformed handshake message: ${detail}`);
  }
}

/** The message's version byte is one this build does not know. */
export class UnsupportedHandshakeVersionError extends ProtocolError {
  readonly version: number;
  constructor(version: number) {
    super('UnsupportedHandshakeVersion', `unsupported handshake version ${version}`);
    this.version = version;
  }
}

/** A well-formed message of a type this state does not expect (reordered or replayed). */
export class UnexpectedHandshakeMessageError extends ProtocolError {
  constructor(expected: string, got: string) {
    super('UnexpectedHandshakeMessage', `unexpected handshake message: expected ${expected}, got ${got}`);
  }
}

/** A join request for an invite this state does not hold (other invite, or a wrong secret). */
export class UnknownInviteError extends ProtocolError {
  constructor() {
    super('UnknownInvite', 'join request is for an unknown invite (wrong or revoked invite code)');
  }
}

/** Authentication failed: AEAD tag, signature or key confirmation (wrong secret, tampering, replay). */
export class HandshakeAuthFailedError extends ProtocolError {
  constructor(detail: string) {
    super('HandshakeAuthFailed', `handshake authentication failed: ${detail}`);
  }
}

/** Handshake message larger than the protocol maximum. */
export class HandshakeMessageTooLargeError extends ProtocolError {
  constructor(length: number, max: number) {
    super('HandshakeMessageTooLarge', `handshake message too large: ${length} bytes, the limit is ${max}`);
  }
}

// ── SAS ────────────────────────────────────────────────────────────────────────────────────────────

/** The joiner's revealed keys do not match its commitment: a man in the middle trying to grind the SAS. */
export class SasCommitMismatchError extends ProtocolError {
  constructor() {
    super(
      'SasCommitMismatch',
      'the joiner revealed keys that do not match its commitment (possible man in the middle)',
    );
  }
}

// ── PQ double ratchet ──────────────────────────────────────────────────────────────────────────────
// Every ratchet error leaves the session state untouched: encrypt/decrypt return a new state only on
// success. The receive path drops the message and logs the code; it never answers the peer.

/** Bob's side tried to send before the first message from alice arrived (it has no sending chain yet). */
export class RatchetNotReadyError extends ProtocolError {
  constructor() {
    super('RatchetNotReady', 'this session cannot send before it has received the first message');
  }
}

/** A ratchet message whose version byte this build does not know. */
export class UnsupportedRatchetVersionError extends ProtocolError {
  readonly version: number;
  constructor(version: number) {
    super('UnsupportedRatchetVersion', `unsupported ratchet message version ${version}`);
    this.version = version;
  }
}

/** Wrong size, or an authenticated header with a bad field (kind byte, padding, key, KEM schedule). */
export class MalformedRatchetMessageError extends ProtocolError {
  constructor(detail: string) {
    super('MalformedRatchetMessage', `malformed ratchet message: ${detail}`);
  }
}

/** No header key of the session opens the header: another session, a tampered header, or a forgotten chain. */
export class RatchetHeaderAuthError extends ProtocolError {
  constructor() {
    super('RatchetHeaderAuth', 'no header key of this session opens the message header');
  }
}

/** The header opened but the body failed authentication (tampered body or tag). */
export class RatchetBodyAuthError extends ProtocolError {
  constructor() {
    super('RatchetBodyAuth', 'the message body failed authentication');
  }
}

/** The message's key was already used (a duplicate or a replay). */
export class RatchetReplayError extends ProtocolError {
  readonly messageNumber: number;
  constructor(messageNumber: number) {
    super(
      'RatchetReplay',
      `message ${messageNumber} of its chain was already received (duplicate or replay)`,
    );
    this.messageNumber = messageNumber;
  }
}

/** The message asks to skip more message keys in one chain than the limit allows. */
export class RatchetSkipLimitError extends ProtocolError {
  readonly skip: number;
  readonly max: number;
  constructor(skip: number, max: number) {
    super('RatchetSkipLimit', `message would skip ${skip} message keys, the limit is ${max}`);
    this.skip = skip;
    this.max = max;
  }
}

/** A chain reached the largest message number the header can carry (2^32 − 1). */
export class RatchetCounterOverflowError extends ProtocolError {
  constructor() {
    super('RatchetCounterOverflow', 'the sending chain is exhausted (message counter overflow)');
  }
}

/** A serialized session state with a version this build does not know. */
export class UnsupportedRatchetStateVersionError extends ProtocolError {
  readonly version: number;
  constructor(version: number) {
    super('UnsupportedRatchetStateVersion', `unsupported ratchet state version ${version}`);
    this.version = version;
  }
}

/** A serialized session state that is truncated, too long or inconsistent. */
export class CorruptRatchetStateError extends ProtocolError {
  constructor(detail: string) {
    super('CorruptRatchetState', `corrupt ratchet state: ${detail}`);
  }
}

// ── message payload (the plaintext inside the ratchet) ────────────────────────────────────────────

/** A payload whose version byte this build does not know. */
export class UnsupportedPayloadVersionError extends ProtocolError {
  readonly version: number;
  constructor(version: number) {
    super('UnsupportedPayloadVersion', `unsupported payload version ${version}`);
    this.version = version;
  }
}

/** A payload type byte that is reserved or unknown to this build. */
export class UnknownPayloadTypeError extends ProtocolError {
  readonly type: number;
  /** The record's message id, so a receiver can still acknowledge a type from a newer sender. */
  readonly messageId: Uint8Array | undefined;
  constructor(type: number, messageId?: Uint8Array) {
    super('UnknownPayloadType', `unknown payload type ${type}`);
    this.type = type;
    this.messageId = messageId;
  }
}

/** Wrong size, bad length field, non-zero or non-canonical padding, or invalid UTF-8 text. */
export class MalformedPayloadError extends ProtocolError {
  constructor(detail: string) {
    super('MalformedPayload', `malformed payload: ${detail}`);
  }
}

// ── stream framing ─────────────────────────────────────────────────────────────────────────────────

/** A frame announces more bytes than the cap; rejected before any of it is buffered. */
export class FrameTooLargeError extends ProtocolError {
  readonly length: number;
  readonly max: number;
  constructor(length: number, max: number) {
    super('FrameTooLarge', `frame of ${length} bytes exceeds the ${max}-byte limit`);
    this.length = length;
    this.max = max;
  }
}

/** The stream ended in the middle of a frame. */
export class FrameTruncatedError extends ProtocolError {
  readonly bufferedBytes: number;
  constructor(bufferedBytes: number) {
    super('FrameTruncated', `stream ended inside a frame (${bufferedBytes} bytes buffered)`);
    this.bufferedBytes = bufferedBytes;
  }
}

// ── handshake state at rest (offline joins resume after a restart) ─────────────────────────────────

/** A stored handshake state that is truncated, too long, of another step or inconsistent. */
export class CorruptHandshakeStateError extends ProtocolError {
  constructor(detail: string) {
    super('CorruptHandshakeState', `corrupt handshake state: ${detail}`);
  }
}

/**
 * Named errors of NAT traversal, each with a stable `code`: malformed or hostile gateway messages,
 * protocol result codes, STUN errors, timeouts and refusals. Messages name protocols, ports and limits only.
 */

/**
 * Base of NAT errors: a stable `code` (also the name). Its own class, not net/'s NetError: net/nat/
 * imports nothing from net/ (the layer rules, scripts/import-rules.mjs).
 */
export class NatError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code;
  }
}

/** A message from a gateway that fails a strict check (size, version, opcode, nonce, field values). */
export class NatMalformedError extends NatError {
  constructor(protocol: string, detail: string) {
    super('NatMalformed', `${protocol}: malformed message: ${detail}`);
  }
}

/** A well-formed message that does not answer our request (wrong opcode, nonce, port); ignored by clients. */
export class NatMismatchError extends NatError {
  constructor(protocol: string, detail: string) {
    super('NatMismatch', `${protocol}: response does not match the request: ${detail}`);
  }
}

export const PCP_RESULTS: Readonly<Record<number, string>> = {
  0: 'Success',
  1: 'UnsuppVersion',
  2: 'NotAuthorized',
  3: 'MalformedRequest',
  4: 'UnsuppOpcode',
  5: 'UnsuppOption',
  6: 'MalformedOption',
  7: 'NetworkFailure',
  8: 'NoResources',
  9: 'UnsuppProtocol',
  10: 'UserExQuota',
  11: 'CannotProvideExternal',
  12: 'AddressMismatch',
  13: 'ExcessiveRemotePeers',
};

/** A PCP server answered with a non-zero result code; `code` is `Pcp<Name>` (e.g. PcpNotAuthorized). */
export class PcpResultError extends NatError {
  readonly result: number;
  readonly lifetimeS: number;
  constructor(result: number, lifetimeS: number) {
    const name = PCP_RESULTS[result] ?? 'UnknownResult';
    super(`Pcp${name}`, `PCP: server answered ${name} (${result})`);
    this.result = result;
    this.lifetimeS = lifetimeS;
  }
}

export const NATPMP_RESULTS: Readonly<Record<number, string>> = {
  0: 'Success',
  1: 'UnsupportedVersion',
  2: 'NotAuthorized',
  3: 'NetworkFailure',
  4: 'OutOfResources',
  5: 'UnsupportedOpcode',
};

/** A NAT-PMP server answered with a non-zero result code; `code` is `NatPmp<Name>`. */
export class NatPmpResultError extends NatError {
  readonly result: number;
  constructor(result: number) {
    const name = NATPMP_RESULTS[result] ?? 'UnknownResult';
    super(`NatPmp${name}`, `NAT-PMP: server answered ${name} (${result})`);
    this.result = result;
  }
}

/** A UPnP SOAP fault (e.g. 718 ConflictInMappingEntry, 606 Action not authorized) or a non-200 answer. */
export class UpnpSoapError extends NatError {
  readonly upnpCode: number;
  constructor(action: string, upnpCode: number, description: string) {
    super('UpnpSoapFault', `UPnP ${action}: error ${upnpCode} ${description.slice(0, 80)}`);
    this.upnpCode = upnpCode;
  }
}

/** A STUN message that fails a strict check (size, cookie, length, attribute layout, address family). */
export class StunMalformedError extends NatError {
  constructor(detail: string) {
    super('StunMalformed', `STUN: malformed message: ${detail}`);
  }
}

/** A STUN server answered a Binding request with an error response (ERROR-CODE, e.g. 400, 420, 500). */
export class StunErrorResponseError extends NatError {
  readonly stunCode: number;
  constructor(stunCode: number, reason: string) {
    super('StunErrorResponse', `STUN: server answered error ${stunCode}${reason ? ` ${reason}` : ''}`);
    this.stunCode = stunCode;
  }
}

/** A STUN server given as text that is not `host`, `host:port` or `[IPv6]:port`. */
export class BadStunServerError extends NatError {
  constructor(detail: string) {
    super('BadStunServer', `bad STUN server: ${detail} (expected HOST, HOST:PORT or [IPv6]:PORT)`);
  }
}

/** No answer within the time allowed. */
export class NatTimeoutError extends NatError {
  constructor(protocol: string, ms: number) {
    super('NatTimeout', `${protocol}: no answer within ${ms} ms`);
  }
}

/** The gateway answered ICMP port unreachable: no such service there. */
export class NatRefusedError extends NatError {
  constructor(protocol: string) {
    super('NatRefused', `${protocol}: the gateway has no such service (port unreachable)`);
  }
}

/** No default gateway could be found. */
export class NoGatewayError extends NatError {
  constructor(detail: string) {
    super('NoGateway', `no default gateway: ${detail}`);
  }
}

/** No UPnP Internet gateway device answered, or its description has no usable WAN service. */
export class UpnpNotFoundError extends NatError {
  constructor(detail: string) {
    super('UpnpNotFound', `UPnP: ${detail}`);
  }
}

/** The operation was aborted by its AbortSignal. */
export class NatAbortedError extends NatError {
  constructor() {
    super('NatAborted', 'NAT operation aborted');
  }
}

/**
 * Named errors of the network layer, each with a stable `code`. Messages name ports, limits and
 * protocols — never keys, names or message text.
 */
export class NetError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code;
  }
}

export class ListenFailedError extends NetError {
  constructor(ports: readonly number[], cause: unknown) {
    super('ListenFailed', `could not listen on any of the TCP ports ${ports.join(', ')}`, { cause });
  }
}

/** A frame whose content makes no sense on this protocol (unknown type byte, empty). */
export class BadFrameError extends NetError {
  constructor(detail: string) {
    super('BadFrame', `bad frame: ${detail}`);
  }
}

/** No address of the peer answered. */
export class PeerUnreachableError extends NetError {
  constructor(detail: string, cause?: unknown) {
    super('PeerUnreachable', `peer unreachable: ${detail}`, { cause });
  }
}

/** The peer closed or reset the stream before answering. */
export class StreamClosedError extends NetError {
  constructor(detail = 'the stream was closed by the peer') {
    super('StreamClosed', detail);
  }
}

export class NetworkStoppedError extends NetError {
  constructor() {
    super('NetworkStopped', 'the network is stopped');
  }
}

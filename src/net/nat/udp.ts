/**
 * One UDP request/response exchange with a gateway: a connected socket, retransmission on a schedule,
 * an overall timeout and an AbortSignal. Answers the `accept` callback rejects with NatMismatchError
 * are ignored (late or foreign datagrams); any other decode error ends the exchange. ICMP port
 * unreachable ends it at once with NatRefusedError.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { NatAbortedError, NatMismatchError, NatRefusedError, NatTimeoutError } from './errors.ts';

export interface UdpExchange<T> {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  /** Builds the request once the socket knows its source address. */
  readonly request: (localAddress: string) => Uint8Array;
  /** Decodes an answer; throws NatMismatchError to keep waiting. */
  readonly accept: (data: Uint8Array) => T;
  /** Delay before the n-th retransmission (n = 0 for the first). */
  readonly retransmitDelayMs: (n: number) => number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export function udpExchange<T>(x: UdpExchange<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (x.signal?.aborted) {
      reject(new NatAbortedError());
      return;
    }
    const socket = createSocket(isIPv6(x.host) ? 'udp6' : 'udp4');
    let payload: Uint8Array | undefined;
    let resend: NodeJS.Timeout | undefined;
    let sent = 0;
    let done = false;
    const finish = (error: unknown, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(resend);
      clearTimeout(overall);
      x.signal?.removeEventListener('abort', onAbort);
      socket.close();
      if (error) reject(error);
      else resolve(value as T);
    };
    const onAbort = () => finish(new NatAbortedError());
    const overall = setTimeout(() => finish(new NatTimeoutError(x.protocol, x.timeoutMs)), x.timeoutMs);
    x.signal?.addEventListener('abort', onAbort, { once: true });
    const send = () => {
      if (done || !payload) return;
      socket.send(payload, (err) => {
        if (err) finish(isRefused(err) ? new NatRefusedError(x.protocol) : err);
      });
      resend = setTimeout(send, x.retransmitDelayMs(sent++));
    };
    socket.on('error', (err) => finish(isRefused(err) ? new NatRefusedError(x.protocol) : err));
    socket.on('message', (msg) => {
      try {
        finish(undefined, x.accept(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)));
      } catch (error) {
        if (!(error instanceof NatMismatchError)) finish(error);
      }
    });
    socket.connect(x.port, x.host, () => {
      try {
        payload = x.request(socket.address().address);
      } catch (error) {
        finish(error);
        return;
      }
      send();
    });
  });
}

function isRefused(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
}

/**
 * Stream policy: a stranger's libp2p node cannot open /pvt/chat/1.0.0 (the stream is aborted before
 * anything is read), unknown protocols are refused, and garbage or oversize frames on /pvt/invite/1.0.0
 * are dropped while the node keeps serving its contacts.
 */
import { randomBytes } from 'node:crypto';
import type { Libp2p, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_PROTOCOL, INVITE_PROTOCOL } from '../../src/net/constants.ts';
import { startNode } from '../../src/net/node.ts';
import { cleanupDirs, createPeer, idOf, type Peer, pair, waitFor } from './helpers.ts';

let alice: Peer;
let bob: Peer;
let stranger: Libp2p;

beforeAll(async () => {
  alice = await createPeer('Alice');
  bob = await createPeer('Bob');
  await pair(alice, bob);
  stranger = (await startNode({ transportSeed: randomBytes(32), port: 0, loopbackOnly: true, mdns: false }))
    .libp2p;
});
afterAll(async () => {
  await stranger?.stop();
  await alice?.close();
  await bob?.close();
  cleanupDirs();
});

async function aliceAddr() {
  const status = await alice.api.network();
  const addr = status.addresses[0];
  if (!addr) throw new Error('alice has no address');
  return multiaddr(addr);
}

/** Reads until the stream ends or fails; resolves with what happened. */
async function drain(stream: Stream, timeoutMs = 5_000): Promise<'ended' | 'reset' | 'timeout'> {
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
  const read = (async () => {
    try {
      for await (const _ of stream) {
        // nothing is expected
      }
      return 'ended' as const;
    } catch {
      return 'reset' as const;
    }
  })();
  return Promise.race([read, timeout]);
}

async function chatWorks(): Promise<void> {
  const text = `still here ${Math.random()}`;
  const sent = await alice.api.send(await idOf(alice.api, 'Bob'), text);
  await waitFor('delivery after the attack', async () => {
    const log = await alice.api.contactMessages(await idOf(alice.api, 'Bob'));
    return log.find((m) => m.id === sent.id)?.state === 'delivered';
  });
  const got = await bob.api.contactMessages(await idOf(bob.api, 'Alice'));
  expect(got.some((m) => m.body === text)).toBe(true);
}

describe('stream gating', () => {
  it('aborts a stranger’s /pvt/chat stream at once', async () => {
    const stream = await stranger.dialProtocol(await aliceAddr(), CHAT_PROTOCOL);
    try {
      stream.send(new Uint8Array([0, 0, 0, 5, 1, 2, 3, 4, 5]));
    } catch {
      // already aborted
    }
    expect(await drain(stream)).not.toBe('timeout');
    expect(
      (await alice.api.contactMessages(await idOf(alice.api, 'Bob'))).filter((m) => m.direction === 'in'),
    ).toEqual([]);
  });

  it('refuses protocols pvt does not serve', async () => {
    await expect(stranger.dialProtocol(await aliceAddr(), '/pvt/mailbox/9.9.9')).rejects.toMatchObject({
      name: 'UnsupportedProtocolError',
    });
  });

  it('drops garbage, oversize and truncated frames on /pvt/invite and keeps serving contacts', async () => {
    const addr = await aliceAddr();
    // Random bytes framed as a handshake message.
    const garbage = await stranger.dialProtocol(addr, INVITE_PROTOCOL);
    const body = randomBytes(300);
    const frame = new Uint8Array(4 + body.length);
    new DataView(frame.buffer).setUint32(0, body.length);
    frame.set(body, 4);
    garbage.send(frame);
    expect(await drain(garbage)).not.toBe('timeout');
    // A prefix announcing 1 GiB: refused from the prefix, nothing buffered.
    const oversize = await stranger.dialProtocol(addr, INVITE_PROTOCOL).catch(() => undefined);
    if (oversize) {
      oversize.send(new Uint8Array([0x40, 0, 0, 0, 1, 2, 3]));
      expect(await drain(oversize)).not.toBe('timeout');
    }
    await chatWorks();
  });

  it('hangs up on a peer that keeps sending garbage, and still serves contacts', async () => {
    const addr = await aliceAddr();
    for (let i = 0; i < 6; i++) {
      const s = await stranger.dialProtocol(addr, INVITE_PROTOCOL).catch(() => undefined);
      if (!s) break;
      try {
        s.send(new Uint8Array([0, 0, 0, 2, 9, 9]));
      } catch {
        // the connection is going away
      }
      await drain(s, 2_000);
    }
    await waitFor('stranger disconnected', () => stranger.getConnections().length === 0, 10_000);
    await chatWorks();
  });
});

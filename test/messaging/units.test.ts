/**
 * Unit tests of the small pure pieces under the messaging core: PeerId ↔ locator bytes (base58btc),
 * address choice and path badges, the per-peer rate limiter, the frame reader over chunked streams
 * (split prefixes, oversize prefix refused before the body, truncation), receipt and address-update
 * bodies, inbound ids, and contact-name rules.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { checkContactName } from '../../src/app/contacts.ts';
import {
  decodeAddressBody,
  decodeReceiptBody,
  encodeAddressBody,
  encodeReceiptBody,
  inboundMessageId,
  MAX_RECEIPT_IDS,
} from '../../src/app/messaging-payload.ts';
import {
  base58btc,
  fromLocator,
  pathOf,
  peerIdFromBytes,
  shareableAddrs,
  toLocator,
} from '../../src/net/addresses.ts';
import { frameReader } from '../../src/net/frames.ts';
import { createRateLimiter } from '../../src/net/rate-limit.ts';
import { encodeFrame } from '../../src/protocol/framing.ts';

async function* chunks(...parts: Uint8Array[]) {
  for (const p of parts) yield p;
}

describe('addresses', () => {
  it('turns PeerId bytes into the same PeerId (base58btc)', async () => {
    for (let i = 0; i < 20; i++) {
      const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
      expect(base58btc(id.toMultihash().bytes)).toBe(id.toString());
      expect(peerIdFromBytes(id.toMultihash().bytes)?.equals(id)).toBe(true);
    }
    expect(base58btc(Uint8Array.of(0, 0, 1))).toBe('112');
    expect(peerIdFromBytes(Uint8Array.of(1, 2, 3))).toBeUndefined();
  });

  it('shares public before private addresses, never link-local, loopback only when asked', () => {
    const all = [
      '/ip4/127.0.0.1/tcp/1',
      '/ip4/192.168.1.5/tcp/1',
      '/ip6/fe80::1/tcp/1',
      '/ip4/0.0.0.0/tcp/1',
      '/ip4/203.0.113.7/tcp/1/p2p/12D3KooWLWDUNBT5iacZDEWLfnxcDBbXfDy8UFeXCg1JceVFYM9D',
      '/ip6/fd00::2/tcp/1',
      '/ip4/192.168.1.5/tcp/1',
    ].map((a) => multiaddr(a));
    expect(shareableAddrs(all, false, 8).map(String)).toEqual([
      '/ip4/203.0.113.7/tcp/1',
      '/ip4/192.168.1.5/tcp/1',
      '/ip6/fd00::2/tcp/1',
    ]);
    expect(shareableAddrs(all, true, 8).map(String)).toContain('/ip4/127.0.0.1/tcp/1');
    expect(shareableAddrs(all, false, 1)).toHaveLength(1);
  });

  it('shares a relay address after the direct ones and keeps the relay in it through a locator', async () => {
    const relay = '12D3KooWLWDUNBT5iacZDEWLfnxcDBbXfDy8UFeXCg1JceVFYM9D';
    const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
    const all = [`/ip4/203.0.113.9/tcp/4/p2p/${relay}/p2p-circuit/p2p/${self}`, '/ip4/192.168.1.5/tcp/1'].map(
      (a) => multiaddr(a),
    );
    const shared = shareableAddrs(all, false, 8);
    expect(shared.map(String)).toEqual([
      '/ip4/192.168.1.5/tcp/1',
      `/ip4/203.0.113.9/tcp/4/p2p/${relay}/p2p-circuit`,
    ]);
    // Decoding must not strip the relay's /p2p/ (that would turn the relay's address into ours).
    const back = fromLocator(toLocator(self, shared));
    expect(back?.addrs.map(String)).toEqual(shared.map(String));
    expect(pathOf(multiaddr(`/ip4/203.0.113.9/tcp/4/p2p/${relay}/p2p-circuit`))).toBe('relayed');
  });

  it('badges private, loopback and unique-local paths as lan, others as direct', () => {
    expect(pathOf(multiaddr('/ip4/10.1.2.3/tcp/5'))).toBe('lan');
    expect(pathOf(multiaddr('/ip4/127.0.0.1/tcp/5'))).toBe('lan');
    expect(pathOf(multiaddr('/ip6/fd12::1/tcp/5'))).toBe('lan');
    expect(pathOf(multiaddr('/ip4/198.51.100.4/tcp/5'))).toBe('direct');
    expect(pathOf(multiaddr('/ip6/2001:db8::1/tcp/5'))).toBe('direct');
  });

  it('round-trips a locator and skips addresses it cannot dial', async () => {
    const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
    const locator = toLocator(id, [multiaddr('/ip4/1.2.3.4/tcp/9')]);
    const back = fromLocator({
      ...locator,
      addrs: [...locator.addrs, multiaddr('/dns4/x.example/tcp/1').bytes],
    });
    expect(back?.peerId.equals(id)).toBe(true);
    expect(back?.addrs.map(String)).toEqual(['/ip4/1.2.3.4/tcp/9']);
  });
});

describe('rate limiter', () => {
  it('counts per peer and kind in windows', () => {
    let now = 0;
    const limiter = createRateLimiter(() => now, { bad: 2 });
    expect(limiter.hit('a', 'bad')).toBe(true);
    expect(limiter.hit('a', 'bad')).toBe(true);
    expect(limiter.hit('a', 'bad')).toBe(false);
    expect(limiter.hit('b', 'bad')).toBe(true);
    now += 10_000;
    expect(limiter.hit('a', 'bad')).toBe(true);
  });
});

describe('frame reader', () => {
  it('reads frames split anywhere, including inside the prefix', async () => {
    const wire = new Uint8Array([...encodeFrame(Uint8Array.of(1, 2, 3)), ...encodeFrame(new Uint8Array(0))]);
    const reader = frameReader(chunks(wire.subarray(0, 2), wire.subarray(2, 5), wire.subarray(5)), 100);
    expect(await reader.next()).toEqual(Uint8Array.of(1, 2, 3));
    expect(await reader.next()).toEqual(new Uint8Array(0));
    expect(await reader.next()).toBeNull();
  });

  it('refuses an oversize prefix before reading the body, and a truncated frame', async () => {
    await expect(frameReader(chunks(Uint8Array.of(0, 0, 1, 0)), 100).next()).rejects.toMatchObject({
      code: 'FrameTooLarge',
    });
    await expect(frameReader(chunks(Uint8Array.of(0, 0, 0, 9, 1)), 100).next()).rejects.toMatchObject({
      code: 'FrameTruncated',
    });
  });
});

describe('payload bodies', () => {
  it('encodes receipts as lists of 16-byte ids', () => {
    const ids = ['00'.repeat(16), 'ab'.repeat(16)];
    expect(decodeReceiptBody(encodeReceiptBody(ids))).toEqual(ids);
    expect(() => decodeReceiptBody(new Uint8Array(17))).toThrow(/receipt/);
    expect(() => encodeReceiptBody([])).toThrow(RangeError);
    expect(MAX_RECEIPT_IDS).toBe(1024);
  });

  it('encodes address updates as locators', async () => {
    const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
    const locator = toLocator(id, [multiaddr('/ip6/2001:db8::7/tcp/4001')]);
    expect(decodeAddressBody(encodeAddressBody(locator))).toEqual(locator);
    expect(() => decodeAddressBody(Uint8Array.of(9))).toThrow(/address update/);
  });

  it('derives inbound ids per contact', () => {
    const a = inboundMessageId('c1', '11'.repeat(16));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(inboundMessageId('c1', '11'.repeat(16))).toBe(a);
    expect(inboundMessageId('c2', '11'.repeat(16))).not.toBe(a);
  });
});

describe('contact names', () => {
  it('trims, bounds and refuses control characters', () => {
    expect(checkContactName('  Bob ')).toBe('Bob');
    expect(() => checkContactName('')).toThrow(/empty/);
    expect(() => checkContactName('x'.repeat(65))).toThrow(/64/);
    expect(() => checkContactName('a\u0007b')).toThrow(/control/);
  });
});

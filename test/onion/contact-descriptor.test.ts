/**
 * A contact's relay descriptor in its address update (docs/messaging.md "Payload bodies"): the body
 * codec (the bare locator of older peers still decodes; the extension is strict: known tag, exact
 * length, nothing after it, bounded size), and the onion directory's side — a genuine descriptor of the
 * contact is kept with source "contact", a tampered one or one for another peer is dropped.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, test } from 'vitest';
import {
  decodeAddressBody,
  decodeAddressUpdate,
  encodeAddressBody,
} from '../../src/app/messaging-payload.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { ed25519PublicKey } from '../../src/crypto/primitives.ts';
import { nullLogger } from '../../src/log/logger.ts';
import { toLocator } from '../../src/net/addresses.ts';
import { createDirectory } from '../../src/net/onion/directory.ts';
import { MalformedPayloadError } from '../../src/protocol/errors.ts';
import { DESCRIPTOR_MAX_BYTES } from '../../src/protocol/onion/constants.ts';
import { signDescriptor } from '../../src/protocol/onion/descriptor.ts';
import { generateOnionKeys } from '../../src/protocol/onion/handshake.ts';

const rng = createLabelledDrbg('pvt tests: contact relay descriptor');
const NOW = 1_700_000_000_000;

function relay() {
  const seed = rng(32);
  const keys = generateOnionKeys(rng, nobleBackend);
  const transportKey = ed25519PublicKey(seed);
  const peerId = peerIdFromPublicKey(publicKeyFromRaw(transportKey));
  const bytes = signDescriptor(
    {
      transportKey,
      x25519Public: keys.x25519Public,
      kemPublic: keys.kemPublic,
      publishedMs: NOW - 1000,
      validUntilMs: NOW + 3600_000,
      relayingSinceMs: NOW - 5000,
      bandwidthKiBps: 0,
      flags: 1,
      addrs: [multiaddr('/ip4/127.0.0.1/tcp/4001').bytes],
      services: [],
    },
    seed,
  );
  return { peerId, bytes, locator: toLocator(peerId, [multiaddr('/ip4/127.0.0.1/tcp/4001')]) };
}

describe('address-update body with a relay descriptor', () => {
  test('round-trips; a bare locator (an older peer) decodes with no descriptor', () => {
    const r = relay();
    const body = encodeAddressBody(r.locator, r.bytes);
    const u = decodeAddressUpdate(body);
    expect(u.locator).toEqual(r.locator);
    expect(u.relayDescriptor).toEqual(r.bytes);
    expect(decodeAddressBody(body)).toEqual(r.locator);
    const bare = encodeAddressBody(r.locator);
    expect(decodeAddressUpdate(bare)).toEqual({ locator: r.locator, relayDescriptor: null });
    expect(encodeAddressBody(r.locator, null)).toEqual(bare);
  });

  test('strict: unknown tag, short or long length, trailing bytes, empty or oversize descriptor', () => {
    const r = relay();
    const bare = encodeAddressBody(r.locator);
    const body = encodeAddressBody(r.locator, r.bytes);
    const cases: [string, Uint8Array][] = [
      ['unknown tag', Uint8Array.of(...bare, 2, 0, 1, 9)],
      ['tag alone', Uint8Array.of(...bare, 1)],
      ['half a length', Uint8Array.of(...bare, 1, 0)],
      ['zero length', Uint8Array.of(...bare, 1, 0, 0)],
      ['truncated', body.subarray(0, body.length - 1)],
      ['trailing', Uint8Array.of(...body, 0)],
      ['oversize', Uint8Array.of(...bare, 1, 0x10, 0x01, ...new Uint8Array(DESCRIPTOR_MAX_BYTES + 1))],
    ];
    for (const [what, bad] of cases) {
      expect(() => decodeAddressUpdate(bad), what).toThrow(MalformedPayloadError);
    }
    expect(() => encodeAddressBody(r.locator, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeAddressBody(r.locator, new Uint8Array(DESCRIPTOR_MAX_BYTES + 1))).toThrow(RangeError);
  });
});

describe('the directory and a contact descriptor', () => {
  const directory = () =>
    createDirectory({
      // add() verifies and stores in memory; it never touches the node.
      libp2p: {} as Libp2p,
      ownPeer: 'self',
      loopbackOnly: true,
      stateFile: undefined,
      rng,
      logger: nullLogger,
      now: () => NOW,
      providing: () => false,
    });

  test('a genuine descriptor of the contact is kept with source "contact"', () => {
    const r = relay();
    const d = directory();
    d.add(r.bytes, 'contact', r.peerId.toString());
    const listed = d.list().relays;
    expect(listed.map((x) => [x.peerId, x.source, x.relay])).toEqual([
      [r.peerId.toString(), 'contact', true],
    ]);
  });

  test('a tampered descriptor, or one for another peer, is dropped and nothing is added', () => {
    const r = relay();
    const other = relay();
    const d = directory();
    for (const at of [1, 60, r.bytes.length - 1]) {
      const bad = r.bytes.slice();
      bad[at] = (bad[at] as number) ^ 1;
      expect(() => d.add(bad, 'contact', r.peerId.toString())).toThrow();
    }
    expect(() => d.add(other.bytes, 'contact', r.peerId.toString())).toThrow(/another peer/);
    expect(d.list().relays).toEqual([]);
  });

  test('a contact naming a relay first heard of elsewhere makes its source "contact"', () => {
    const r = relay();
    const d = directory();
    d.add(r.bytes, 'identify');
    d.add(r.bytes, 'contact', r.peerId.toString());
    expect(d.list().relays[0]?.source).toBe('contact');
  });
});

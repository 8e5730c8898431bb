/**
 * A contact's relay descriptor through the real receive path: two profiles' Messaging cores (real
 * stores, real ratchet) over an in-memory route. Alice queues address updates — with her genuine
 * descriptor, a tampered one, another relay's, none — and Bob's Peer decrypts them and hands the
 * descriptor to a real onion directory (`addFromContact`, what the onion service uses): only Alice's
 * genuine descriptor is kept (source "contact"); the others are dropped while her addresses still apply,
 * and a bare locator (an older peer) is an ordinary address update.
 */
import { randomBytes } from 'node:crypto';
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, expect, test } from 'vitest';
import { Contacts } from '../../src/app/contacts.ts';
import { Messaging } from '../../src/app/messaging.ts';
import type { MessagingContext } from '../../src/app/messaging-context.ts';
import { encodeAddressBody } from '../../src/app/messaging-payload.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { ed25519PublicKey } from '../../src/crypto/primitives.ts';
import { nullLogger } from '../../src/log/logger.ts';
import { toLocator } from '../../src/net/addresses.ts';
import { createDirectory } from '../../src/net/onion/directory.ts';
import type { Identity } from '../../src/protocol/identity.ts';
import { signDescriptor } from '../../src/protocol/onion/descriptor.ts';
import { generateOnionKeys } from '../../src/protocol/onion/handshake.ts';
import { deserializeState, initSession, serializeState } from '../../src/protocol/ratchet/index.ts';
import { createChatStore } from '../../src/store/chat-store.ts';
import { createContactsStore } from '../../src/store/contacts-store.ts';
import { createInvitesStore } from '../../src/store/invites-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { seedPair } from '../ratchet/seeds.ts';
import { newProfile, tempDir } from '../store/helpers.ts';

const backend = defaultCryptoBackend();
const rng = createLabelledDrbg('pvt tests: relay descriptor through the Peer');
const dirs: { cleanup(): void }[] = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

function relayKeys() {
  const seed = rng(32);
  const transportKey = ed25519PublicKey(seed);
  return { seed, transportKey, peerId: peerIdFromPublicKey(publicKeyFromRaw(transportKey)) };
}

function descriptorOf(k: ReturnType<typeof relayKeys>): Uint8Array {
  const onion = generateOnionKeys(rng, nobleBackend);
  const now = Date.now();
  return signDescriptor(
    {
      transportKey: k.transportKey,
      x25519Public: onion.x25519Public,
      kemPublic: onion.kemPublic,
      publishedMs: now - 1000,
      validUntilMs: now + 3600_000,
      relayingSinceMs: now - 5000,
      bandwidthKiBps: 0,
      flags: 1,
      addrs: [multiaddr('/ip4/127.0.0.1/tcp/4001').bytes],
      services: [],
    },
    k.seed,
  );
}

interface Side {
  messaging: Messaging;
  contacts: Contacts;
  contactId: string;
  wire: Uint8Array[];
}

async function sides(
  alicePeer: string,
  learn: (bytes: Uint8Array | null, peerId: string, contactId: string) => void,
) {
  const seeds = seedPair(systemRng);
  const ids = { a: toHex(randomBytes(16)), b: toHex(randomBytes(16)) };
  const out = {} as Record<'a' | 'b', Side>;
  for (const name of ['a', 'b'] as const) {
    const dir = tempDir('pvt-relay-desc-');
    dirs.push(dir);
    const store = await newProfile(dir.dir);
    const sql = store.sql;
    const chat = createChatStore(sql);
    const contactsStore = createContactsStore(sql);
    const contactId = name === 'a' ? ids.b : ids.a;
    const session = initSession(name === 'a' ? seeds.alice : seeds.bob, systemRng, { backend });
    const row = {
      id: contactId,
      name: name === 'a' ? 'Bob' : 'Alice',
      peer: { displayName: 'x', signPublic: new Uint8Array(32), dhPublic: new Uint8Array(32) },
      // Bob knows Alice's real transport PeerId (the one her descriptor must carry).
      transport: { peerId: name === 'b' ? alicePeer : `peer-${contactId}`, addrs: [] },
      verification: 'verified' as const,
      createdAt: 1,
      lastSeenAt: null,
    };
    sql.transaction('test contact', () => {
      chat.ensureConversation(row.id, row.name, 1);
      contactsStore.insert(row, serializeState(session));
    });
    const contacts = new Contacts(contactsStore, chat, sql);
    const ctx: MessagingContext = {
      identity: {} as Identity,
      sql,
      contacts,
      chat,
      invites: createInvitesStore(sql),
      rng: systemRng,
      backend,
      now: Date.now,
      logger: nullLogger,
      network: () => undefined,
      emit: () => undefined,
    };
    const messaging = new Messaging(ctx, {
      sessions: contactsStore,
      openSession: (bytes) => deserializeState(bytes, { backend }),
      random: () => 0.5,
      unread: (id) => chat.unread(id),
      ...(name === 'b' ? { contactRelayDescriptor: learn } : {}),
    });
    const side: Side = { messaging, contacts, contactId, wire: [] };
    messaging.addRoute({
      name: 'test',
      resendAfterMs: 60_000,
      ready: async () => true,
      send: async (_target, frames) => {
        side.wire.push(...frames);
      },
    });
    out[name] = side;
  }
  return out;
}

const settle = async () => {
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
};

test("Bob keeps only Alice's own genuine descriptor; her addresses apply either way", async () => {
  const alice = relayKeys();
  const stranger = relayKeys();
  const directory = createDirectory({
    libp2p: {} as Libp2p,
    ownPeer: 'bob',
    loopbackOnly: true,
    stateFile: undefined,
    rng,
    logger: nullLogger,
    now: Date.now,
    providing: () => false,
  });
  const calls: { peerId: string; kept: boolean | null }[] = [];
  const contactIds = new Set<string>();
  const s = await sides(alice.peerId.toString(), (bytes, peerId, contactId) => {
    contactIds.add(contactId);
    // An update without a descriptor is reported too (null): the contact no longer offers one.
    calls.push({ peerId, kept: bytes === null ? null : directory.addFromContact(bytes, peerId) });
  });
  const genuine = descriptorOf(alice);
  const tampered = genuine.slice();
  tampered[70] = (tampered[70] as number) ^ 1;

  const update = async (port: number, descriptor: Uint8Array | null) => {
    const locator = toLocator(alice.peerId, [multiaddr(`/ip4/192.0.2.7/tcp/${port}`)]);
    s.a.messaging.peer(s.a.contactId).queueAddressUpdate(encodeAddressBody(locator, descriptor));
    await settle();
    for (const f of s.a.wire.splice(0)) await s.b.messaging.inbound(s.b.contactId, f);
    await settle();
    return s.b.contacts.byId(s.b.contactId)?.transport.addrs;
  };

  expect(await update(4101, tampered)).toEqual([`/ip4/192.0.2.7/tcp/4101`]);
  expect(await update(4102, descriptorOf(stranger))).toEqual([`/ip4/192.0.2.7/tcp/4102`]);
  expect(await update(4103, null)).toEqual([`/ip4/192.0.2.7/tcp/4103`]);
  expect(calls).toEqual([
    { peerId: alice.peerId.toString(), kept: false },
    { peerId: alice.peerId.toString(), kept: false },
    { peerId: alice.peerId.toString(), kept: null },
  ]);
  expect([...contactIds]).toEqual([s.b.contactId]);
  expect(directory.list().relays).toEqual([]);

  expect(await update(4104, genuine)).toEqual([`/ip4/192.0.2.7/tcp/4104`]);
  expect(calls.at(-1)).toEqual({ peerId: alice.peerId.toString(), kept: true });
  expect(directory.list().relays.map((r) => [r.peerId, r.source])).toEqual([
    [alice.peerId.toString(), 'contact'],
  ]);
});

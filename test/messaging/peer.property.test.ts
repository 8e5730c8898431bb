/**
 * Property: two profiles' Peers (real stores, real ratchet, real commits) talk over an in-memory route
 * that a test controls — frames are delivered, lost with the stream, or left in flight — while sends,
 * receipts, renames and kills (the store closed without any graceful stop; everything in memory lost,
 * then reopened) interleave at random. A model says what must hold: every message sent is stored at the
 * receiver exactly once, in send order, and after healing every one is delivered on the sender with an
 * empty outbox; renames change only labels (sending is by id); nothing half-done survives a kill.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { PvtEvent } from '../../src/app/api.ts';
import { Contacts } from '../../src/app/contacts.ts';
import { Messaging } from '../../src/app/messaging.ts';
import type { MessagingContext } from '../../src/app/messaging-context.ts';
import type { DeliveryRoute } from '../../src/app/route.ts';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { nullLogger } from '../../src/log/logger.ts';
import type { Identity } from '../../src/protocol/identity.ts';
import { deserializeState, initSession, serializeState } from '../../src/protocol/ratchet/index.ts';
import { createChatStore } from '../../src/store/chat-store.ts';
import { createContactsStore } from '../../src/store/contacts-store.ts';
import { createInvitesStore } from '../../src/store/invites-store.ts';
import { openProfile, type ProfileStore } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { seedPair } from '../ratchet/seeds.ts';
import { newProfile, PASSPHRASE, tempDir } from '../store/helpers.ts';

const RUNS = Number(process.env.PVT_PROPERTY_RUNS ?? 12);
const backend = defaultCryptoBackend();
const dirs: { cleanup(): void }[] = [];

afterAll(() => {
  for (const d of dirs) d.cleanup();
});

type Name = 'a' | 'b';
const other = (s: Name): Name => (s === 'a' ? 'b' : 'a');

/** One side: a profile store and the messaging core on it (rebuilt from disk after a kill). */
interface Side {
  readonly name: Name;
  readonly dir: string;
  /** The id this side knows the other side by. */
  readonly contactId: string;
  store: ProfileStore;
  messaging: Messaging;
  contacts: Contacts;
  /** Frames this side handed to the route, not yet delivered. */
  wire: Uint8Array[];
}

const settle = async () => {
  for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
};

function build(side: Side, sides: Record<Name, Side>, store: ProfileStore): void {
  const sql = store.sql;
  const chat = createChatStore(sql);
  const contactsStore = createContactsStore(sql);
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
    emit: (_e: PvtEvent) => undefined,
  };
  const messaging = new Messaging(ctx, {
    sessions: contactsStore,
    openSession: (bytes) => deserializeState(bytes, { backend }),
    random: () => 0.5,
    unread: (id) => chat.unread(id),
  });
  const route: DeliveryRoute = {
    name: 'test',
    resendAfterMs: 60_000,
    ready: async () => true,
    send: async (_target, frames) => {
      if (sides[side.name].store !== store) throw new Error('killed');
      side.wire.push(...frames);
    },
  };
  messaging.addRoute(route);
  side.store = store;
  side.contacts = contacts;
  side.messaging = messaging;
}

async function twoSides(): Promise<Record<Name, Side>> {
  const seeds = seedPair(systemRng);
  const ids = { a: toHex(randomBytes(16)), b: toHex(randomBytes(16)) };
  const sides = {} as Record<Name, Side>;
  for (const name of ['a', 'b'] as const) {
    const dir = tempDir('pvt-peer-prop-');
    dirs.push(dir);
    const store = await newProfile(dir.dir);
    // Side a knows b as ids.b (a is alice: it can send first); side b knows a as ids.a.
    const contactId = name === 'a' ? ids.b : ids.a;
    const session = initSession(name === 'a' ? seeds.alice : seeds.bob, systemRng, { backend });
    const contactsStore = createContactsStore(store.sql);
    const chat = createChatStore(store.sql);
    const row = {
      id: contactId,
      name: name === 'a' ? 'Bob' : 'Alice',
      peer: { displayName: 'x', signPublic: new Uint8Array(32), dhPublic: new Uint8Array(32) },
      transport: { peerId: `peer-${contactId}`, addrs: [] },
      verification: 'verified' as const,
      createdAt: 1,
      lastSeenAt: null,
    };
    store.sql.transaction('test contact', () => {
      chat.ensureConversation(row.id, row.name, 1);
      contactsStore.insert(row, serializeState(session));
    });
    const side = { name, dir: dir.dir, contactId, wire: [] } as unknown as Side;
    sides[name] = side;
    build(side, sides, store);
  }
  return sides;
}

type Command =
  | { kind: 'send'; side: Name }
  | { kind: 'deliver'; side: Name; count: number }
  | { kind: 'lose'; side: Name }
  | { kind: 'resend'; side: Name }
  | { kind: 'rename'; side: Name; suffix: number }
  | { kind: 'kill'; side: Name };

const side = fc.constantFrom<Name>('a', 'b');
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), side }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      side,
      count: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lose' as const), side }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resend' as const), side }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('rename' as const),
      side,
      suffix: fc.integer({ min: 0, max: 9 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), side }) },
);

async function inbound(s: Side): Promise<string[]> {
  const list = s.store.listMessages(s.contactId, { limit: 10_000 });
  return list.filter((m) => m.direction === 'in').map((m) => m.body);
}

describe('Peer against a model', () => {
  it('sends, receipts, losses, renames and kills: exactly once, in order, all delivered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 30 }), async (commands) => {
        const sides = await twoSides();
        // The model: texts each side sent (in order), and the name it gave its contact.
        const sent: Record<Name, string[]> = { a: [], b: [] };
        const names: Record<Name, string> = { a: 'Bob', b: 'Alice' };
        let n = 0;
        // Alice speaks first (in pvt, the joiner's address update): bob's session can send after it.
        const first = sides.a.contacts.byId(sides.a.contactId);
        if (first) sides.a.messaging.send(first, 'a-0');
        sent.a.push('a-0');
        const deliver = async (from: Side, count: number) => {
          const to = sides[other(from.name)];
          const frames = from.wire.splice(0, count);
          for (const f of frames) await to.messaging.inbound(to.contactId, f);
          await settle();
        };
        try {
          for (const c of commands) {
            const s = sides[c.side];
            switch (c.kind) {
              case 'send': {
                // Bob's session cannot send before alice's first message arrived: that text waits queued.
                const text = `${c.side}-${++n}`;
                const row = s.contacts.byId(s.contactId);
                if (!row) throw new Error('contact gone');
                s.messaging.send(row, text);
                sent[c.side].push(text);
                break;
              }
              case 'deliver':
                await deliver(s, c.count);
                break;
              case 'lose':
                // The stream broke: what was in flight is gone, and the sender learns it (go-back-N).
                s.wire.length = 0;
                s.messaging.peer(s.contactId).streamLost();
                break;
              case 'resend':
                s.messaging.peer(s.contactId).streamLost();
                break;
              case 'rename': {
                const name = `${names[c.side].split('#')[0]}#${c.suffix}`;
                s.contacts.rename(s.contactId, name);
                names[c.side] = name;
                break;
              }
              case 'kill': {
                // No graceful stop: memory is simply lost; frames in flight from it are lost too.
                s.store.close();
                s.wire.length = 0;
                await settle();
                const reopened = await openProfile({
                  dataDir: s.dir,
                  profile: 'default',
                  rng: systemRng,
                  passphrase: PASSPHRASE,
                });
                build(s, sides, reopened);
                s.messaging.peer(s.contactId).kick();
                break;
              }
            }
            await settle();
            // Exactly once, in order, at every step: what arrived is a prefix of what was sent.
            for (const name of ['a', 'b'] as const) {
              const got = await inbound(sides[name]);
              expect(got).toEqual(sent[other(name)].slice(0, got.length));
            }
          }
          // Heal: both sides resend what is unacknowledged and everything is delivered.
          for (let round = 0; round < 40; round++) {
            for (const name of ['a', 'b'] as const)
              sides[name].messaging.peer(sides[name].contactId).streamLost();
            await settle();
            await deliver(sides.a, 1_000);
            await deliver(sides.b, 1_000);
            const quiet =
              sides.a.wire.length === 0 &&
              sides.b.wire.length === 0 &&
              sides.a.store
                .listMessages(sides.a.contactId, { limit: 10_000 })
                .every((m) => m.direction === 'in' || m.state === 'delivered') &&
              sides.b.store
                .listMessages(sides.b.contactId, { limit: 10_000 })
                .every((m) => m.direction === 'in' || m.state === 'delivered');
            if (quiet) break;
          }
          for (const name of ['a', 'b'] as const) {
            const s = sides[name];
            expect(await inbound(s)).toEqual(sent[other(name)]);
            const outgoing = s.store
              .listMessages(s.contactId, { limit: 10_000 })
              .filter((m) => m.direction === 'out');
            expect(outgoing.map((m) => m.body)).toEqual(sent[name]);
            expect(outgoing.every((m) => m.state === 'delivered')).toBe(true);
            expect(createChatStore(s.store.sql).outbox(s.contactId, 10)).toEqual([]);
            expect(s.store.conversations().find((c) => c.id === s.contactId)?.title).toBe(names[name]);
          }
        } finally {
          for (const name of ['a', 'b'] as const) await sides[name].messaging.stop();
          for (const name of ['a', 'b'] as const) sides[name].store.close();
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});

describe('commits per message (docs/messaging.md)', () => {
  it('a lone message: two commits on the sender, one on the receiver; a burst of 100 is group-committed', async () => {
    const sides = await twoSides();
    const commits: Record<Name, string[]> = { a: [], b: [] };
    for (const name of ['a', 'b'] as const) {
      const sql = sides[name].store.sql as { transaction: <T>(what: string, fn: () => T) => T };
      const run = sql.transaction.bind(sql);
      sql.transaction = <T>(what: string, fn: () => T): T => {
        commits[name].push(what);
        return run(what, fn);
      };
    }
    const deliverAll = async (from: Side) => {
      const to = sides[other(from.name)];
      for (const f of from.wire.splice(0)) await to.messaging.inbound(to.contactId, f);
      await settle();
    };
    try {
      const row = sides.a.contacts.byId(sides.a.contactId);
      if (!row) throw new Error('no contact');
      sides.a.messaging.send(row, 'lone');
      await settle();
      await deliverAll(sides.a); // the message reaches b, which stores it and encrypts the receipt
      await deliverAll(sides.b); // the receipt reaches a
      expect(commits.a).toEqual(['queueing a message', 'receiving messages']);
      expect(commits.b).toEqual(['receiving messages']);
      const lone = sides.a.store.listMessages(sides.a.contactId).find((m) => m.body === 'lone');
      expect(lone?.state).toBe('delivered');

      commits.a.length = 0;
      commits.b.length = 0;
      for (let i = 0; i < 100; i++) sides.a.messaging.send(row, `burst ${i}`);
      await settle();
      await deliverAll(sides.a);
      await deliverAll(sides.b);
      // 100 sends are 100 commits (each is durable when `send` returns); the receiver stores the burst
      // that arrived together in one commit, with one receipt, and the sender applies it in one.
      expect(commits.a.filter((w) => w === 'queueing a message')).toHaveLength(100);
      expect(commits.a.filter((w) => w !== 'queueing a message')).toEqual(['receiving messages']);
      expect(commits.b).toEqual(['receiving messages']);
      const received = sides.b.store
        .listMessages(sides.b.contactId, { limit: 1000 })
        .filter((m) => m.direction === 'in');
      expect(received).toHaveLength(101);
      const sent = sides.a.store.listMessages(sides.a.contactId, { limit: 1000 });
      expect(sent.every((m) => m.state === 'delivered')).toBe(true);
    } finally {
      for (const name of ['a', 'b'] as const) await sides[name].messaging.stop();
      for (const name of ['a', 'b'] as const) sides[name].store.close();
    }
  });
});

/**
 * Resend pacing per route (docs/messaging.md, "Routes"): two profiles' Peers (real stores, real ratchet)
 * on a fake clock. Ann reaches Ben through the real direct route over a fake network (Ben reachable or
 * not, as the test says) and through a fake mailbox route with the mailbox route's resend time that
 * counts deposits per frame. While Ben is away for 35 simulated minutes each frame is deposited a handful
 * of times (every 10 minutes), not every minute; when Ben comes online the frames reach him at once over
 * the direct route; frames sent directly wait seconds, not minutes, before they are sent again; and
 * frames sent directly and unacknowledged when Ben drops go to his mailbox at once.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PvtEvent } from '../../src/app/api.ts';
import { RESEND_AFTER_MS } from '../../src/app/constants.ts';
import { Contacts } from '../../src/app/contacts.ts';
import { MAILBOX_RESEND_AFTER_MS } from '../../src/app/mailbox-route.ts';
import { Messaging } from '../../src/app/messaging.ts';
import type { MessagingContext } from '../../src/app/messaging-context.ts';
import type { DeliveryRoute } from '../../src/app/route.ts';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { sha256Hash } from '../../src/crypto/primitives.ts';
import { nullLogger } from '../../src/log/logger.ts';
import type { Network } from '../../src/net/network.ts';
import type { Identity } from '../../src/protocol/identity.ts';
import { deserializeState, initSession, serializeState } from '../../src/protocol/ratchet/index.ts';
import { createChatStore } from '../../src/store/chat-store.ts';
import { createContactsStore } from '../../src/store/contacts-store.ts';
import { createInvitesStore } from '../../src/store/invites-store.ts';
import type { ProfileStore } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { seedPair } from '../ratchet/seeds.ts';
import { newProfile, tempDir } from '../store/helpers.ts';

const backend = defaultCryptoBackend();
const MINUTE = 60_000;

interface Side {
  readonly store: ProfileStore;
  readonly messaging: Messaging;
  readonly contacts: Contacts;
  /** The id this side knows the other by, and the other's (fake) PeerId. */
  readonly contactId: string;
  readonly peerId: string;
}

/** Ann and Ben, with the routes the test controls. */
interface World {
  readonly ann: Side;
  readonly ben: Side;
  /** Whether Ben can be reached directly (his node is up). */
  benUp: boolean;
  /** Whether Ben answers what reaches him directly (false: frames vanish). */
  benAnswers: boolean;
  /** Deposits in Ben's mailbox, per frame (hex SHA-256). */
  readonly deposits: Map<string, number>;
  /** Frames written to Ben's chat stream. */
  directSends: number;
  /** While set, a deposit waits for it (a circuit being built). */
  depositGate: Promise<void> | undefined;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0)) await c();
});

/** Lets real setImmediate work (the Peer's inbound batches) run, without moving the fake clock. */
const settle = async () => {
  for (let i = 0; i < 8; i++) await new Promise((r) => setImmediate(r));
};

async function side(
  name: 'ann' | 'ben',
  contactId: string,
  session: Uint8Array,
  network: () => Network | undefined,
): Promise<{ store: ProfileStore; ctx: MessagingContext; messaging: Messaging; contacts: Contacts }> {
  const dir = tempDir(`pvt-pacing-${name}-`);
  cleanups.push(() => dir.cleanup());
  const store = await newProfile(dir.dir);
  const sql = store.sql;
  const chat = createChatStore(sql);
  const contactsStore = createContactsStore(sql);
  const row = {
    id: contactId,
    name: name === 'ann' ? 'Ben' : 'Ann',
    peer: { displayName: 'x', signPublic: new Uint8Array(32), dhPublic: new Uint8Array(32) },
    transport: { peerId: `peer-${contactId}`, addrs: [] },
    verification: 'verified' as const,
    createdAt: 1,
    lastSeenAt: null,
  };
  sql.transaction('test contact', () => {
    chat.ensureConversation(row.id, row.name, 1);
    contactsStore.insert(row, session);
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
    now: () => Date.now(),
    logger: nullLogger,
    network,
    emit: (_e: PvtEvent) => undefined,
  };
  const messaging = new Messaging(ctx, {
    sessions: contactsStore,
    openSession: (bytes) => deserializeState(bytes, { backend }),
    random: () => 0.5,
    unread: (id) => chat.unread(id),
  });
  return { store, ctx, messaging, contacts };
}

async function world(): Promise<World> {
  const seeds = seedPair(systemRng);
  const annId = toHex(randomBytes(16));
  const benId = toHex(randomBytes(16));
  const w = {
    benUp: false,
    benAnswers: true,
    deposits: new Map<string, number>(),
    directSends: 0,
  } as World;
  // Ann's view of the network: Ben's node is reachable (and his chat stream takes frames) only while up.
  const annNet = {
    presence: {
      path: () => (w.benUp ? 'lan' : 'offline'),
      connect: async () => {
        if (!w.benUp) throw new Error('dial failed');
        return 'lan';
      },
    },
    chat: {
      send: async (_peerId: string, frames: readonly Uint8Array[]) => {
        if (!w.benUp) throw new Error('no connection');
        w.directSends += frames.length;
        if (!w.benAnswers) return;
        for (const f of frames) void w.ben.messaging.inbound(w.ben.contactId, f);
      },
    },
  } as unknown as Network;
  const a = await side(
    'ann',
    benId,
    serializeState(initSession(seeds.alice, systemRng, { backend })),
    () => annNet,
  );
  const b = await side(
    'ben',
    annId,
    serializeState(initSession(seeds.bob, systemRng, { backend })),
    () => undefined,
  );
  // Ann's second route: Ben's mailbox, with the mailbox route's resend time. It only counts.
  const mailbox: DeliveryRoute = {
    name: 'mailbox',
    resendAfterMs: MAILBOX_RESEND_AFTER_MS,
    handedState: 'stored',
    ready: async () => true,
    send: async (_target, frames) => {
      await w.depositGate;
      for (const f of frames) {
        const h = toHex(sha256Hash(f));
        w.deposits.set(h, (w.deposits.get(h) ?? 0) + 1);
      }
    },
  };
  a.messaging.addRoute(mailbox);
  // Ben's receipts reach Ann at once (his side of the path is not under test).
  b.messaging.addRoute({
    name: 'to-ann',
    resendAfterMs: RESEND_AFTER_MS,
    ready: async () => true,
    send: async (_target, frames) => {
      for (const f of frames) void a.messaging.inbound(benId, f);
    },
  });
  Object.assign(w, {
    ann: { ...a, contactId: benId, peerId: `peer-${benId}` },
    ben: { ...b, contactId: annId, peerId: `peer-${annId}` },
  });
  const close = async () => {
    await a.messaging.stop();
    await b.messaging.stop();
    a.store.close();
    b.store.close();
  };
  cleanups.unshift(close);
  return w;
}

function send(w: World, text: string): string {
  const row = w.ann.contacts.byId(w.ann.contactId);
  if (!row) throw new Error('no contact');
  return w.ann.messaging.send(row, text).id;
}

const states = (s: Side) =>
  s.store
    .listMessages(s.contactId, { limit: 1000 })
    .filter((m) => m.direction === 'out')
    .map((m) => s.messaging.handedState(s.contactId, m.id) ?? m.state);
const received = (s: Side) =>
  s.store
    .listMessages(s.contactId, { limit: 1000 })
    .filter((m) => m.direction === 'in')
    .map((m) => m.body);

/** Moves the fake clock by `ms`, in steps, letting the Peers' real-time work run between them. */
async function pass(ms: number, stepMs = 5_000): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    await vi.advanceTimersByTimeAsync(Math.min(stepMs, ms - t));
    await settle();
  }
}

describe('resend pacing per route', () => {
  it('a contact away for 35 minutes: each frame deposited every 10 minutes, not every minute; back online: delivered at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
    const w = await world();
    const texts = ['one', 'two', 'three'];
    for (const t of texts) send(w, t);
    await pass(1_000, 100);
    expect(states(w.ann)).toEqual(['stored', 'stored', 'stored']);
    expect(w.deposits.size).toBe(3);

    await pass(35 * MINUTE);
    // Deposited at 0, 10, 20 and 30 minutes (not every minute, as with the direct route's cap).
    for (const n of w.deposits.values()) {
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(4);
    }
    expect(w.deposits.size).toBe(3);
    expect(received(w.ben)).toEqual([]);

    // Ben's node comes up and presence reports him online: the frames go directly, now (not at the
    // next mailbox resend, 5 minutes away).
    w.benUp = true;
    w.ann.messaging.online(w.ann.peerId, 'lan');
    await pass(1_000, 100);
    expect(received(w.ben)).toEqual(texts);
    expect(states(w.ann)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(w.directSends).toBe(3);
  }, 60_000);

  it('frames sent directly wait seconds; unacknowledged when the contact drops, they go to its mailbox at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
    const w = await world();
    w.benUp = true;
    w.benAnswers = false; // frames vanish on the way: no receipt
    w.ann.messaging.online(w.ann.peerId, 'lan');
    send(w, 'lost on the way');
    await pass(1_000, 100);
    expect(w.directSends).toBe(1);
    expect(states(w.ann)).toEqual(['sent']);
    // The direct route's resend time (5 s, doubling), not the mailbox's 10 minutes.
    await pass(RESEND_AFTER_MS + 1_000, 500);
    expect(w.directSends).toBe(2);
    expect(w.deposits.size).toBe(0);

    // Ben drops (presence: the last connection closed): the frame goes to his mailbox without waiting.
    w.benUp = false;
    w.ann.messaging.offline(w.ann.peerId);
    await pass(500, 100);
    expect([...w.deposits.values()]).toEqual([1]);
    // It then waits the mailbox's time: no second deposit within 9 minutes.
    await pass(9 * MINUTE);
    expect([...w.deposits.values()]).toEqual([1]);
    await pass(2 * MINUTE);
    expect([...w.deposits.values()]).toEqual([2]);

    // Back, answering this time: delivered once.
    w.benAnswers = true;
    w.benUp = true;
    w.ann.messaging.online(w.ann.peerId, 'lan');
    await pass(1_000, 100);
    expect(received(w.ben)).toEqual(['lost on the way']);
    expect(states(w.ann)).toEqual(['delivered']);
  }, 60_000);

  it('the contact comes online while a deposit is under way: the frame then goes directly at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
    const w = await world();
    let open: () => void = () => undefined;
    w.depositGate = new Promise((r) => {
      open = r;
    });
    send(w, 'racing');
    await pass(1_000, 100);
    expect(w.deposits.size).toBe(0); // the deposit is still under way
    w.benUp = true;
    w.ann.messaging.online(w.ann.peerId, 'lan');
    open();
    await pass(1_000, 100);
    expect([...w.deposits.values()]).toEqual([1]);
    expect(received(w.ben)).toEqual(['racing']);
    expect(states(w.ann)).toEqual(['delivered']);
  }, 60_000);
});

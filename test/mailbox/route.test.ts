/**
 * The mailbox route's fetch half against an in-process mailbox server (real store, real proofs of work,
 * real envelopes and slot tokens; the transport is a channel straight into the server's handler):
 * Ann's route deposits, Ben's route fetches. A pass that could not reach the mailbox is tried again
 * within seconds, not at the next 5-minute poll; the frames of one fetch are handed to the inbound path
 * together and their envelopes are deleted only once every one was handled; a frame missing a
 * fragment stays in the mailbox (nothing handed) until it is whole; an envelope that does not open is
 * deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MailboxRoute } from '../../src/app/mailbox-route.ts';
import { createDrbg } from '../../src/crypto/drbg.ts';
import { nullLogger } from '../../src/log/logger.ts';
import { MailboxSession } from '../../src/net/mailbox/client.ts';
import { createMailboxServer, type MailboxServer } from '../../src/net/mailbox/server.ts';
import type { MailboxChannel, MailboxTransport } from '../../src/net/mailbox/transport.ts';
import { generateIdentity, type Identity } from '../../src/protocol/identity.ts';
import { MAILBOX_ENVELOPE_BYTES, MAILBOX_TTL_SECONDS } from '../../src/protocol/mailbox/constants.ts';
import type { MailboxLocator } from '../../src/protocol/mailbox/locator.ts';
import { mailboxIdOf } from '../../src/protocol/mailbox/pow.ts';
import { directionKeys, epochAt, pairSecretOf, slotFor } from '../../src/protocol/mailbox/tokens.ts';
import { decodeRequest, encodeResponse } from '../../src/protocol/mailbox/wire.ts';
import type { ContactRow } from '../../src/store/contacts-store.ts';
import { openMailboxStore } from '../../src/store/mailbox-store.ts';

const rng = createDrbg(new Uint8Array(randomBytes(32)));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0)) await c();
});

const rowOf = (id: string, who: Identity): ContactRow => ({
  id,
  name: who.displayName,
  peer: { displayName: who.displayName, signPublic: who.signPublic, dhPublic: who.dhPublic },
  transport: { peerId: `peer-${id}`, addrs: [] },
  verification: 'verified',
  createdAt: 1,
  lastSeenAt: null,
});

interface Setup {
  readonly server: MailboxServer;
  readonly locator: MailboxLocator;
  readonly ann: Identity;
  readonly ben: Identity;
  /** Ann's route (deposits into Ben's mailbox); Ben's route (fetches from it). */
  readonly annRoute: MailboxRoute;
  readonly benRoute: MailboxRoute;
  /** Frames Ben's inbound path was given, and the calls still waiting for `release`. */
  readonly inbound: Uint8Array[];
  holdInbound: boolean;
  release(): void;
  /** Transport behaviour: opens that fail before one succeeds; deposit requests to swallow (by count). */
  failOpens: number;
  opens: number;
  readonly swallowDeposits: Set<number>;
}

function setup(pollMs = 5 * 60 * 1000): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'pvt-mbx-route-'));
  const store = openMailboxStore({
    path: join(dir, 'mailbox.db'),
    maxEnvelopes: 1000,
    maxPerToken: 256,
    ttlMs: MAILBOX_TTL_SECONDS * 1000,
    logger: nullLogger,
  });
  const peerIdBytes = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...rng(32));
  const server = createMailboxServer({
    store,
    mailboxId: mailboxIdOf(peerIdBytes),
    maxEnvelopes: 1000,
    logger: nullLogger,
  });
  server.start();
  cleanups.push(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const locator: MailboxLocator = { peerId: peerIdBytes, addrs: [] };
  const now = Date.now();
  const ann = generateIdentity({ displayName: 'Ann', nowMs: now, rng });
  const ben = generateIdentity({ displayName: 'Ben', nowMs: now, rng });
  let deposits = 0;
  const waiting: (() => void)[] = [];
  const s = {
    server,
    locator,
    ann,
    ben,
    inbound: [] as Uint8Array[],
    holdInbound: false,
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
    failOpens: 0,
    opens: 0,
    swallowDeposits: new Set<number>(),
  } as unknown as Setup;
  const transport: MailboxTransport = {
    kind: 'onion',
    async open() {
      s.opens++;
      if (s.failOpens > 0) {
        s.failOpens--;
        throw Object.assign(new Error('no circuit yet'), { code: 'PeerUnreachable' });
      }
      const channel: MailboxChannel = {
        async request(bytes) {
          if (decodeRequest(bytes).kind === 'deposit' && s.swallowDeposits.has(++deposits)) {
            return encodeResponse({ kind: 'deposited', stored: true }); // lost on the way
          }
          return server.handle(bytes, 'test-source');
        },
        async close() {},
      };
      return channel;
    },
  };
  const common = {
    transport: () => transport,
    rng,
    now: () => Date.now(),
    random: () => 0.5,
    logger: nullLogger,
    pollMs,
  };
  const annRow = rowOf('ann-id', ann);
  const benRow = rowOf('ben-id', ben);
  Object.assign(s, {
    annRoute: new MailboxRoute({
      ...common,
      identity: ann,
      contact: (id) => (id === benRow.id ? benRow : undefined),
      contacts: () => [benRow],
      theirMailboxes: () => [locator],
      ownMailboxes: () => [],
      inbound: async () => {},
    }),
    benRoute: new MailboxRoute({
      ...common,
      identity: ben,
      contact: (id) => (id === annRow.id ? annRow : undefined),
      contacts: () => [annRow],
      theirMailboxes: () => [],
      ownMailboxes: () => [locator],
      inbound: (_id, frame) => {
        s.inbound.push(frame);
        if (!s.holdInbound) return Promise.resolve();
        return new Promise<void>((resolve) => waiting.push(resolve));
      },
    }),
  });
  s.annRoute.start();
  cleanups.push(() => {
    s.annRoute.stop();
    s.benRoute.stop();
  });
  return s;
}

const frame = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const held = (s: Setup) => s.server.stats().envelopes;
const target = { contactId: 'ben-id', peerId: 'peer-ben-id' };
const noSignal = new AbortController().signal;

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out: ${what}`);
}

describe('mailbox route: fetching', () => {
  it('a pass that could not reach the mailbox is tried again within seconds, not at the next poll', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
    const s = setup();
    await s.annRoute.send(target, [frame(300, 1)], noSignal);
    expect(held(s)).toBe(1);
    s.opens = 0;
    s.failOpens = 1; // the first circuit fails (the onion layer is still starting)
    s.benRoute.start();
    await vi.advanceTimersByTimeAsync(10);
    await s.benRoute.settled();
    expect(s.opens).toBe(1);
    expect(s.inbound).toHaveLength(0);
    // The poll is 5 minutes away; the retry comes after about a second.
    await vi.advanceTimersByTimeAsync(1_500);
    await s.benRoute.settled();
    expect(s.opens).toBe(2);
    expect(s.inbound.map((f) => f[0])).toEqual([1]);
    expect(held(s)).toBe(0);
  });

  it('frames of one fetch are handed together and deleted once handled; a frame missing a fragment waits; an unreadable envelope is deleted', async () => {
    const s = setup();
    // A small frame, a frame of two envelopes whose second is lost on the way, another small frame.
    s.swallowDeposits.add(3);
    await s.annRoute.send(
      target,
      [frame(300, 1), frame(MAILBOX_ENVELOPE_BYTES + 500, 2), frame(300, 3)],
      noSignal,
    );
    expect(held(s)).toBe(3);
    // Garbage in Ben's slot (it does not open with the pair's key).
    const pair = pairSecretOf(s.ann.dhSecret, s.ben.dhPublic, s.ann.signPublic, s.ben.signPublic);
    const slot = slotFor(directionKeys(pair, s.ann.signPublic, s.ben.signPublic), epochAt(Date.now()));
    const channel: MailboxChannel = {
      request: (bytes) => s.server.handle(bytes, 'garbage-source'),
      close: async () => {},
    };
    const session = new MailboxSession({
      channel,
      mailboxId: mailboxIdOf(s.locator.peerId),
      rng,
      now: Date.now,
    });
    expect(await session.deposit(slot.token, rng(MAILBOX_ENVELOPE_BYTES))).toBe(true);
    expect(held(s)).toBe(4);

    s.holdInbound = true;
    s.benRoute.start();
    // Both whole frames are handed before either is handled: one batch, one commit, one receipt.
    await until('two frames handed', () => s.inbound.length === 2);
    expect(s.inbound.map((f) => f[0])).toEqual([1, 3]);
    expect(held(s)).toBe(4); // nothing deleted before the frames were handled
    s.release();
    await s.benRoute.settled();
    // Both small frames and the garbage are gone; the lone fragment waits for its other half.
    expect(held(s)).toBe(1);

    // Ann deposits the frame again (the resend): the same envelopes, so the mailbox completes it.
    s.holdInbound = false;
    await s.annRoute.send(target, [frame(MAILBOX_ENVELOPE_BYTES + 500, 2)], noSignal);
    expect(held(s)).toBe(2);
    s.benRoute.fetchSoon();
    await until('the whole frame handed', () => s.inbound.length === 3);
    await s.benRoute.settled();
    expect(s.inbound[2]).toEqual(frame(MAILBOX_ENVELOPE_BYTES + 500, 2));
    expect(held(s)).toBe(0);
  });
});

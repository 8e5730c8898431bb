/**
 * Reliability across stops and restarts: messages to a stopped contact stay pending (no error) and are
 * all delivered, in order, when it comes back; after both restart, they find each other again from the
 * stored addresses (remembered ports, mDNS off) and chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupDirs, createPeer, idOf, type Peer, pair, waitFor } from './helpers.ts';

let alice: Peer;
let bob: Peer;

beforeAll(async () => {
  alice = await createPeer('Alice');
  bob = await createPeer('Bob');
  await pair(alice, bob);
  await alice.api.verifyContact(await idOf(alice.api, 'Bob'), 'confirm');
  await bob.api.verifyContact(await idOf(bob.api, 'Alice'), 'confirm');
});
afterAll(async () => {
  await alice?.close().catch(() => undefined);
  await bob?.close().catch(() => undefined);
  cleanupDirs();
});

describe('offline and restarts', () => {
  it('keeps 20 messages pending while the contact is stopped, then delivers all in order', async () => {
    // Let the joiner's first message (its address update) settle so both sessions are ready.
    await waitFor(
      'bob online at alice',
      async () => (await alice.api.contact(await idOf(alice.api, 'Bob'))).path !== 'offline',
    );
    await bob.close();
    await waitFor(
      'bob offline at alice',
      async () => (await alice.api.contact(await idOf(alice.api, 'Bob'))).path === 'offline',
    );
    const sent = [];
    for (let i = 1; i <= 20; i++)
      sent.push(await alice.api.send(await idOf(alice.api, 'Bob'), `message ${i}`));
    await new Promise((r) => setTimeout(r, 300));
    const pending = await alice.api.contactMessages(await idOf(alice.api, 'Bob'));
    expect(pending.filter((m) => m.direction === 'out').every((m) => m.state === 'pending')).toBe(true);

    const t0 = performance.now();
    await bob.reopen();
    await waitFor(
      'all 20 delivered',
      async () => {
        const log = await alice.api.contactMessages(await idOf(alice.api, 'Bob'));
        return log.filter((m) => m.direction === 'out' && m.state === 'delivered').length === 20;
      },
      30_000,
    );
    const ms = performance.now() - t0;
    const received = (await bob.api.contactMessages(await idOf(bob.api, 'Alice'))).filter(
      (m) => m.direction === 'in',
    );
    expect(received.map((m) => m.body)).toEqual(sent.map((m) => m.body));
    expect(received.map((m) => m.seq)).toEqual([...received.map((m) => m.seq)].sort((a, b) => a - b));
    console.log(`offline→online: 20 messages delivered ${Math.round(ms)} ms after bob reopened`);
  });

  it('finds each other again from stored addresses after both restart', async () => {
    const before = (await alice.api.network()).addresses;
    await alice.close();
    await bob.close();
    await alice.reopen();
    expect((await alice.api.network()).addresses).toEqual(before);
    const t0 = performance.now();
    await bob.reopen();
    await waitFor(
      'connected again',
      async () => (await bob.api.contact(await idOf(bob.api, 'Alice'))).path !== 'offline',
    );
    const ms = performance.now() - t0;
    await waitFor(
      'alice sees bob on the lan',
      async () => (await alice.api.contact(await idOf(alice.api, 'Bob'))).path === 'lan',
    );
    const m = await bob.api.send(await idOf(bob.api, 'Alice'), 'back again');
    await waitFor('delivered after restart', async () => {
      const log = await bob.api.contactMessages(await idOf(bob.api, 'Alice'));
      return log.find((x) => x.id === m.id)?.state === 'delivered';
    });
    expect((await alice.api.contactMessages(await idOf(alice.api, 'Bob'))).at(-1)?.body).toBe('back again');
    expect((await alice.api.contact(await idOf(alice.api, 'Bob'))).verification).toBe('verified');
    console.log(`restart: reconnected ${Math.round(ms)} ms after bob reopened`);
  });
});

/**
 * Invite → join → same SAS on both sides → confirm → messages both ways → delivered on both logs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupDirs, createPeer, idOf, type Peer, pair, waitFor } from './helpers.ts';

const peers: Peer[] = [];
afterAll(async () => {
  for (const p of peers) await p.close().catch(() => undefined);
  cleanupDirs();
});

describe('invite and join', () => {
  it('pairs two profiles with the same SAS, verifies them and delivers messages both ways', async () => {
    const alice = await createPeer('Alice');
    const bob = await createPeer('Bob');
    peers.push(alice, bob);
    const { sasA, sasB, aName, bName } = await pair(alice, bob);
    expect(sasA).toMatch(/^\d{3} \d{3}$/);
    expect(sasA).toBe(sasB);
    expect(aName).toBe('Alice');
    expect(bName).toBe('Bob');

    expect((await alice.api.verifyContact(await idOf(alice.api, 'Bob'), 'confirm')).verification).toBe(
      'verified',
    );
    expect((await bob.api.verifyContact(await idOf(bob.api, 'Alice'), 'confirm')).verification).toBe(
      'verified',
    );
    expect(await alice.api.safetyNumber(await idOf(alice.api, 'Bob'))).toBe(
      await bob.api.safetyNumber(await idOf(bob.api, 'Alice')),
    );

    const m1 = await alice.api.send(await idOf(alice.api, 'Bob'), 'hello bob');
    expect(m1.state).toBe('pending');
    const m2 = await bob.api.send(await idOf(bob.api, 'Alice'), 'hi alice');
    await waitFor('both delivered', async () => {
      const a = await alice.api.contactMessages(await idOf(alice.api, 'Bob'));
      const b = await bob.api.contactMessages(await idOf(bob.api, 'Alice'));
      const ok =
        a.length === 2 &&
        b.length === 2 &&
        a.every((m) => m.state === 'delivered') &&
        b.every((m) => m.state === 'delivered');
      return ok ? true : undefined;
    });
    const aLog = await alice.api.contactMessages(await idOf(alice.api, 'Bob'));
    const bLog = await bob.api.contactMessages(await idOf(bob.api, 'Alice'));
    expect(aLog.map((m) => [m.direction, m.body])).toContainEqual(['out', 'hello bob']);
    expect(aLog.map((m) => [m.direction, m.body])).toContainEqual(['in', 'hi alice']);
    expect(bLog.map((m) => [m.direction, m.body])).toContainEqual(['in', 'hello bob']);
    expect(aLog.find((m) => m.id === m1.id)?.state).toBe('delivered');
    expect(bLog.find((m) => m.id === m2.id)?.state).toBe('delivered');
    const convs = await bob.api.conversations();
    expect(convs.find((c) => c.title === 'Alice')?.unread).toBe(1);
  });
});

/**
 * PvtApi is keyed by contact id: a contact renamed between the UI's lookup and the send still gets the
 * message (not whoever holds the name now), over real profiles on loopback. And the name resolution the
 * CLI and the TUI use: local name, id, unique display name; unknown and ambiguous names fail listing
 * the names that could be meant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactView } from '../../src/app/api.ts';
import { resolveContact } from '../../src/app/contact-lookup.ts';
import { cleanupDirs, createPeer, idOf, type Peer, pair, waitFor } from './helpers.ts';

let alice: Peer;
let bob: Peer;
let carol: Peer;

beforeAll(async () => {
  alice = await createPeer('Alice');
  bob = await createPeer('Bob');
  carol = await createPeer('Carol');
  await pair(alice, bob);
  await pair(alice, carol);
}, 60_000);

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close(), carol?.close()]);
  cleanupDirs();
});

describe('contacts by id', () => {
  it('a rename between lookup and send does not redirect the message', async () => {
    const bobId = await idOf(alice.api, 'Bob'); // the UI looked Bob up…
    // …then, before the send, Bob is renamed and Carol takes his old name.
    await alice.api.renameContact(bobId, 'Robert');
    await alice.api.renameContact(await idOf(alice.api, 'Carol'), 'Bob');
    const m = await alice.api.send(bobId, 'for the real Bob');
    await waitFor('delivered', async () => {
      const log = await alice.api.contactMessages(bobId);
      return log.find((x) => x.id === m.id)?.state === 'delivered';
    });
    const atBob = await bob.api.contactMessages(await idOf(bob.api, 'Alice'));
    expect(atBob.filter((x) => x.direction === 'in').map((x) => x.body)).toEqual(['for the real Bob']);
    const atCarol = await carol.api.contactMessages(await idOf(carol.api, 'Alice'));
    expect(atCarol.some((x) => x.body === 'for the real Bob')).toBe(false);
    expect(m.conversationId).toBe(bobId);
    expect((await alice.api.contact(bobId)).name).toBe('Robert');
  });
});

describe('resolveContact', () => {
  const contact = (id: string, name: string, displayName: string): ContactView => ({
    id,
    name,
    displayName,
    fingerprint: 'AAAA-AAAA-AAAA-AAAA',
    verification: 'unverified',
    path: 'offline',
    conversationId: id,
    addedAt: 0,
    lastSeenAt: null,
  });
  const list = [
    contact('a1', 'Sam', 'Samantha'),
    contact('b2', 'Sam (work)', 'Samuel'),
    contact('c3', 'Kim', 'Alice'),
    contact('d4', 'Kimberly', 'Kim'),
  ];

  it('finds by local name (ignoring case and spaces around) and by id', () => {
    expect(resolveContact(list, 'sam').id).toBe('a1');
    expect(resolveContact(list, ' SAM (WORK) ').id).toBe('b2');
    expect(resolveContact(list, 'd4').id).toBe('d4');
    expect(resolveContact(list, 'kim').id).toBe('c3');
  });

  it('never guesses from a display name (anyone can announce any name)', () => {
    expect(() => resolveContact(list, 'Alice')).toThrow(expect.objectContaining({ code: 'ContactNotFound' }));
    expect(() => resolveContact(list, 'Samuel')).toThrow(
      expect.objectContaining({ code: 'ContactNotFound' }),
    );
  });

  it('refuses a name several contacts start with, naming them', () => {
    expect(() => resolveContact(list, 'Sa')).toThrow(
      expect.objectContaining({
        code: 'AmbiguousContact',
        message: expect.stringMatching(/"Sam" or "Sam \(work\)"/),
      }),
    );
  });

  it('refuses an unknown name, listing the names that contain it (else all)', () => {
    expect(() => resolveContact(list, 'berly')).toThrow(
      expect.objectContaining({ code: 'ContactNotFound', message: expect.stringContaining('"Kimberly"') }),
    );
    expect(() => resolveContact(list, 'Zed')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('"Sam", "Sam (work)", "Kim", "Kimberly"') }),
    );
  });
});

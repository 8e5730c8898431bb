/**
 * Contacts and conversations through the PvtApi: names (alias, duplicates, rename, invalid), removal,
 * rejection (chat refused with a clear message, streams refused), limits (too long, empty), unread
 * counts and markRead, and address updates (a contact that moved to another port is found again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BODY_BYTES } from '../../src/app/constants.ts';
import { cleanupDirs, createPeer, idOf, type Peer, pair, waitFor } from './helpers.ts';

let alice: Peer;
let bob: Peer;

beforeAll(async () => {
  alice = await createPeer('Alice');
  bob = await createPeer('Bob');
  await pair(alice, bob);
});
afterAll(async () => {
  await alice?.close().catch(() => undefined);
  await bob?.close().catch(() => undefined);
  cleanupDirs();
});

async function delivered(from: Peer, to: string, text: string): Promise<void> {
  const m = await from.api.send(await idOf(from.api, to), text);
  await waitFor(`"${text}" delivered`, async () => {
    const log = await from.api.contactMessages(await idOf(from.api, to));
    return log.find((x) => x.id === m.id)?.state === 'delivered';
  });
}

describe('contacts', () => {
  it('lists, renames (case-insensitive uniqueness) and reports unknown names', async () => {
    const [c] = await alice.api.contacts();
    expect(c).toMatchObject({ name: 'Bob', displayName: 'Bob', verification: 'unverified' });
    expect(c?.fingerprint).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    const renamed = await alice.api.renameContact(await idOf(alice.api, 'bob'), 'Bobby');
    expect(renamed.name).toBe('Bobby');
    expect((await alice.api.conversations()).map((x) => x.title)).toContain('Bobby');
    // A name is resolved once to an id (unknown names list the contacts); an id that is no contact fails.
    await expect(idOf(alice.api, 'Nobody')).rejects.toMatchObject({
      code: 'ContactNotFound',
      message: expect.stringContaining('"Bobby"'),
    });
    await expect(alice.api.renameContact('ab'.repeat(16), 'X')).rejects.toMatchObject({
      code: 'ContactNotFound',
    });
    await expect(alice.api.renameContact(await idOf(alice.api, 'Bobby'), '  ')).rejects.toMatchObject({
      code: 'InvalidContactName',
    });
    await expect(alice.api.renameContact(await idOf(alice.api, 'Bobby'), 'a\u202eb')).rejects.toMatchObject({
      code: 'InvalidContactName',
    });
    await expect(idOf(alice.api, 'Bob')).rejects.toMatchObject({ code: 'ContactNotFound' });
    await alice.api.renameContact(await idOf(alice.api, 'Bobby'), 'Bob');
  });

  it('refuses messages that are empty or too long, with the limit in the message', async () => {
    await expect(alice.api.send(await idOf(alice.api, 'Bob'), '   ')).rejects.toMatchObject({
      code: 'EmptyMessage',
    });
    const long = 'x'.repeat(MAX_MESSAGE_BODY_BYTES + 1);
    await expect(alice.api.send(await idOf(alice.api, 'Bob'), long)).rejects.toMatchObject({
      code: 'MessageTooLong',
      message: expect.stringContaining(`limit is ${MAX_MESSAGE_BODY_BYTES} bytes`),
    });
    await delivered(alice, 'Bob', 'é'.repeat(MAX_MESSAGE_BODY_BYTES / 2));
  });

  it('counts unread messages per conversation and clears them with markRead', async () => {
    await delivered(alice, 'Bob', 'one');
    await delivered(alice, 'Bob', 'two');
    const conv = (await bob.api.conversations()).find((c) => c.title === 'Alice');
    expect(conv?.unread).toBeGreaterThanOrEqual(2);
    await bob.api.markRead(conv?.id ?? '');
    expect((await bob.api.conversations()).find((c) => c.title === 'Alice')?.unread).toBe(0);
    expect(bob.events.some((e) => e.type === 'conversation-updated' && e.conversation.unread === 0)).toBe(
      true,
    );
  });

  it('finds a contact that moved to another port through its address update', async () => {
    const port = (p: Peer) => async () => Number((await p.api.network()).addresses[0]?.split('/')[4]);
    const aliceOld = await port(alice)();
    await alice.close();
    await alice.reopen(aliceOld + 1);
    expect(await port(alice)()).not.toBe(aliceOld);
    // Alice dials Bob (Bob did not move); her address update goes first in her outbox.
    await delivered(alice, 'Bob', 'I moved');
    // Now Bob moves too: Alice only knows his old port, so only Bob can dial — at Alice's new address.
    const bobOld = await port(bob)();
    await alice.close();
    await bob.close();
    await alice.reopen();
    await bob.reopen(bobOld + 1);
    await delivered(bob, 'Alice', 'found you');
    await delivered(alice, 'Bob', 'and I you');
  });

  it('rejecting a contact refuses chat with a clear message; removal forgets everything', async () => {
    const rejected = await bob.api.verifyContact(await idOf(bob.api, 'Alice'), 'reject');
    expect(rejected.verification).toBe('rejected');
    await expect(bob.api.send(await idOf(bob.api, 'Alice'), 'hi')).rejects.toMatchObject({
      code: 'ContactRejected',
      message: expect.stringContaining('did not match'),
    });
    // Alice's messages are not accepted any more (her streams are refused): they stay unacknowledged.
    const m = await alice.api.send(await idOf(alice.api, 'Bob'), 'are you there?');
    await new Promise((r) => setTimeout(r, 500));
    expect(
      (await alice.api.contactMessages(await idOf(alice.api, 'Bob'))).find((x) => x.id === m.id)?.state,
    ).not.toBe('delivered');
    expect(
      (await bob.api.contactMessages(await idOf(bob.api, 'Alice'))).some((x) => x.body === 'are you there?'),
    ).toBe(false);

    // When Alice rejects Bob too, what she still had waiting fails, with the reason, and stays failed.
    await alice.api.verifyContact(await idOf(alice.api, 'Bob'), 'reject');
    const failed = (await alice.api.contactMessages(await idOf(alice.api, 'Bob'))).find((x) => x.id === m.id);
    expect(failed).toMatchObject({ state: 'failed', failure: expect.stringContaining('rejected') });
    expect(
      alice.events.some((e) => e.type === 'message-state' && e.id === m.id && e.state === 'failed'),
    ).toBe(true);

    const aliceId = await idOf(bob.api, 'Alice');
    await bob.api.removeContact(aliceId);
    expect(await bob.api.contacts()).toEqual([]);
    expect((await bob.api.conversations()).map((c) => c.title)).not.toContain('Alice');
    expect(bob.events.some((e) => e.type === 'contact-removed' && e.name === 'Alice')).toBe(true);
    await expect(bob.api.contactMessages(aliceId)).rejects.toMatchObject({ code: 'ContactNotFound' });
  });
});

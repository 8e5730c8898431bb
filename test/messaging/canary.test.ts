/**
 * No plaintext at rest from messaging: after two profiles pair (with an alias), chat both ways and keep
 * an undelivered message in the outbox, every file under both data dirs (db, WAL, logs at debug level)
 * is searched for the message texts, display names, alias and invite code — while open and after close.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { filesContaining } from '../helpers/files.ts';
import { cleanupDirs, createPeer, idOf, type Peer, waitFor } from './helpers.ts';

const peers: Peer[] = [];
afterAll(async () => {
  for (const p of peers) await p.close().catch(() => undefined);
  cleanupDirs();
});

const tag = () => Math.random().toString(36).slice(2, 10);

describe('messaging canary', () => {
  it('writes no message text, contact name, alias or invite secret in clear', async () => {
    const aliceName = `Aurelia-${tag()}`;
    const bobName = `Balthazar-${tag()}`;
    const alias = `Nick-${tag()}`;
    const alice = await createPeer(aliceName);
    const bob = await createPeer(bobName);
    peers.push(alice, bob);
    const invite = await alice.api.createInvite({ expiresInMs: 60_000, alias });
    await bob.api.join(invite.code);
    await waitFor('paired', async () => (await alice.api.contacts()).length === 1);
    const texts = [`hello-canary-${tag()}`, `reply-canary-${tag()}`, `pending-canary-${tag()}`];
    const m1 = await alice.api.send(await idOf(alice.api, alias), texts[0] as string);
    const m2 = await bob.api.send(await idOf(bob.api, aliceName), texts[1] as string);
    await waitFor('delivered', async () => {
      const a = await alice.api.contactMessages(await idOf(alice.api, alias));
      const b = await bob.api.contactMessages(await idOf(bob.api, aliceName));
      return (
        a.find((m) => m.id === m1.id)?.state === 'delivered' &&
        b.find((m) => m.id === m2.id)?.state === 'delivered'
      );
    });
    await bob.close();
    await alice.api.send(await idOf(alice.api, alias), texts[2] as string); // stays in the outbox
    const canaries = [...texts, aliceName, bobName, alias, invite.code, invite.code.slice(10, 40)];
    for (const p of [alice, bob])
      for (const c of canaries) expect(filesContaining(p.dataDir, c), c).toEqual([]);
    await alice.close();
    for (const p of [alice, bob])
      for (const c of canaries) expect(filesContaining(p.dataDir, c), c).toEqual([]);
  });
});

/**
 * Invites that must fail, each with its named error and message, leaving both sides unchanged: a second
 * use, an expired code (caught by the joiner, and by the inviter when the joiner's clock is behind), a
 * mistyped code (checksum), a code re-made with another secret (the inviter refuses it).
 */
import { randomBytes } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVITE_PROTOCOL, MAX_INVITE_FRAME_BYTES } from '../../src/net/constants.ts';
import { frameReader, writeFrame } from '../../src/net/frames.ts';
import { startNode } from '../../src/net/node.ts';
import { MAX_JOIN_ATTEMPTS_PER_INVITE } from '../../src/protocol/constants.ts';
import { createJoinRequest } from '../../src/protocol/handshake/joiner.ts';
import { generateIdentity } from '../../src/protocol/identity.ts';
import { decodeInviteText, encodeInviteText } from '../../src/protocol/invite/invite-text.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { cleanupDirs, createPeer, type Peer, waitFor } from './helpers.ts';

const peers: Peer[] = [];
let alice: Peer;
let bob: Peer;
let carol: Peer;

beforeAll(async () => {
  alice = await createPeer('Alice');
  bob = await createPeer('Bob');
  carol = await createPeer('Carol');
  peers.push(alice, bob, carol);
});
afterAll(async () => {
  for (const p of peers) await p.close().catch(() => undefined);
  cleanupDirs();
});

async function counts(): Promise<number[]> {
  return [
    (await alice.api.contacts()).length,
    (await bob.api.contacts()).length,
    (await carol.api.contacts()).length,
  ];
}

describe('invite failures change nothing', () => {
  it('refuses a second use of an invite', async () => {
    const invite = await alice.api.createInvite({ expiresInMs: 60_000 });
    await bob.api.join(invite.code);
    await waitFor('alice has bob', async () => (await alice.api.contacts()).length === 1);
    const before = await counts();
    await expect(carol.api.join(invite.code)).rejects.toMatchObject({
      code: 'InviteAlreadyUsed',
      message: expect.stringContaining('already used'),
    });
    // Bob again (already a contact): refused locally before any dial.
    await expect(bob.api.join(invite.code)).rejects.toMatchObject({ code: 'AlreadyContact' });
    expect(await counts()).toEqual(before);
  });

  it('refuses an expired code at the joiner', async () => {
    const invite = await alice.api.createInvite({ expiresInMs: 1_000 });
    await new Promise((r) => setTimeout(r, 1_100));
    const before = await counts();
    await expect(carol.api.join(invite.code)).rejects.toMatchObject({
      code: 'InviteExpired',
      message: expect.stringContaining('expired'),
    });
    expect(await counts()).toEqual(before);
  });

  it('refuses a mistyped code (checksum)', async () => {
    const invite = await alice.api.createInvite({ expiresInMs: 60_000 });
    const i = 20;
    const swapped = invite.code[i] === 'q' ? 'p' : 'q';
    const typo = invite.code.slice(0, i) + swapped + invite.code.slice(i + 1);
    const before = await counts();
    await expect(carol.api.join(typo)).rejects.toMatchObject({
      code: 'InvalidInviteChecksum',
      message: expect.stringContaining('checksum'),
    });
    await expect(carol.api.join('hello')).rejects.toMatchObject({ code: 'MalformedInvite' });
    await expect(carol.api.join(`pvt1${'q'.repeat(40)}`)).rejects.toMatchObject({
      code: 'InvalidInviteChecksum',
    });
    expect(await counts()).toEqual(before);
  });

  it('refuses a well-formed code with a forged secret (the inviter does not know it)', async () => {
    const invite = decodeInviteText((await alice.api.createInvite({ expiresInMs: 60_000 })).code);
    const secret = Uint8Array.from(invite.secret);
    secret[0] = (secret[0] as number) ^ 1;
    const forged = encodeInviteText({ ...invite, secret });
    const before = await counts();
    await expect(carol.api.join(forged)).rejects.toMatchObject({
      code: 'InviteRefused',
      message: expect.stringContaining('does not know this invite'),
    });
    expect(await counts()).toEqual(before);
  });

  it('refuses at the inviter an invite that expired there (joiner clock behind)', async () => {
    const late = await createPeer('Dave', { now: () => Date.now() - 30_000 });
    peers.push(late);
    const invite = await alice.api.createInvite({ expiresInMs: 1_000 });
    await new Promise((r) => setTimeout(r, 1_100));
    const before = await counts();
    await expect(late.api.join(invite.code)).rejects.toMatchObject({ code: 'InviteExpired' });
    expect(await counts()).toEqual(before);
    expect(await late.api.contacts()).toEqual([]);
  });

  it('answers one join attempt at a time, and at most 5 per invite', async () => {
    const code = (await alice.api.createInvite({ expiresInMs: 60_000 })).code;
    const invite = decodeInviteText(code);
    const address = multiaddr((await alice.api.network()).addresses[0] as string);
    /** A joiner that holds the code, sends its JoinRequest, reads the answer and stops there. */
    const halfJoin = async () => {
      const node = (
        await startNode({ transportSeed: randomBytes(32), port: 0, loopbackOnly: true, mdns: false })
      ).libp2p;
      const stream = await node.dialProtocol(address, INVITE_PROTOCOL);
      const request = createJoinRequest({
        invite,
        identity: generateIdentity({ displayName: 'Mallory', nowMs: Date.now(), rng: systemRng }),
        locator: { peerId: node.peerId.toMultihash().bytes, addrs: [], mailbox: new Uint8Array(0) },
        nowMs: Date.now(),
        rng: systemRng,
      });
      await writeFrame(stream, request.message, MAX_INVITE_FRAME_BYTES);
      const answer = await frameReader(stream, MAX_INVITE_FRAME_BYTES).next();
      return { answered: answer !== null && answer[0] === 1, stop: () => node.stop() };
    };
    const before = await counts();
    const held = await halfJoin();
    expect(held.answered).toBe(true);
    await expect(carol.api.join(code)).rejects.toMatchObject({
      code: 'InviteRefused',
      message: expect.stringContaining('in progress'),
    });
    await held.stop();
    for (let i = 1; i < MAX_JOIN_ATTEMPTS_PER_INVITE; i++) {
      // The previous attempt's stream is gone: the inviter answers the next one.
      const attempt = await waitFor('an answered attempt', async () => {
        const a = await halfJoin();
        if (!a.answered) await a.stop();
        return a.answered ? a : undefined;
      });
      await attempt.stop();
    }
    await waitFor('revoked', async () => {
      try {
        await carol.api.join(code);
        return undefined;
      } catch (error) {
        return (error as Error).message.includes('revoked') ? true : undefined;
      }
    });
    expect(await counts()).toEqual(before);
  });

  it('still lets a valid invite through afterwards', async () => {
    const invite = await alice.api.createInvite({ expiresInMs: 60_000, alias: 'Caz' });
    const joined = await carol.api.join(invite.code, { alias: 'Ally' });
    expect(joined.contact.name).toBe('Ally');
    await waitFor('alice has carol as Caz', async () =>
      (await alice.api.contacts()).some((c) => c.name === 'Caz'),
    );
  });

  it('refuses an own invite, and invites or joins without the network', async () => {
    const invite = await alice.api.createInvite({ expiresInMs: 60_000 });
    await expect(alice.api.join(invite.code)).rejects.toMatchObject({ code: 'OwnInvite' });
    const offline = await createPeer('Erin', { network: false });
    peers.push(offline);
    await expect(offline.api.createInvite()).rejects.toMatchObject({ code: 'NetworkOffline' });
    await expect(offline.api.join(invite.code)).rejects.toMatchObject({ code: 'NetworkOffline' });
    expect((await offline.api.network()).online).toBe(false);
  });
});

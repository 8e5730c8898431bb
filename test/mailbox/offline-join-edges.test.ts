/**
 * The edges of an offline join (docs/protocol/mailbox.md, "Offline join"; docs/decisions.md "Issue 12 —
 * offline join edges"), real Pvt instances in this process (real stores, libp2p on loopback), a real
 * mailbox dialled directly, and Mallory, who holds the code, reading and writing the join slots herself:
 * - Mallory answers Ben's request as a fake inviter, so Ben's reveal (message 3) cannot verify at Ann:
 *   Ann refuses it through the reply slot, naming it, and Ben's join ends with a clear error (not a
 *   wait until the invite expires); Ben deletes the refusal he read; Ann's answer waits on.
 * - Dee's request is answered, then Dee vanishes; Cy's request waits; once the answer is older than the
 *   answer wait (PVT_JOIN_ANSWER_WAIT_MS) Ann gives it up — a refusal naming Dee's request, her message 2
 *   withdrawn — and answers Cy: Cy and Ann have each other with the same SAS. Dee, back, reads the
 *   refusal: his pending join ends, and he deletes the refusal.
 * - Six requests nobody follows up: five are answered and given up in turn (each counted), the sixth
 *   is refused as revoked (MAX_JOIN_ATTEMPTS_PER_INVITE): giving up does not give a man in the middle
 *   more than five chances.
 * - An invite expires with an answer nobody took and a request that came too late: its inviter, back,
 *   empties both join slots; the joiner's expired pending join is dropped when its profile is opened,
 *   even without the network.
 */
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PvtEvent } from '../../src/app/api.ts';
import { checkRefusal, isRefusal, refusalTarget } from '../../src/app/invite-refusals.ts';
import { createLauncher } from '../../src/app/launcher.ts';
import { frameHash, JoinSlots, type SlotFrame } from '../../src/app/mailbox-join.ts';
import { InviteRefusedError } from '../../src/app/messaging-errors.ts';
import { nullLogger } from '../../src/log/logger.ts';
import { consumeJoinRequest, createInviterResponse } from '../../src/protocol/handshake/inviter.ts';
import { createJoinRequest } from '../../src/protocol/handshake/joiner.ts';
import { peekMessageType } from '../../src/protocol/handshake/wire.ts';
import { generateIdentity } from '../../src/protocol/identity.ts';
import { decodeInviteText } from '../../src/protocol/invite/invite-text.ts';
import { decodeMailboxLocators } from '../../src/protocol/mailbox/locator.ts';
import { profilePaths } from '../../src/store/paths.ts';
import {
  cleanupDirs as cleanupPeers,
  createPeer,
  PASSPHRASE,
  type Peer,
  TEST_ARGON2,
  waitFor,
} from '../messaging/helpers.ts';
import { cleanupDirs, startTestNode, type TestNode } from './helpers.ts';

process.env.PVT_MAILBOX_TRANSPORT = 'direct';
process.env.PVT_MAILBOX_POLL_MS = '300';
process.env.PVT_JOIN_ANSWER_WAIT_MS = '1000';
process.env.PVT_JOIN_SWEEP_GRACE_MS = '1';

const rng = (n: number) => new Uint8Array(randomBytes(n));
const signal = new AbortController().signal;
let keeper: Peer;
let ann: Peer;
let mallory: TestNode;
const peers: Peer[] = [];

beforeAll(async () => {
  keeper = await createPeer('Keeper');
  ann = await createPeer('Ann');
  peers.push(keeper, ann);
  await keeper.api.setMailboxServe(true);
  const net = await keeper.api.network();
  const addr = net.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/')) as string;
  await ann.api.addMailbox(addr.includes('/p2p/') ? addr : `${addr}/p2p/${net.peerId}`);
  mallory = await startTestNode();
}, 60_000);
afterAll(async () => {
  for (const p of peers) await p.close().catch(() => undefined);
  await mallory?.close();
  cleanupPeers();
  cleanupDirs();
}, 60_000);

/** The join slots of an invite as Mallory (she holds the code) sees them, writing `writes`. */
function slotsOf(code: string, writes: 'request' | 'reply'): JoinSlots {
  const invite = decodeInviteText(code, { nowMs: Date.now() });
  return new JoinSlots({
    inviteSecret: invite.secret,
    writes,
    mailboxes: decodeMailboxLocators(invite.inviter.mailbox),
    transport: () => mallory.service.direct,
    rng,
    now: Date.now,
    logger: nullLogger,
  });
}

function typeOf(f: SlotFrame): string {
  return isRefusal(f.frame) ? 'refusal' : peekMessageType(f.frame);
}

/** Waits until the slots Mallory reads hold a frame of `type`. */
function frameOf(slots: JoinSlots, type: string): Promise<SlotFrame> {
  return waitFor(
    `a ${type} in the join slots`,
    async () => (await slots.fetch(new Set(), signal)).frames.find((f) => typeOf(f) === type),
    30_000,
  );
}

async function pendingStep(peer: Peer, step: string): Promise<true> {
  return waitFor(`${peer.name}'s join ${step}`, async () =>
    (await peer.api.pendingJoins()).some((p) => p.role === 'joiner' && p.step === step) ? true : undefined,
  );
}

async function inviteAndLeave(): Promise<string> {
  const { code } = await ann.api.createInvite({ expiresInMs: 180_000 });
  await ann.close();
  return code;
}

describe('offline join edges', () => {
  test("a reveal that cannot verify is refused by name: the joiner's join ends with a clear error", async () => {
    const ben = await createPeer('Ben');
    peers.push(ben);
    const code = await inviteAndLeave();
    const joining = ben.api.join(code, { alias: 'Ann' }).catch((e: unknown) => e);

    // Mallory answers Ben's request herself: Ben's reveal is made against her message 2.
    const asInviter = slotsOf(code, 'reply');
    const request = await frameOf(asInviter, 'joinRequest');
    const invite = decodeInviteText(code, { nowMs: Date.now() });
    const fake = generateIdentity({ displayName: 'Mallory', nowMs: Date.now(), rng });
    const received = consumeJoinRequest(
      { invite, identity: fake, locator: invite.inviter },
      request.frame,
      Date.now(),
    );
    await asInviter.deposit(createInviterResponse(received, rng).message, signal);
    await pendingStep(ben, 'waiting-for-confirmation');
    const reveal = await frameOf(asInviter, 'joinerReveal');
    const ended: PvtEvent[] = [];
    const unsubscribe = ben.api.subscribe((e) => {
      if (e.type === 'join-ended') ended.push(e);
    });

    await ann.reopen();
    const error = await joining;
    expect(error).toBeInstanceOf(InviteRefusedError);
    expect((error as Error).message).toContain('could not verify your answer');
    // A UI that watched (the panel closed) is told which join ended, and why.
    unsubscribe();
    expect(ended).toHaveLength(1);
    const [end] = ended;
    expect(end?.type === 'join-ended' && end.failure).toBe((error as Error).message);
    expect(end?.type === 'join-ended' && end.join?.name).toBe('Ann');
    expect(await ben.api.contacts()).toEqual([]);
    expect(await ben.api.pendingJoins()).toEqual([]);
    expect(await ann.api.contacts()).toEqual([]);
    // Ann's answer to Ben's request waits on (only its own reveal could complete it).
    expect((await ann.api.pendingJoins()).map((p) => p.role)).toEqual(['inviter']);
    // Ben deleted the refusal naming his reveal once he had read it; Ann deleted the reveal.
    const replies = (await slotsOf(code, 'request').fetch(new Set(), signal)).frames;
    expect(replies.filter((f) => refusalTarget(f.frame) === reveal.hash)).toEqual([]);
    await waitFor('the bad reveal deleted', async () =>
      (await asInviter.fetch(new Set(), signal)).frames.every((f) => f.hash !== reveal.hash)
        ? true
        : undefined,
    );
  }, 60_000);

  test('an answer left without a reveal gives way to a waiting request; its joiner is told', async () => {
    const dee = await createPeer('Dee');
    const cy = await createPeer('Cy');
    peers.push(dee, cy);
    const code = await inviteAndLeave();
    const asInviter = slotsOf(code, 'reply');
    const asJoiner = slotsOf(code, 'request');

    // Dee's request waits; Dee goes away; Ann answers it, then goes away too.
    const deeJoining = dee.api.join(code).catch((e: unknown) => e);
    await pendingStep(dee, 'waiting-for-inviter');
    const deeRequest = await frameOf(asInviter, 'joinRequest');
    await dee.close();
    await deeJoining;
    await ann.reopen();
    const answer = await frameOf(asJoiner, 'inviterResponse');
    await ann.close();

    // Cy's request waits behind the answer; Ann, back, gives the stale answer up and answers Cy.
    const cyJoining = cy.api.join(code, { alias: 'Ann' });
    await pendingStep(cy, 'waiting-for-inviter');
    await ann.reopen();
    const joined = await cyJoining;
    expect(joined.contact.name).toBe('Ann');
    const atAnn = await waitFor('Ann to have Cy', async () => (await ann.api.contacts())[0]);
    expect(atAnn.displayName).toBe('Cy');
    expect(atAnn.sas).toBe(joined.sas);

    // What is left for Dee: a refusal naming his request, and no answer (withdrawn).
    const left = await waitFor('only the refusal left for Dee', async () => {
      const frames = (await asJoiner.fetch(new Set(), signal)).frames;
      return frames.length === 1 ? frames : undefined;
    });
    const refusalFrame = left[0] as SlotFrame;
    expect(refusalTarget(refusalFrame.frame)).toBe(deeRequest.hash);
    expect(left.some((f) => f.hash === answer.hash)).toBe(false);
    expect(() => checkRefusal(refusalFrame.frame, 0)).toThrow(/stopped waiting for your answer/);

    // Dee comes back: his join ends on the refusal, which he deletes.
    await dee.reopen();
    await waitFor('Dee to drop his join', async () =>
      (await dee.api.pendingJoins()).length === 0 ? true : undefined,
    );
    expect(await dee.api.contacts()).toEqual([]);
    await waitFor('the refusal deleted', async () =>
      (await asJoiner.fetch(new Set(), signal)).frames.length === 0 ? true : undefined,
    );
  }, 90_000);

  test('every answer counts: after five, given up one by one, the sixth request is refused as revoked', async () => {
    const { code } = await ann.api.createInvite({ expiresInMs: 180_000 });
    const invite = decodeInviteText(code, { nowMs: Date.now() });
    const asJoiner = slotsOf(code, 'request');
    const fake = generateIdentity({ displayName: 'Mallory', nowMs: Date.now(), rng });
    const requests = Array.from({ length: 6 }, () =>
      createJoinRequest({ invite, identity: fake, locator: invite.inviter, nowMs: Date.now(), rng }),
    );
    for (const r of requests) await asJoiner.deposit(r.message, signal);
    // Nobody reveals: each answer gives way to the next request once it is older than the answer wait.
    const replies = await waitFor(
      'a refusal for each request',
      async () => {
        const frames = (await asJoiner.fetch(new Set(), signal)).frames;
        return frames.filter((f) => isRefusal(f.frame)).length === 6 ? frames : undefined;
      },
      60_000,
    );
    const reasons = replies.map((f) => f.frame[1]);
    expect(reasons.filter((r) => r === 9)).toHaveLength(5); // abandoned: answered, counted, given up
    expect(reasons.filter((r) => r === 6)).toHaveLength(1); // revoked: MAX_JOIN_ATTEMPTS_PER_INVITE reached
    expect(new Set(replies.map((f) => refusalTarget(f.frame)))).toEqual(
      new Set(requests.map((r) => frameHash(r.message))),
    );
    expect(replies.map(typeOf).every((t) => t === 'refusal')).toBe(true); // every message 2 withdrawn
  }, 90_000);

  test('an expired invite: the inviter empties its join slots; an expired join is dropped at open, offline too', async () => {
    const flo = await createPeer('Flo');
    peers.push(flo);
    const { code } = await ann.api.createInvite({ expiresInMs: 8_000 });
    await ann.close();
    const invite = decodeInviteText(code, { nowMs: Date.now() });
    const asInviter = slotsOf(code, 'reply');
    const asJoiner = slotsOf(code, 'request');

    // Flo's request is answered while Flo is away; a request Mallory makes then waits, Ann away too.
    const floJoining = flo.api.join(code).catch((e: unknown) => e);
    await pendingStep(flo, 'waiting-for-inviter');
    await frameOf(asInviter, 'joinRequest');
    await flo.close();
    await floJoining;
    await ann.reopen();
    await frameOf(asJoiner, 'inviterResponse');
    await ann.close();
    const fake = generateIdentity({ displayName: 'Mallory', nowMs: Date.now(), rng });
    const late = createJoinRequest({
      invite,
      identity: fake,
      locator: invite.inviter,
      nowMs: Date.now(),
      rng,
    });
    await asJoiner.deposit(late.message, signal);
    const wait = invite.expiresAtSeconds * 1000 - Date.now() + 100;
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    expect((await asJoiner.fetch(new Set(), signal)).frames.map(typeOf)).toEqual(['inviterResponse']);
    const waiting = (await asInviter.fetch(new Set(), signal)).frames.map((f) => f.hash);
    expect(waiting).toContain(frameHash(late.message));

    await ann.reopen();
    await waitFor(
      'the join slots emptied',
      async () =>
        (await asJoiner.fetch(new Set(), signal)).frames.length === 0 &&
        (await asInviter.fetch(new Set(), signal)).frames.length === 0
          ? true
          : undefined,
      30_000,
    );
    const expiresAt = invite.expiresAtSeconds * 1000;
    expect((await ann.api.pendingJoins()).filter((p) => p.expiresAt === expiresAt)).toEqual([]);

    // Flo's expired join is still stored; opening the profile without the network drops it.
    const rows = () => {
      const db = new DatabaseSync(profilePaths(flo.dataDir, 'default').db, { readOnly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM pending_joins').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(rows()).toBe(1);
    const offline = await createLauncher({
      dataDir: flo.dataDir,
      profile: 'default',
      logLevel: 'debug',
      argon2: TEST_ARGON2,
    }).open({ passphrase: PASSPHRASE, network: false });
    try {
      expect(await offline.pendingJoins()).toEqual([]);
    } finally {
      await offline.close();
    }
    expect(rows()).toBe(0);
  }, 90_000);
});

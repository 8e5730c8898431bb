/**
 * The join slots' transport (src/app/mailbox-join.ts) against a real mailbox on loopback: a handshake
 * message deposited by one side is fetched by the other **without being deleted**, fetched again as
 * long as the reader has not named it as acted on, and deleted only by a fetch that names its hash; a
 * repeated deposit (a restart resending) is stored once; the depositing side never reads its own slot.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { frameHash, JoinSlots } from '../../src/app/mailbox-join.ts';
import { nullLogger } from '../../src/log/logger.ts';
import { MAILBOX_FRAGMENT_DATA_BYTES } from '../../src/protocol/mailbox/constants.ts';
import { cleanupDirs, startTestNode, type TestNode } from './helpers.ts';

let mailbox: TestNode;
let client: TestNode;

beforeAll(async () => {
  mailbox = await startTestNode({ serve: true });
  client = await startTestNode();
}, 30_000);
afterAll(async () => {
  await client?.close();
  await mailbox?.close();
  cleanupDirs();
});

function slots(inviteSecret: Uint8Array, writes: 'request' | 'reply'): JoinSlots {
  return new JoinSlots({
    inviteSecret,
    writes,
    mailboxes: [mailbox.locator()],
    transport: () => client.service.direct,
    rng: (n) => new Uint8Array(randomBytes(n)),
    now: Date.now,
    logger: nullLogger,
  });
}

describe('join slots', () => {
  test('fetch does not delete; a fetch naming the hash does; a repeated deposit is stored once', async () => {
    const secret = new Uint8Array(randomBytes(16));
    const joiner = slots(secret, 'request');
    const inviter = slots(secret, 'reply');
    const signal = new AbortController().signal;
    const frame = new Uint8Array(randomBytes(3000)).fill(1, 0, 1);
    const held = () => mailbox.server?.stats().envelopes ?? -1;
    const before = held();

    await joiner.deposit(frame, signal);
    await joiner.deposit(frame, signal); // resent after a restart: the same envelope
    expect(held()).toBe(before + 1);

    expect((await joiner.fetch(new Set(), signal)).frames).toEqual([]); // its own direction is not read
    const first = await inviter.fetch(new Set(), signal);
    expect(first.reached).toBe(1);
    expect(first.frames.map((f) => f.hash)).toEqual([frameHash(frame)]);
    expect(first.frames[0]?.frame).toEqual(frame);
    const again = await inviter.fetch(new Set(), signal);
    expect(again.frames.map((f) => f.hash)).toEqual([frameHash(frame)]);
    expect(held()).toBe(before + 1);

    const discarded = await inviter.fetch(new Set([frameHash(frame)]), signal);
    expect(discarded.frames).toEqual([]);
    expect(held()).toBe(before);
    expect((await inviter.fetch(new Set(), signal)).frames).toEqual([]);
  }, 30_000);

  test('a message of several envelopes is handed out whole and deleted whole', async () => {
    const secret = new Uint8Array(randomBytes(16));
    const inviter = slots(secret, 'reply');
    const joiner = slots(secret, 'request');
    const signal = new AbortController().signal;
    const frame = new Uint8Array(randomBytes(MAILBOX_FRAGMENT_DATA_BYTES + 10)); // two envelopes
    const before = mailbox.server?.stats().envelopes ?? -1;
    await inviter.deposit(frame, signal);
    const added = (mailbox.server?.stats().envelopes ?? -1) - before;
    expect(added).toBe(2);
    const got = await joiner.fetch(new Set(), signal);
    expect(got.frames.map((f) => f.frame)).toEqual([frame]);
    await joiner.fetch(new Set([frameHash(frame)]), signal);
    expect(mailbox.server?.stats().envelopes).toBe(before);
  }, 30_000);
});

/**
 * bench/throughput: sustained messages per second from one pvt node to another on loopback, with
 * durable storage (synchronous=FULL) on both ends, until every message is delivered (receipt back).
 * Printed beside the rate of durable local appends (notes) in the same run, the storage-only ceiling.
 * Run: npm run bench -- throughput
 */
import { cleanupDirs, createPeer, pair, waitFor } from '../test/messaging/helpers.ts';

const N = Number(process.env.PVT_BENCH_MESSAGES ?? 1000);

const alice = await createPeer('Alice');
const bob = await createPeer('Bob');
await pair(alice, bob);
const bobId = (await alice.api.contacts())[0]?.id as string;
await waitFor('connected', async () => (await alice.api.contacts())[0]?.path !== 'offline' || undefined);

let t0 = performance.now();
for (let i = 0; i < N; i++) await alice.api.sendNote(`note ${i}`.padEnd(100, '.'));
const notesPerSecond = N / ((performance.now() - t0) / 1000);

let delivered = 0;
const done = new Promise<void>((resolve) => {
  alice.api.subscribe((e) => {
    if (e.type === 'message-state' && e.state === 'delivered' && ++delivered === N) resolve();
  });
});
t0 = performance.now();
for (let i = 0; i < N; i++) await alice.api.send(bobId, `throughput ${i}`.padEnd(100, '.'));
const queuedMs = performance.now() - t0;
await done;
const totalMs = performance.now() - t0;
const received = (await bob.api.contactMessages((await bob.api.contacts())[0]?.id as string, { limit: N }))
  .length;

console.log(`durable local appends (notes):            ${notesPerSecond.toFixed(0)} /s`);
console.log(`pvt messages queued (durable outbox):     ${(N / (queuedMs / 1000)).toFixed(0)} /s`);
console.log(
  `pvt messages delivered (receipt back):    ${(N / (totalMs / 1000)).toFixed(0)} /s  (${received}/${N} stored at the receiver)`,
);
console.log(
  `ratio delivered / local appends: ${(N / (totalMs / 1000) / notesPerSecond).toFixed(2)}× (goal ≥ 0.8×)`,
);
console.log(
  JSON.stringify({
    bench: 'throughput',
    messages: N,
    local_appends_per_s: Math.round(notesPerSecond),
    queued_per_s: Math.round(N / (queuedMs / 1000)),
    delivered_per_s: Math.round(N / (totalMs / 1000)),
    received: received,
    ratio: Number((N / (totalMs / 1000) / notesPerSecond).toFixed(3)),
  }),
);
await alice.close();
await bob.close();
cleanupDirs();
process.exit(0);

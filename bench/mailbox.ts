/**
 * bench/mailbox: envelopes per second through a mailbox (deposit with proof-of-work verification and
 * group commit, then fetch of every slot, page by page), on one core, in process — the mailbox's own
 * cost, proofs solved beforehand. Printed beside raw node:sqlite inserts of the same rows into the same
 * kind of file (WAL, synchronous=FULL, same batch size) measured in the same run.
 * Then, end to end (bench/_mailbox-e2e.ts): offline delivery through onion circuits between real daemons
 * on loopback (3 relays, 1 mailbox, Ann, Ben) — per-message deposit time (send → stored) and the time
 * from Ben's start to all messages stored at Ben, beside the direct delivery of as many messages with
 * Ben online, measured in the same run.
 * Run: npm run bench -- mailbox   (PVT_BENCH_ENVELOPES, default 4,000; PVT_BENCH_E2E_MESSAGES, default
 * 20, 0 skips the end-to-end half)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createDrbg } from '../src/crypto/drbg.ts';
import { nullLogger } from '../src/log/logger.ts';
import { MAILBOX_COMMIT_BATCH } from '../src/net/mailbox/constants.ts';
import { createMailboxServer } from '../src/net/mailbox/server.ts';
import {
  MAILBOX_ENVELOPE_BYTES,
  MAILBOX_POW_BASE_BITS,
  MAILBOX_TTL_SECONDS,
} from '../src/protocol/mailbox/constants.ts';
import { envelopeHash, mailboxIdOf, powBucketAt, solvePow } from '../src/protocol/mailbox/pow.ts';
import { directionKeys, slotFor } from '../src/protocol/mailbox/tokens.ts';
import { decodeResponse, encodeRequest } from '../src/protocol/mailbox/wire.ts';
import { openMailboxStore } from '../src/store/mailbox-store.ts';
import { type EndToEndFigures, runEndToEnd } from './_mailbox-e2e.ts';

const N = Number(process.env.PVT_BENCH_ENVELOPES ?? 4000);
const E2E_MESSAGES = Number(process.env.PVT_BENCH_E2E_MESSAGES ?? 20);
const PER_SLOT = 20;
const rng = createDrbg(new Uint8Array(randomBytes(32)));
const dir = mkdtempSync(join(tmpdir(), 'pvt-bench-mbx-'));

// ── baseline: raw node:sqlite inserts of the same rows, same batches, same durability ──
const raw = new DatabaseSync(join(dir, 'raw.db'));
raw.exec('PRAGMA page_size = 16384');
raw.exec('PRAGMA journal_mode = WAL');
raw.exec('PRAGMA synchronous = FULL');
raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, token BLOB, hash BLOB, expires_at INTEGER, envelope BLOB)');
const rows = Array.from({ length: N }, () => ({
  token: rng(32),
  hash: rng(32),
  envelope: rng(MAILBOX_ENVELOPE_BYTES),
}));
const insert = raw.prepare('INSERT INTO t (token, hash, expires_at, envelope) VALUES (?, ?, ?, ?)');
let t0 = performance.now();
for (let i = 0; i < N; i += MAILBOX_COMMIT_BATCH) {
  raw.exec('BEGIN IMMEDIATE');
  for (const r of rows.slice(i, i + MAILBOX_COMMIT_BATCH)) insert.run(r.token, r.hash, 0, r.envelope);
  raw.exec('COMMIT');
}
const rawPerSecond = N / ((performance.now() - t0) / 1000);
raw.close();

// ── the mailbox: deposits (proofs solved beforehand), then fetch everything ──
const store = openMailboxStore({
  path: join(dir, 'mailbox.db'),
  maxEnvelopes: N * 4,
  maxPerToken: 256,
  ttlMs: MAILBOX_TTL_SECONDS * 1000,
  logger: nullLogger,
});
const peerIdBytes = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...rng(32));
const mailboxId = mailboxIdOf(peerIdBytes);
// Capacity well above N and no rise for the rate: every pre-solved proof stays valid for the whole run.
const server = createMailboxServer({
  store,
  mailboxId,
  maxEnvelopes: N * 4,
  logger: nullLogger,
  normalDepositsPerMinute: Number.POSITIVE_INFINITY,
});
server.start();
const keys = Array.from({ length: Math.ceil(N / PER_SLOT) }, () => directionKeys(rng(32), rng(32), rng(32)));
const epoch = 1000;
const slots = keys.map((k) => slotFor(k, epoch));
const bucket = powBucketAt(Date.now());
t0 = performance.now();
const requests = Array.from({ length: N }, (_, i) => {
  const token = (slots[Math.floor(i / PER_SLOT)] as (typeof slots)[0]).token;
  const envelope = rng(MAILBOX_ENVELOPE_BYTES);
  const nonce = solvePow(
    { mailboxId, token, envelopeHash: envelopeHash(envelope), bucket },
    MAILBOX_POW_BASE_BITS,
    rng,
  );
  return encodeRequest({ kind: 'deposit', token, bucket, nonce, envelope });
});
const solveMsPerDeposit = (performance.now() - t0) / N;

t0 = performance.now();
let stored = 0;
// Many senders at once: each source deposits its slot's envelopes in order, sources in parallel.
const sources = slots.map(async (_, s) => {
  for (let i = s * PER_SLOT; i < Math.min(N, (s + 1) * PER_SLOT); i++) {
    const r = decodeResponse(await server.handle(requests[i] as Uint8Array, `source-${s}`));
    if (r.kind === 'deposited' && r.stored) stored++;
  }
});
await Promise.all(sources);
const depositMs = performance.now() - t0;
t0 = performance.now();
let fetched = 0;
for (let i = 0; i < slots.length; i += 64) {
  const fetchCaps = slots.slice(i, i + 64).map((s) => s.fetchCap);
  for (let skip = 0; ; ) {
    const r = decodeResponse(
      await server.handle(encodeRequest({ kind: 'fetch', skip, fetchCaps }), 'reader'),
    );
    if (r.kind !== 'fetched') throw new Error(`fetch answered ${r.kind}`);
    fetched += r.envelopes.length;
    skip += r.envelopes.length;
    if (r.remaining === 0) break;
  }
}
const fetchMs = performance.now() - t0;
const stats = server.stats();
await server.stop();
rmSync(dir, { recursive: true, force: true });

const perSecond = N / ((depositMs + fetchMs) / 1000);
console.log(
  `raw node:sqlite inserts (WAL, FULL, batches of ${MAILBOX_COMMIT_BATCH}): ${rawPerSecond.toFixed(0)} /s`,
);
console.log(
  `mailbox deposits (verify + group commit):   ${(N / (depositMs / 1000)).toFixed(0)} /s  (${stored}/${N} stored)`,
);
console.log(
  `mailbox fetches:                             ${(N / (fetchMs / 1000)).toFixed(0)} /s  (${fetched}/${N} fetched)`,
);
console.log(`mailbox deposit + fetch:                     ${perSecond.toFixed(0)} envelopes/s`);
console.log(`ratio deposit+fetch / raw inserts: ${(perSecond / rawPerSecond).toFixed(2)}×`);
console.log(
  `client proof of work at ${MAILBOX_POW_BASE_BITS} bits: ${solveMsPerDeposit.toFixed(2)} ms per deposit`,
);
console.log(`disk: ${stats.diskBytes} bytes for ${stats.envelopes} envelopes`);

let e2e: EndToEndFigures | Record<string, never> = {};
if (E2E_MESSAGES > 0) {
  const f = await runEndToEnd(E2E_MESSAGES);
  e2e = f;
  console.log(
    `end to end, ${f.e2eMessages} messages, real daemons on loopback, onion circuits (poll ${f.pollMs} ms):`,
  );
  console.log(
    `  baseline, Ben online: send → delivered p50 ${f.directDeliveredP50Ms} ms, p95 ${f.directDeliveredP95Ms} ms; ${f.e2eMessages} at once all delivered in ${f.directBurstAllDeliveredMs} ms`,
  );
  console.log(
    `  Ben away: send → stored (deposit through a circuit) p50 ${f.depositStoredP50Ms} ms, p95 ${f.depositStoredP95Ms} ms (${f.depositVsDirectP50}× direct p50)`,
  );
  console.log(
    `  Ben back (Ann away): daemon serving after ${f.benDaemonStartMs} ms; all ${f.e2eMessages} stored at Ben ${f.benStartToAllStoredMs} ms after its start, ${f.benServingToAllStoredMs} ms after serving (${f.offlineFetchVsDirectBurst}× the direct burst)`,
  );
  console.log(`  Ann back: all ${f.e2eMessages} delivered ${f.annStartToAllDeliveredMs} ms after her start`);
  console.log(`  circuits opened at the relays: ${f.relayCircuitsOpened}`);
}
console.log(
  JSON.stringify({
    bench: 'mailbox',
    envelopes: N,
    rawInsertsPerSecond: Math.round(rawPerSecond),
    depositsPerSecond: Math.round(N / (depositMs / 1000)),
    fetchesPerSecond: Math.round(N / (fetchMs / 1000)),
    depositFetchPerSecond: Math.round(perSecond),
    ratioToRawInserts: Number((perSecond / rawPerSecond).toFixed(3)),
    powMsPerDeposit: Number(solveMsPerDeposit.toFixed(3)),
    diskBytesPerEnvelope: Math.round(stats.diskBytes / Math.max(1, stats.envelopes)),
    ...e2e,
  }),
);
process.exit(0);

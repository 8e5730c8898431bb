/**
 * bench/protocol/ratchet: PQ double-ratchet messages per second, both parties in one thread, every
 * plaintext checked. Scenarios: 100-byte messages in one direction (symmetric steps), and strictly
 * alternating directions (every message a DH step; an ML-KEM secret mixed at every second step), on the
 * noble-only and the node:crypto backends. Each figure is set against the sum of its primitives measured in
 * the same run (bench/protocol/primitives.ts; goal ≤ 1.3×) and, as context only, against libsignal's
 * figures from shared/notes (another run, same kind of VM). Run: npm run bench -- protocol/ratchet
 */
import type { CryptoBackend } from '../../src/crypto/backend.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createNodeBackend } from '../../src/crypto/backend-node.ts';
import { equalBytes, type Rng } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { decodePayload, encodePayload, newMessageId } from '../../src/protocol/payload.ts';
import {
  initSession,
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
} from '../../src/protocol/ratchet/index.ts';
import { seedPair } from '../../test/ratchet/seeds.ts';
import {
  alternatingMessageUs,
  bestOf,
  measurePrimitives,
  medianOf,
  symmetricMessageUs,
  timeUs,
} from './primitives.ts';

const WINDOW_MS = Number(process.env.PVT_BENCH_WINDOW_MS ?? 250);
const ROUNDS = Number(process.env.PVT_BENCH_ROUNDS ?? 5);

/** libsignal-client 0.103 (native Rust via Node), shared/notes/crypto-and-p2p-numbers.md. */
const LIBSIGNAL = { oneDirection: [4485, 4576], alternating: [2974, 3295] } as const;

interface Session {
  alice: RatchetState;
  bob: RatchetState;
}

function newSession(backend: CryptoBackend, rng: Rng): Session {
  const seeds = seedPair(rng);
  return { alice: initSession(seeds.alice, rng, { backend }), bob: initSession(seeds.bob, rng, { backend }) };
}

function send(s: Session, from: 'alice' | 'bob', plaintext: Uint8Array, rng: Rng): void {
  const to = from === 'alice' ? 'bob' : 'alice';
  const { state, message } = ratchetEncrypt(s[from], plaintext, rng);
  s[from] = state;
  const got = ratchetDecrypt(s[to], message);
  if (!equalBytes(got.plaintext, plaintext)) throw new Error('plaintext mismatch');
  s[to] = got.state;
}

type Scenario = 'oneDirection' | 'alternating' | 'alternatingPayload';

/** A warmed-up session and a function timing one window of the scenario (µs per message). */
function scenario(backend: CryptoBackend, kind: Scenario): () => number {
  const rng = createLabelledDrbg(`pvt bench: ratchet ${backend.name} ${kind}`);
  const s = newSession(backend, rng);
  const plaintext = rng(100);
  send(s, 'alice', plaintext, rng);
  if (kind === 'oneDirection') return () => timeUs(() => send(s, 'alice', plaintext, rng), WINDOW_MS, 1);
  if (kind === 'alternating') {
    const pair = (): void => {
      send(s, 'bob', plaintext, rng);
      send(s, 'alice', plaintext, rng);
    };
    return () => timeUs(pair, WINDOW_MS, 1) / 2;
  }
  const text = new TextEncoder().encode('x'.repeat(100));
  const payloadRound = (from: 'alice' | 'bob'): void => {
    const to = from === 'alice' ? 'bob' : 'alice';
    const padded = encodePayload({
      type: 'text',
      id: newMessageId(rng),
      timestampMs: 1_767_225_600_000,
      body: text,
    });
    const { state, message } = ratchetEncrypt(s[from], padded, rng);
    s[from] = state;
    const got = ratchetDecrypt(s[to], message);
    if (!equalBytes(decodePayload(got.plaintext).body, text)) throw new Error('plaintext mismatch');
    s[to] = got.state;
  };
  const pair = (): void => {
    payloadRound('bob');
    payloadRound('alice');
  };
  return () => timeUs(pair, WINDOW_MS, 1) / 2;
}

/** Scenario windows and primitive measurements interleaved over ROUNDS rounds: medians and bests per item. */
function measure(backend: CryptoBackend) {
  const kinds: Scenario[] =
    backend.name === 'node'
      ? ['oneDirection', 'alternating', 'alternatingPayload']
      : ['oneDirection', 'alternating'];
  const runners = kinds.map((k) => [k, scenario(backend, k)] as const);
  const rounds = Array.from({ length: ROUNDS }, () => ({
    scenarios: Object.fromEntries(runners.map(([k, run]) => [k, run()])) as Partial<Record<Scenario, number>>,
    costs: measurePrimitives(backend, 1),
  }));
  const scenarios = rounds.map((r) => r.scenarios);
  const costs = rounds.map((r) => r.costs);
  return {
    median: { scenarios: medianOf(scenarios), costs: medianOf(costs) },
    best: { scenarios: bestOf(scenarios), costs: bestOf(costs) },
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(`Node ${process.version}, OpenSSL ${process.versions.openssl}; both parties in one thread`);
console.log(`${ROUNDS} rounds of interleaved ${WINDOW_MS} ms windows (scenarios, then every primitive)`);
console.log(
  '  columns: msgs/s median (best) | µs/msg best | sum of primitives, best | ratio best/best (goal ≤ 1.3×) | median/median',
);
const rows: {
  backend: string;
  scenario: string;
  kind: Scenario;
  perSecond: number;
  modelRatio: number | null;
}[] = [];
for (const backend of [nobleBackend, createNodeBackend()]) {
  const { median, best } = measure(backend);
  const model = (costs: typeof best.costs) => ({
    oneDirection: symmetricMessageUs(costs),
    alternating: alternatingMessageUs(costs),
  });
  const bestModel = model(best.costs);
  const medianModel = model(median.costs);
  console.log(
    `\n${backend.name === 'node' ? 'node:crypto (X25519 + ML-KEM via OpenSSL; KDF + AEAD via noble)' : 'noble only'}`,
  );
  const line = (label: string, kind: Scenario, modelled: boolean): void => {
    const med = median.scenarios[kind];
    const top = best.scenarios[kind];
    if (med === undefined || top === undefined) return;
    const ratio = modelled
      ? `${fmt(bestModel[kind as 'oneDirection']).padStart(6)} µs  ${(top / bestModel[kind as 'oneDirection']).toFixed(2)}×  ${(med / medianModel[kind as 'oneDirection']).toFixed(2)}×`
      : '';
    console.log(
      `  ${label.padEnd(52)} ${fmt(1e6 / med).padStart(7)}/s (${fmt(1e6 / top).padStart(6)}) ${top.toFixed(0).padStart(6)} µs  ${ratio}`,
    );
    rows.push({
      backend: backend.name,
      scenario: label,
      kind,
      perSecond: 1e6 / med,
      modelRatio: modelled ? med / medianModel[kind as 'oneDirection'] : null,
    });
  };
  line('one direction, 100 B', 'oneDirection', true);
  line('alternating, 100 B (DH step each; KEM every 2nd)', 'alternating', true);
  line('alternating, 100 B text as padded payload (256 B)', 'alternatingPayload', false);
}

console.log(
  '\nContext: libsignal-client 0.103 on the same kind of VM (shared/notes, another run; absolute numbers vary)',
);
console.log(
  `  one direction ≈ ${fmt(LIBSIGNAL.oneDirection[0])}–${fmt(LIBSIGNAL.oneDirection[1])}/s, alternating ≈ ${fmt(LIBSIGNAL.alternating[0])}–${fmt(LIBSIGNAL.alternating[1])}/s`,
);
for (const row of rows) {
  const ref = row.scenario.startsWith('one direction') ? LIBSIGNAL.oneDirection : LIBSIGNAL.alternating;
  if (row.scenario.includes('payload')) continue;
  console.log(
    `  ${row.backend.padEnd(6)} ${row.scenario.padEnd(52)} ${(row.perSecond / ref[1]).toFixed(2)}–${(row.perSecond / ref[0]).toFixed(2)}× libsignal`,
  );
}

// One JSON line of the figures (compare across commits): node backend rates, their ratio to libsignal's
// figures from shared/notes (the midpoint of the range) and to the model of their own primitives.
const nodeRow = (kind: string) => rows.find((r) => r.backend === 'node' && r.kind === kind);
const mid = (range: readonly number[]) => ((range[0] as number) + (range[1] as number)) / 2;
const one = nodeRow('oneDirection');
const alt = nodeRow('alternating');
console.log(
  JSON.stringify({
    bench: 'ratchet',
    node_one_direction_per_s: Math.round(one?.perSecond ?? 0),
    node_alternating_per_s: Math.round(alt?.perSecond ?? 0),
    one_direction_vs_libsignal: Number(((one?.perSecond ?? 0) / mid(LIBSIGNAL.oneDirection)).toFixed(2)),
    alternating_vs_libsignal: Number(((alt?.perSecond ?? 0) / mid(LIBSIGNAL.alternating)).toFixed(2)),
    one_direction_vs_model: Number((one?.modelRatio ?? 0).toFixed(2)),
    alternating_vs_model: Number((alt?.modelRatio ?? 0).toFixed(2)),
  }),
);

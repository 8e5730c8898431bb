/**
 * bench/protocol/handshake: complete joins per second (joiner and inviter in one thread: all four
 * messages created and consumed), against the sum of the primitives one join performs, each measured
 * alone in the same run (5 interleaved rounds, medians, after a warm-up). Prints ops/s, µs per op, the
 * ratio (goal ≤ 1.3×) and the libsignal PQXDH reference measured on this kind of VM. Never asserts.
 * Run: npm run bench -- handshake   (or node_modules/.bin/node bench/protocol/handshake.ts)
 */
import { randomBytes } from 'node:crypto';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { concatBytes, type Rng, utf8 } from '../../src/crypto/bytes.ts';
import {
  aeadOpen,
  aeadSeal,
  ed25519Sign,
  ed25519Verify,
  hkdfSha256,
  hmacSha256,
  mlkemDecapsulate,
  mlkemEncapsulate,
  mlkemKeygen,
  sha256Hash,
  x25519,
  x25519Keygen,
} from '../../src/crypto/primitives.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterConfirm,
  createInviterResponse,
} from '../../src/protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../../src/protocol/handshake/joiner.ts';
import {
  CONFIRM_PLAINTEXT_BYTES,
  INVITER_RESPONSE_PLAINTEXT_BYTES,
  JOIN_REQUEST_PLAINTEXT_BYTES,
  REVEAL_A_PLAINTEXT_BYTES,
  REVEAL_B_PLAINTEXT_BYTES,
  REVEAL_C_PLAINTEXT_BYTES,
} from '../../src/protocol/handshake/wire.ts';
import { generateIdentity } from '../../src/protocol/identity.ts';
import { createInvite } from '../../src/protocol/invite/invite-code.ts';

const rng: Rng = (n) => new Uint8Array(randomBytes(n));
// The backend the launcher chooses (node:crypto here): the joiner encapsulates through it.
const backend = defaultCryptoBackend();
const WINDOW_MS = Number(process.env.PVT_BENCH_WINDOW_MS ?? 1000);
const LIBSIGNAL_PQXDH_PER_SECOND = 770;

/**
 * µs of this process's CPU time (user + system, `process.cpuUsage`) per call of `f`, over one window of
 * `ms` wall-clock milliseconds. CPU time rather than wall time, so other processes on a shared machine
 * (parallel test runs) do not distort the ratio.
 */
function window(f: () => void, ms: number): number {
  let n = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  do {
    f();
    n++;
  } while (performance.now() - start < ms);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
};

// ── one complete join ─────────────────────────────────────────────────────────────────────────────
const NOW = Date.now();
const inviterIdentity = generateIdentity({ displayName: 'Ines', nowMs: NOW, rng });
const joinerIdentity = generateIdentity({ displayName: 'Jo', nowMs: NOW, rng });
const locator = {
  peerId: concatBytes(Uint8Array.of(0, 0x24, 8, 1, 0x12, 0x20), rng(32)),
  addrs: [],
  mailbox: new Uint8Array(0),
};
const invite = createInvite({ inviter: locator, nowMs: NOW, rng });
const held = { invite, identity: inviterIdentity, locator };

function join(): void {
  const { state: j1, message: m1 } = createJoinRequest({
    invite,
    identity: joinerIdentity,
    locator,
    nowMs: NOW,
    rng,
  });
  const i1 = consumeJoinRequest(held, m1, NOW);
  const { state: i2, message: m2 } = createInviterResponse(i1, rng);
  const j2 = consumeInviterResponse(j1, m2);
  const { state: j3, message: m3 } = createJoinerReveal(j2, rng, { backend });
  const i3 = consumeJoinerReveal(i2, m3, NOW);
  const { message: m4, result } = createInviterConfirm(i3, rng);
  const joined = consumeInviterConfirm(j3, m4);
  if (joined.sas.digits !== result.sas.digits) throw new Error('SAS mismatch');
}

// ── the primitives one join performs, each alone ─────────────────────────────────────────────────
const a = x25519Keygen(rng);
const b = x25519Keygen(rng);
const kem = mlkemKeygen(rng);
const enc = mlkemEncapsulate(kem.publicKey, rng);
const signKey = rng(32);
const signPub = inviterIdentity.signPublic;
const sigMsg = concatBytes(utf8('pvt/hs/v1/sig/joiner'), rng(32));
const sig = ed25519Sign(inviterIdentity.signSecret, sigMsg);
const key = rng(32);
const nonce = rng(24);
const aad = rng(32);
const sealedOf = (n: number) => aeadSeal(key, nonce, new Uint8Array(n), aad);

interface Row {
  readonly name: string;
  readonly count: number;
  readonly f: () => void;
  readonly kind: 'asymmetric' | 'symmetric';
}
const aeadSizes = [
  JOIN_REQUEST_PLAINTEXT_BYTES,
  INVITER_RESPONSE_PLAINTEXT_BYTES,
  REVEAL_A_PLAINTEXT_BYTES,
  REVEAL_B_PLAINTEXT_BYTES,
  REVEAL_C_PLAINTEXT_BYTES,
  CONFIRM_PLAINTEXT_BYTES,
];
const sealed = aeadSizes.map(sealedOf);
const rows: Row[] = [
  { name: 'X25519 keygen (eJ, eI, bob ratchet)', count: 3, f: () => x25519Keygen(rng), kind: 'asymmetric' },
  {
    name: 'X25519 DH (ee, es, se × 2 sides)',
    count: 6,
    f: () => x25519(a.secretKey, b.publicKey),
    kind: 'asymmetric',
  },
  { name: 'ML-KEM-768 keygen (kI, bob ratchet)', count: 2, f: () => mlkemKeygen(rng), kind: 'asymmetric' },
  {
    name: 'ML-KEM-768 encapsulate (import the peer key + encapsulate, backend)',
    count: 1,
    f: () => backend.kemEncapsulate(backend.kemImportPublic(kem.publicKey), rng),
    kind: 'asymmetric',
  },
  {
    name: 'ML-KEM-768 decapsulate',
    count: 1,
    f: () => mlkemDecapsulate(kem.secretKey, enc.cipherText),
    kind: 'asymmetric',
  },
  { name: 'Ed25519 sign', count: 2, f: () => ed25519Sign(signKey, sigMsg), kind: 'asymmetric' },
  { name: 'Ed25519 verify', count: 2, f: () => ed25519Verify(signPub, sigMsg, sig), kind: 'asymmetric' },
  {
    name: 'XChaCha20-Poly1305 seal+open, the 6 sealed segments',
    count: 1,
    f: () => {
      for (let i = 0; i < aeadSizes.length; i++) {
        aeadSeal(key, nonce, new Uint8Array(aeadSizes[i] as number), aad);
        aeadOpen(key, nonce, sealed[i] as Uint8Array, aad);
      }
    },
    kind: 'symmetric',
  },
  {
    name: 'HKDF-SHA256 (psk, 2 mixes, session) × 2 sides',
    count: 8,
    f: () => hkdfSha256(key, aad, utf8('pvt/hs/v1/mix'), 32),
    kind: 'symmetric',
  },
  {
    name: 'HMAC-SHA256 segment keys × 2 sides',
    count: 12,
    f: () => hmacSha256(key, utf8('pvt/hs/v1/key/msg3b')),
    kind: 'symmetric',
  },
  {
    name: 'SHA-256 transcript over ≈ 2 × 6.2 KB',
    count: 2,
    f: () => sha256Hash(new Uint8Array(6200)),
    kind: 'symmetric',
  },
];

const fmt = (us: number) =>
  `${us.toFixed(1).padStart(9)} µs  ${Math.round(1e6 / us)
    .toString()
    .padStart(8)} /s`;
const ROUNDS = 5;
process.stdout.write(
  `Node ${process.version}; process CPU time per op; ${ROUNDS} interleaved rounds (each primitive and the join ` +
    `in every round, join window ${WINDOW_MS} ms); medians\n\n`,
);
for (const r of rows) window(r.f, WINDOW_MS / 4); // warm-up
window(join, WINDOW_MS / 2);
const perRow = rows.map(() => [] as number[]);
const joins: number[] = [];
const ratios: number[] = [];
const asymRatios: number[] = [];
const sums: number[] = [];
const asymSums: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  let asym = 0;
  let sym = 0;
  rows.forEach((r, i) => {
    const us = window(r.f, WINDOW_MS / rows.length);
    perRow[i]?.push(us);
    if (r.kind === 'asymmetric') asym += us * r.count;
    else sym += us * r.count;
  });
  const joinUs = window(join, WINDOW_MS);
  joins.push(joinUs);
  sums.push(asym + sym);
  asymSums.push(asym);
  ratios.push(joinUs / (asym + sym));
  asymRatios.push(joinUs / asym);
}
rows.forEach((r, i) => {
  process.stdout.write(`  ${r.name.padEnd(54)} ${fmt(median(perRow[i] ?? []))}  × ${r.count}\n`);
});
const joinUs = median(joins);
process.stdout.write(`\n  ${'sum of asymmetric primitives per join'.padEnd(54)} ${fmt(median(asymSums))}\n`);
process.stdout.write(
  `  ${'sum of all primitives per join (+ AEAD, KDF, hash)'.padEnd(54)} ${fmt(median(sums))}\n`,
);
process.stdout.write(`  ${'complete join (4 messages, both sides)'.padEnd(54)} ${fmt(joinUs)}\n\n`);
process.stdout.write(
  `  ratio join / all primitives:        ${median(ratios).toFixed(3)}×   (goal ≤ 1.3×; per round: ${ratios
    .map((x) => x.toFixed(2))
    .join(' ')})\n`,
);
process.stdout.write(`  ratio join / asymmetric primitives: ${median(asymRatios).toFixed(3)}×\n`);
process.stdout.write(
  `  reference: libsignal PQXDH setup ≈ ${LIBSIGNAL_PQXDH_PER_SECOND}/s (≈ ${(1e3 / LIBSIGNAL_PQXDH_PER_SECOND).toFixed(1)} ms, native Rust, Kyber-1024 prekey, one-way); ` +
    `pvt join = ${(1e6 / joinUs).toFixed(0)}/s (${(joinUs / 1000).toFixed(2)} ms, mutual, SAS, 4 messages)\n`,
);
process.stdout.write(
  `${JSON.stringify({
    bench: 'handshake',
    joins_per_s: Math.round(1e6 / joinUs),
    join_ms: Number((joinUs / 1000).toFixed(3)),
    vs_libsignal_pqxdh: Number((1e6 / joinUs / LIBSIGNAL_PQXDH_PER_SECOND).toFixed(2)),
    join_vs_primitives: Number(median(ratios).toFixed(3)),
  })}\n`,
);

/**
 * bench/protocol/primitives: the cost of every primitive the PQ double ratchet calls, on the noble and the
 * node:crypto backends, with the exact input sizes the ratchet uses (41-byte header, 1,184-byte KEM field,
 * 100-byte body with its 1,330-byte associated data). Each figure is the median of 3 timed windows after
 * a warm-up; outputs are checked against a value computed beforehand. `bench/protocol/ratchet.ts` sums
 * these into the cost model its ratios use. Run: npm run bench -- protocol/primitives
 */
import { type CryptoBackend, dhPublicKey } from '../../src/crypto/backend.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createNodeBackend } from '../../src/crypto/backend-node.ts';
import { equalBytes, type Rng } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { aeadOpen, aeadSeal, xchacha20Xor } from '../../src/crypto/primitives.ts';
import { chainKdf, kemFieldKey, rootKdf } from '../../src/protocol/ratchet/kdf.ts';

const WINDOW_MS = Number(process.env.PVT_BENCH_WINDOW_MS ?? 250);

/** Median µs per call of `f` over `windows` windows of `windowMs`, after a half-window warm-up. */
export function timeUs(f: () => void, windowMs: number = WINDOW_MS, windows = 3): number {
  const window = (ms: number): number => {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      f();
      n++;
      if ((n & 7) === 0) now = performance.now();
    }
    return ((performance.now() - start) * 1000) / n;
  };
  window(windowMs / 2);
  const runs = Array.from({ length: windows }, () => window(windowMs)).sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] as number;
}

function elementWise<T extends object>(samples: readonly T[], pick: (sorted: number[]) => number): T {
  const first = samples[0];
  if (first === undefined) throw new RangeError('"samples" expected at least one measurement');
  const out: Record<string, number> = {};
  for (const key of Object.keys(first)) {
    const values = samples.map((s) => (s as Record<string, number>)[key] as number).sort((a, b) => a - b);
    out[key] = pick(values);
  }
  return out as T;
}

/** Element-wise median of several measurements with the same numeric keys. */
export function medianOf<T extends object>(samples: readonly T[]): T {
  return elementWise(samples, (v) => v[Math.floor(v.length / 2)] as number);
}

/** Element-wise minimum (least disturbed by other load on the machine). */
export function bestOf<T extends object>(samples: readonly T[]): T {
  return elementWise(samples, (v) => v[0] as number);
}

export interface PrimitiveCosts {
  /** X25519 key generation incl. the raw public key. */
  dhGenerate: number;
  /** X25519 with both keys ready (own handle, peer handle already imported). */
  dh: number;
  /** X25519 with the peer key imported from bytes first (the receiver of a new ratchet key). */
  dhImportAndDh: number;
  kemGenerate: number;
  /** Checking/importing a peer encapsulation key (node: KeyObject import; noble: modulus check). */
  kemImport: number;
  /** Encapsulation to an already imported key. */
  kemEncapsulate: number;
  kemDecapsulate: number;
  rootKdf: number;
  chainKdf: number;
  kemFieldKey: number;
  headerSeal: number;
  headerOpen: number;
  headerOpenFail: number;
  kemFieldXor: number;
  bodySeal: number;
  bodyOpen: number;
}

/** One measurement of every primitive (`windows` timed windows each; median). */
export function measurePrimitives(
  backend: CryptoBackend,
  windows = 3,
  rng: Rng = createLabelledDrbg('pvt bench: primitives'),
): PrimitiveCosts {
  const t = (f: () => void): number => timeUs(f, WINDOW_MS, windows);
  const own = backend.dhGenerate(rng);
  const peer = backend.dhGenerate(rng);
  const peerHandle = dhPublicKey(peer.publicKey);
  const shared = backend.dh(own.privateKey, peerHandle);
  const checkDh = (out: Uint8Array): void => {
    if (!equalBytes(out, shared)) throw new Error('X25519 result changed');
  };
  const kemPair = backend.kemGenerate(rng);
  const kemPeer = backend.kemImportPublic(kemPair.publicKey);
  const sample = backend.kemEncapsulate(kemPeer, rng);
  const key = rng(32);
  const nonce = rng(24);
  const ad = rng(33);
  const header = rng(41);
  const sealedHeader = aeadSeal(key, nonce, header, ad);
  const kemField = rng(1184);
  const body = rng(100);
  const bodyAd = rng(32 + 1266);
  const sealedBody = aeadSeal(key, nonce, body, bodyAd);
  const wrongKey = rng(32);
  return {
    dhGenerate: t(() => void backend.dhGenerate(rng)),
    dh: t(() => checkDh(backend.dh(own.privateKey, peerHandle))),
    dhImportAndDh: t(() => checkDh(backend.dh(own.privateKey, dhPublicKey(peer.publicKey)))),
    kemGenerate: t(() => void backend.kemGenerate(rng)),
    kemImport: t(() => void backend.kemImportPublic(kemPair.publicKey)),
    kemEncapsulate: t(() => void backend.kemEncapsulate(kemPeer, rng)),
    kemDecapsulate: t(() => {
      if (!equalBytes(backend.kemDecapsulate(kemPair.privateKey, sample.cipherText), sample.sharedSecret)) {
        throw new Error('ML-KEM result changed');
      }
    }),
    rootKdf: t(() => void rootKdf(key, shared, sample.sharedSecret)),
    chainKdf: t(() => void chainKdf(key)),
    kemFieldKey: t(() => void kemFieldKey(key)),
    headerSeal: t(() => void aeadSeal(key, nonce, header, ad)),
    headerOpen: t(() => {
      if (aeadOpen(key, nonce, sealedHeader, ad) === null) throw new Error('header open failed');
    }),
    headerOpenFail: t(() => {
      if (aeadOpen(wrongKey, nonce, sealedHeader, ad) !== null) throw new Error('wrong key opened');
    }),
    kemFieldXor: t(() => void xchacha20Xor(key, nonce, kemField)),
    bodySeal: t(() => void aeadSeal(key, nonce, body, bodyAd)),
    bodyOpen: t(() => {
      if (aeadOpen(key, nonce, sealedBody, bodyAd) === null) throw new Error('body open failed');
    }),
  };
}

/** Cost model of one 100-byte message sent and received in the same chain (no DH step). */
export function symmetricMessageUs(c: PrimitiveCosts): number {
  return c.chainKdf + c.headerSeal + c.kemFieldXor + c.bodySeal + c.headerOpen + c.chainKdf + c.bodyOpen;
}

/**
 * Cost model of one message in a strictly alternating conversation, averaged over a pair of steps: one
 * step that encapsulates (ciphertext) and one that publishes a fresh ML-KEM key, each with a fresh X25519
 * key; the receiver imports the new X25519 key (and checks a new ML-KEM key), opens the header with the
 * next-chain key first, decrypts the KEM field, steps its root key.
 */
export function alternatingMessageUs(c: PrimitiveCosts): number {
  const common = 2 * (c.dhGenerate + c.dh) + 2 * c.dhImportAndDh + 4 * c.rootKdf + 4 * c.kemFieldKey;
  const kem = c.kemEncapsulate + c.kemImport + c.kemDecapsulate + c.kemGenerate;
  const symmetric = 2 * symmetricMessageUs(c);
  return (common + kem + symmetric) / 2;
}

function print(name: string, c: PrimitiveCosts): void {
  console.log(`\n${name} backend (µs per call, median of 3 × ${WINDOW_MS} ms)`);
  for (const [op, us] of Object.entries(c)) {
    console.log(
      `  ${op.padEnd(16)} ${us.toFixed(1).padStart(8)} µs ${Math.round(1e6 / us)
        .toLocaleString('en-US')
        .padStart(10)}/s`,
    );
  }
  const sym = symmetricMessageUs(c);
  const alt = alternatingMessageUs(c);
  console.log(
    `  model: one-direction message ${sym.toFixed(0)} µs (${Math.round(1e6 / sym)}/s), alternating ${alt.toFixed(0)} µs (${Math.round(1e6 / alt)}/s)`,
  );
}

if (import.meta.main) {
  console.log(`Node ${process.version}, OpenSSL ${process.versions.openssl}`);
  print('noble', measurePrimitives(nobleBackend));
  print('node:crypto', measurePrimitives(createNodeBackend()));
}

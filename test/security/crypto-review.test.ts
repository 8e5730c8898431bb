/**
 * Issue 10 item 9 — the crypto review's findings, each as the attack it reproduces:
 * - Ed25519 with ZIP-215 rules on the noble path: a non-canonical R (accepted by ZIP-215) and a
 *   small-order public key that "verifies" a message nobody signed; both paths must refuse both.
 * - Handshake message 4 carrying a low-order X25519 or malformed ML-KEM ratchet key: refused inside the
 *   handshake (MalformedHandshakeMessage), not later as a RangeError after the contact is stored.
 * - A join reveal (message 3) arriving after the invite expired: InviteExpired.
 * - A contact making us derive 20,000 skipped keys per message again and again: the per-contact budget
 *   refuses the work past SKIP_BUDGET_KEYS_PER_MINUTE and gives it back as the minute passes.
 * - vitest run on a Node older than 22.12: refuses with a clear message instead of testing fallbacks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, test } from 'vitest';
import { SKIP_BUDGET_KEYS_PER_MINUTE } from '../../src/app/constants.ts';
import { SkipAllowance } from '../../src/app/skip-budget.ts';
import { concatBytes } from '../../src/crypto/bytes.ts';
import { ed25519PublicKeyIsStrict, ed25519VerifyOn } from '../../src/crypto/primitives.ts';
import { ProtocolError } from '../../src/protocol/errors.ts';
import { consumeJoinerReveal } from '../../src/protocol/handshake/inviter.ts';
import { consumeInviterConfirm } from '../../src/protocol/handshake/joiner.ts';
import { ratchetDecrypt, ratchetEncrypt } from '../../src/protocol/ratchet/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { NOW_MS, parties, runJoin } from '../protocol/fixtures.ts';
import { forgeInviterConfirm } from '../protocol/handshake-forge.ts';
import { newPair, nodeBackend, systemRng, text } from '../ratchet/helpers.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return undefined;
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const le = (n: bigint, bytes = 32): Uint8Array => {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const fromLe = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const msg = new TextEncoder().encode('I, the key owner, owe Mallory everything');
const PATHS = ['node', 'noble'] as const;

describe('Ed25519: RFC 8032 strict on every path, small-order keys refused', () => {
  test('a small-order key with the identity signature verifies any message under ZIP-215, not here', () => {
    const identity = le(1n); // y = 1: the neutral point, order 1
    const forged = concatBytes(le(1n), le(0n)); // R = identity, S = 0
    expect(ed25519.verify(forged, msg, identity)).toBe(true); // noble's default (ZIP-215): the attack
    for (const path of PATHS)
      expect([path, ed25519VerifyOn(path, identity, msg, forged)]).toEqual([path, false]);
    const order2 = le(P - 1n); // y = -1: order 2
    for (const key of [identity, order2, le(0n)]) expect(ed25519PublicKeyIsStrict(key)).toBe(false);
  });

  test('a non-canonical R (y = p + 1) passes ZIP-215, fails strict verification on both paths', () => {
    const secret = new Uint8Array(32).fill(7);
    const { scalar, pointBytes: pub } = ed25519.utils.getExtendedPublicKey(secret);
    const rBytes = le(P + 1n); // non-canonical encoding of the neutral point (y = 1)
    const k = fromLe(sha512(concatBytes(rBytes, pub, msg))) % L;
    const sig = concatBytes(rBytes, le((k * scalar) % L));
    expect(ed25519.verify(sig, msg, pub)).toBe(true); // ZIP-215 accepts it
    for (const path of PATHS) expect([path, ed25519VerifyOn(path, pub, msg, sig)]).toEqual([path, false]);
    // An honest signature still verifies on both paths; S ≥ L is refused on both.
    const honest = ed25519.sign(msg, secret);
    for (const path of PATHS) expect(ed25519VerifyOn(path, pub, msg, honest)).toBe(true);
    const sPlusL = concatBytes(honest.subarray(0, 32), le(fromLe(honest.subarray(32)) + L));
    for (const path of PATHS) expect(ed25519VerifyOn(path, pub, msg, sPlusL)).toBe(false);
    // A non-canonical encoding of a valid public key is refused too.
    const nonCanonicalKey = le(P + 1n);
    expect(ed25519PublicKeyIsStrict(nonCanonicalKey)).toBe(false);
  });
});

describe('handshake message 4: the ratchet keys are checked inside the handshake', () => {
  const p = parties('issue 10 msg4 keys');
  const t = runJoin(p);
  test.each([
    ['a low-order X25519 ratchet key (u = 0)', (pt: Uint8Array) => pt.fill(0, 0, 32)],
    ['a low-order X25519 ratchet key (u = 1)', (pt: Uint8Array) => pt.set(le(1n), 0)],
    ['an ML-KEM key with a coefficient ≥ q', (pt: Uint8Array) => pt.fill(0xff, 32, 35)],
  ])('%s → MalformedHandshakeMessage', (_what, edit) => {
    const forged = forgeInviterConfirm(t.j3, p.rng, p.inviterInvite.locator, edit);
    expect(codeOf(() => consumeInviterConfirm(t.j3, forged))).toBe('MalformedHandshakeMessage');
  });
});

test('a reveal (message 3) after the invite expired → InviteExpired, even though message 1 was in time', () => {
  const p = parties('issue 10 reveal expiry');
  const t = runJoin(p);
  const expiry = p.invite.expiresAtSeconds * 1000;
  expect(codeOf(() => consumeJoinerReveal(t.i2, t.msg3, expiry))).toBe('InviteExpired');
  expect(codeOf(() => consumeJoinerReveal(t.i2, t.msg3, NOW_MS))).toBeUndefined();
});

test('skip work per contact is bounded per minute; the budget refills as time passes', () => {
  const { alice, bob } = newPair(nodeBackend);
  // Bob must have received once so the attack runs in his current receiving chain.
  const first = ratchetEncrypt(alice, text('hi'), systemRng);
  const bobReady = ratchetDecrypt(bob, first.message).state;
  let now = 0;
  const mallory = new SkipAllowance({ now: () => now });
  const carol = new SkipAllowance({ now: () => now });
  const JUMP = 20_000;
  // The attack: a header claiming n = 20,000 with a body sealed under a wrong key. Without a budget
  // every such message makes the receiver derive 20,000 keys and then fail (state unchanged, repeatable).
  const attack = ratchetEncrypt({ ...first.state, sendCount: JUMP }, text('x'), systemRng).message;
  const outcome = () =>
    codeOf(() => mallory.spend((b) => ratchetDecrypt(bobReady, attack, { skipBudget: b })));
  const perMinute = Math.floor(SKIP_BUDGET_KEYS_PER_MINUTE / JUMP);
  for (let i = 0; i < perMinute; i++) expect(outcome()).toBe('RatchetBodyAuth');
  expect(outcome()).toBe('RatchetSkipLimit'); // refused before any key is derived
  expect(outcome()).toBe('RatchetSkipLimit');
  // Another contact has its own budget.
  expect(codeOf(() => carol.spend((b) => ratchetDecrypt(bobReady, attack, { skipBudget: b })))).toBe(
    'RatchetBodyAuth',
  );
  now += 60_000;
  expect(outcome()).toBe('RatchetBodyAuth');
  // An honest message with a small gap still goes through while the budget is spent.
  const gap = ratchetEncrypt(
    ratchetEncrypt(first.state, text('lost'), systemRng).state,
    text('ok'),
    systemRng,
  );
  while (outcome() === 'RatchetBodyAuth');
  expect(mallory.spend((b) => ratchetDecrypt(bobReady, gap.message, { skipBudget: b })).plaintext).toEqual(
    text('ok'),
  );
});

function oldNode(): string | undefined {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(path)) continue;
    const v = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    const [major = 0, minor = 0] = v.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) return path;
  }
  return undefined;
}
const old = oldNode();
if (!old) console.log('skip: no Node older than 22.12 on this machine to run vitest with');

test.skipIf(!old)('vitest on a Node older than 22.12 refuses clearly (it would test fallback paths)', () => {
  const r = spawnSync(
    old as string,
    [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/crypto/smoke.test.ts'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  );
  expect(r.status).not.toBe(0);
  expect(`${r.stdout}${r.stderr}`).toContain('pvt tests need Node ≥ 22.12');
});

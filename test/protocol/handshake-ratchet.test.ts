/**
 * The hand-over: the SessionSeeds a completed join gives both sides start a working double ratchet —
 * the joiner (alice) sends first, the inviter (bob) answers, both directions decrypt. Uses only the
 * ratchet's public surface (src/protocol/ratchet/index.ts).
 */
import { expect, test } from 'vitest';
import { defaultCryptoBackend } from '../../src/crypto/backend-node.ts';
import { utf8 } from '../../src/crypto/bytes.ts';
import { initSession, ratchetDecrypt, ratchetEncrypt } from '../../src/protocol/ratchet/index.ts';
import { parties, runJoin } from './fixtures.ts';

test('a join hands both sides a SessionSeed that starts a working ratchet (alice = joiner sends first)', () => {
  const p = parties('handshake to ratchet');
  const t = runJoin(p);
  let alice = initSession(t.joiner.session, p.rng, { backend: defaultCryptoBackend() });
  let bob = initSession(t.inviter.session, p.rng, { backend: defaultCryptoBackend() });

  const hello = ratchetEncrypt(alice, utf8('hello from the joiner'), p.rng);
  alice = hello.state;
  const got = ratchetDecrypt(bob, hello.message);
  bob = got.state;
  expect(new TextDecoder().decode(got.plaintext)).toBe('hello from the joiner');

  const reply = ratchetEncrypt(bob, utf8('welcome, says the inviter'), p.rng);
  const back = ratchetDecrypt(alice, reply.message);
  expect(new TextDecoder().decode(back.plaintext)).toBe('welcome, says the inviter');
});

/**
 * Fuzz: every handshake message decoder — the four consume functions (arbitrary bytes, and mutations of
 * the honest message) and the plaintext decoders behind the AEAD (arbitrary bytes of the right size,
 * and mutations of honest plaintexts). Any input → a state or a named ProtocolError, nothing else.
 * Mutations of the JoinerReveal that pass segment A cost a DH + decapsulation each, so that property
 * runs a tenth of the runs.
 */
import fc from 'fast-check';
import { describe, test } from 'vitest';
import { concatBytes } from '../../src/crypto/bytes.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  joinRequestInviteId,
} from '../../src/protocol/handshake/inviter.ts';
import { consumeInviterConfirm, consumeInviterResponse } from '../../src/protocol/handshake/joiner.ts';
import {
  CONFIRM_PLAINTEXT_BYTES,
  decodeConfirmPlaintext,
  decodeInviterResponsePlaintext,
  decodeJoinRequestPlaintext,
  decodeRevealA,
  decodeRevealB,
  encodeConfirmPlaintext,
  encodeInviterResponseBody,
  encodeJoinRequestPlaintext,
  encodeRevealB,
  INVITER_RESPONSE_PLAINTEXT_BYTES,
  JOIN_REQUEST_PLAINTEXT_BYTES,
  peekMessageType,
  REVEAL_A_PLAINTEXT_BYTES,
  REVEAL_B_PLAINTEXT_BYTES,
} from '../../src/protocol/handshake/wire.ts';
import { publicIdentity } from '../../src/protocol/identity.ts';
import { NOW_MS, parties, runJoin } from './fixtures.ts';
import { FUZZ_RUNS, mutatedBytes, onlyProtocolErrors, sameLengthMutations } from './fuzz-helpers.ts';

const p = parties('handshake fuzz');
const t = runJoin(p);
const all = [t.msg1, t.msg2, t.msg3, t.msg4];
const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 4200 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => concatBytes(Uint8Array.of(1, 1 + ((b[0] ?? 0) % 4)), b)),
  mutatedBytes(all),
);

describe('message decoders: any bytes', () => {
  test('peekMessageType and joinRequestInviteId', () => {
    fc.assert(
      fc.property(anyBytes, (b) => {
        onlyProtocolErrors(() => peekMessageType(b));
        onlyProtocolErrors(() => joinRequestInviteId(b));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('consumeJoinRequest', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, sameLengthMutations(t.msg1)), fc.nat(), (b, now) =>
        onlyProtocolErrors(() => consumeJoinRequest(p.inviterInvite, b, now)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('consumeInviterResponse', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, sameLengthMutations(t.msg2)), (b) =>
        onlyProtocolErrors(() => consumeInviterResponse(t.j1, b)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('consumeJoinerReveal (arbitrary bytes)', () => {
    fc.assert(
      fc.property(anyBytes, (b) => onlyProtocolErrors(() => consumeJoinerReveal(t.i2, b, NOW_MS))),
      { numRuns: FUZZ_RUNS },
    );
  });
  test('consumeJoinerReveal (in-place mutations of the honest message)', () => {
    fc.assert(
      fc.property(sameLengthMutations(t.msg3), (b) =>
        onlyProtocolErrors(() => consumeJoinerReveal(t.i2, b, NOW_MS)),
      ),
      { numRuns: Math.ceil(FUZZ_RUNS / 10) },
    );
  });
  test('consumeInviterConfirm', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, sameLengthMutations(t.msg4)), (b) =>
        onlyProtocolErrors(() => consumeInviterConfirm(t.j3, b)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('plaintext decoders behind the AEAD', () => {
  const joinRequest = encodeJoinRequestPlaintext({
    commitment: new Uint8Array(32),
    replyTo: Uint8Array.of(1, 2),
  });
  const response = concatBytes(
    encodeInviterResponseBody({
      ephemeralPublic: new Uint8Array(32),
      kemPublic: new Uint8Array(1184),
      identity: publicIdentity(p.inviterIdentity),
      displayName: 'Ines 🐉',
    }),
    new Uint8Array(64),
  );
  const revealB = encodeRevealB({
    identity: publicIdentity(p.joinerIdentity),
    displayName: 'Jo',
    locator: p.joinerLocator,
  });
  const confirm = encodeConfirmPlaintext({
    ratchetDhPublic: new Uint8Array(32),
    ratchetKemPublic: new Uint8Array(1184),
    locator: p.inviterInvite.locator,
  });
  const cases = [
    ['JoinRequest', JOIN_REQUEST_PLAINTEXT_BYTES, joinRequest, decodeJoinRequestPlaintext],
    ['InviterResponse', INVITER_RESPONSE_PLAINTEXT_BYTES, response, decodeInviterResponsePlaintext],
    ['JoinerReveal A', REVEAL_A_PLAINTEXT_BYTES, new Uint8Array(REVEAL_A_PLAINTEXT_BYTES), decodeRevealA],
    ['JoinerReveal B', REVEAL_B_PLAINTEXT_BYTES, revealB, decodeRevealB],
    ['InviterConfirm', CONFIRM_PLAINTEXT_BYTES, confirm, decodeConfirmPlaintext],
  ] as const;
  test.each(cases)('%s plaintext: right-size random bytes and mutations', (_name, size, honest, decode) => {
    const d = decode as (b: Uint8Array) => unknown;
    d(honest);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: size, maxLength: size }),
          sameLengthMutations(honest),
          mutatedBytes([honest]),
        ),
        (b) => onlyProtocolErrors(() => d(b)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

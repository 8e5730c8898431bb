/**
 * Test-only forgers: build handshake messages the honest code never would (a low-order key, a malformed
 * ML-KEM key, a bad name, a foreign signature, a bad locator), sealed under the right keys, so the
 * checks behind the AEAD can be tested. They play a peer that holds the invite secret.
 */
import { concatBytes, type Rng } from '../../src/crypto/bytes.ts';
import { aeadSeal, ed25519Sign, mlkemKeygen, x25519Keygen } from '../../src/crypto/primitives.ts';
import { INVITER_SIGNATURE_DOMAIN } from '../../src/protocol/handshake/sealing.ts';
import { mixHash, segmentKey } from '../../src/protocol/handshake/transcript.ts';
import type { InviterReceivedRequest, JoinerAwaitingConfirm } from '../../src/protocol/handshake/types.ts';
import {
  encodeConfirmPlaintext,
  encodeInviterResponseBody,
  header,
} from '../../src/protocol/handshake/wire.ts';
import { publicIdentity } from '../../src/protocol/identity.ts';

/** An InviterResponse whose signed body `edit` may change in place; signed by `signSecret` (default: the inviter). */
export function forgeInviterResponse(
  state: InviterReceivedRequest,
  rng: Rng,
  edit: (body: Uint8Array) => void,
  signSecret = state.invite.identity.signSecret,
): Uint8Array {
  const identity = state.invite.identity;
  const body = encodeInviterResponseBody({
    ephemeralPublic: x25519Keygen(rng).publicKey,
    kemPublic: mlkemKeygen(rng).publicKey,
    identity: publicIdentity(identity),
    displayName: identity.displayName,
  });
  edit(body);
  const nonce = rng(24);
  const prefix = concatBytes(header('inviterResponse'), nonce);
  const signature = ed25519Sign(
    signSecret,
    concatBytes(INVITER_SIGNATURE_DOMAIN, mixHash(state.sym.h, prefix, body)),
  );
  const sealed = aeadSeal(
    segmentKey(state.sym.ck, 'msg2'),
    nonce,
    concatBytes(body, signature),
    concatBytes(state.sym.h, prefix),
  );
  return concatBytes(prefix, sealed);
}

/** An InviterConfirm for the joiner state `state` whose plaintext `edit` may change in place. */
export function forgeInviterConfirm(
  state: JoinerAwaitingConfirm,
  rng: Rng,
  locator: Parameters<typeof encodeConfirmPlaintext>[0]['locator'],
  edit: (plaintext: Uint8Array) => void,
): Uint8Array {
  const plaintext = encodeConfirmPlaintext({
    ratchetDhPublic: x25519Keygen(rng).publicKey,
    ratchetKemPublic: mlkemKeygen(rng).publicKey,
    locator,
  });
  edit(plaintext);
  const nonce = rng(24);
  const prefix = concatBytes(header('inviterConfirm'), nonce);
  return concatBytes(
    prefix,
    aeadSeal(segmentKey(state.sym.ck, 'msg4'), nonce, plaintext, concatBytes(state.sym.h, prefix)),
  );
}

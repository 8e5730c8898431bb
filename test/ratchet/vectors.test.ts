/**
 * The spec's frozen vectors (docs/protocol/vectors/ratchet-*.json) against the code: the transcript is
 * re-run on noble (byte-identical) and each of its decryptions replayed on node:crypto from the same
 * state (identical plaintext and next state); KDFs, header layout and payload encodings are recomputed.
 */
import { describe, expect, test } from 'vitest';
import kdf from '../../docs/protocol/vectors/ratchet-kdf.json' with { type: 'json' };
import payloads from '../../docs/protocol/vectors/ratchet-payload.json' with { type: 'json' };
import transcript from '../../docs/protocol/vectors/ratchet-transcript.json' with { type: 'json' };
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { PAYLOAD_MAX_PADDED_BYTES } from '../../src/protocol/constants.ts';
import { paddedLength, padmeLength } from '../../src/protocol/padding.ts';
import { decodePayload, encodePayload, type Payload, type PayloadType } from '../../src/protocol/payload.ts';
import { decodeHeader, encodeHeader } from '../../src/protocol/ratchet/header.ts';
import { deserializeState, ratchetDecrypt, serializeState } from '../../src/protocol/ratchet/index.ts';
import { chainKdf, kemFieldKey, rootKdf } from '../../src/protocol/ratchet/kdf.ts';
import { KEM_KIND_CIPHERTEXT } from '../../src/protocol/ratchet/state.ts';
import { nodeBackend } from './helpers.ts';
import { runTranscript } from './transcript.ts';

describe('ratchet transcript', () => {
  const run = runTranscript(nobleBackend);

  test('re-running the script on noble reproduces every byte of the vector file', () => {
    const { description: _d, generatedBy: _g, ...frozen } = transcript;
    expect(JSON.parse(JSON.stringify(run.transcript))).toEqual(frozen);
  });

  test('node:crypto decrypts every delivered message from the same state to the same plaintext and state', () => {
    for (const event of transcript.events) {
      if (event.op !== 'deliver') continue;
      const before = run.statesBeforeDelivery.get(event.label);
      if (before === undefined) throw new Error(`no state before ${event.label}`);
      const onNode = deserializeState(serializeState(before), { backend: nodeBackend });
      const { state, plaintext } = ratchetDecrypt(onNode, fromHex(event.message));
      expect(toHex(plaintext)).toBe(event.plaintext);
      expect(toHex(serializeState(state))).toBe(
        toHex(serializeState(ratchetDecrypt(before, fromHex(event.message)).state)),
      );
    }
  });

  test('the frozen states load and serialize back unchanged', () => {
    for (const hex of [
      ...Object.values(transcript.initialStates),
      ...Object.values(transcript.finalStates),
    ]) {
      expect(toHex(serializeState(deserializeState(fromHex(hex), { backend: nobleBackend })))).toBe(hex);
    }
  });
});

test('root KDF, chain KDF, KEM-field key and header layout match ratchet-kdf.json', () => {
  for (const c of kdf.rootKdf) {
    const out = rootKdf(
      fromHex(c.rootKey),
      fromHex(c.dhOutput),
      c.kemSecret === null ? undefined : fromHex(c.kemSecret),
    );
    expect([toHex(out.rootKey), toHex(out.chainKey), toHex(out.nextHeaderKey)]).toEqual([
      c.nextRootKey,
      c.chainKey,
      c.nextHeaderKey,
    ]);
  }
  for (const c of kdf.chainKdf) {
    const out = chainKdf(fromHex(c.chainKey));
    expect([toHex(out.messageKey), toHex(out.chainKey)]).toEqual([c.messageKey, c.nextChainKey]);
  }
  expect(toHex(kemFieldKey(fromHex(kdf.kemFieldKey.headerKey)))).toBe(kdf.kemFieldKey.kemFieldKey);
  const h = kdf.header;
  const encoded = encodeHeader({
    kemKind: KEM_KIND_CIPHERTEXT,
    dhPublic: fromHex(h.dhPublic),
    pn: h.pn,
    n: h.n,
  });
  expect(toHex(encoded)).toBe(h.encoded);
  expect(decodeHeader(encoded)).toEqual({
    kemKind: h.kemKind,
    dhPublic: fromHex(h.dhPublic),
    pn: h.pn,
    n: h.n,
  });
});

test('payload encodings and the padding table match ratchet-payload.json', () => {
  for (const c of payloads.payloads) {
    const payload: Payload = {
      type: c.type as PayloadType,
      id: fromHex(c.id),
      timestampMs: c.timestampMs,
      body: fromHex(c.body),
    };
    expect(toHex(encodePayload(payload)), c.name).toBe(c.encoded);
    expect(decodePayload(fromHex(c.encoded)), c.name).toEqual(payload);
  }
  for (const c of payloads.padding) {
    expect(padmeLength(c.length)).toBe(c.padme);
    expect(paddedLength(c.length)).toBe(c.padded);
  }
  expect(paddedLength(30 + 16 * 1024)).toBe(PAYLOAD_MAX_PADDED_BYTES);
});

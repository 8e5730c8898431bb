/**
 * The frozen ratchet conversation behind docs/protocol/vectors/ratchet-transcript.json: one seeded DRBG,
 * a fixed script of sends and deliveries (in order, out of order, crossing, across DH steps). Shared by
 * scripts/gen-vectors-ratchet.ts (writes the file) and the vector test (re-runs it and compares bytes).
 */
import type { CryptoBackend } from '../../src/crypto/backend.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { sha256Hash } from '../../src/crypto/primitives.ts';
import {
  decodePayload,
  encodePayload,
  newMessageId,
  payloadText,
  textPayload,
} from '../../src/protocol/payload.ts';
import {
  initSession,
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
  serializeState,
} from '../../src/protocol/ratchet/index.ts';
import { seedPair } from './seeds.ts';

export const TRANSCRIPT_LABEL = 'pvt vectors: ratchet transcript v1';
/** A fixed sender clock for the payloads: 2026-01-01T00:00:00Z plus one second per message. */
export const TRANSCRIPT_EPOCH_MS = 1_767_225_600_000;

type Party = 'alice' | 'bob';

/** `send` encrypts a text under a label; `deliver` hands that labelled message to the other party. */
export type ScriptOp =
  | { readonly op: 'send'; readonly from: Party; readonly label: string; readonly text: string }
  | {
      readonly op: 'deliver';
      readonly label: string;
    };

export const TRANSCRIPT_SCRIPT: readonly ScriptOp[] = [
  { op: 'send', from: 'alice', label: 'a1', text: 'hello bob' },
  { op: 'deliver', label: 'a1' },
  { op: 'send', from: 'alice', label: 'a2', text: 'one direction: a symmetric step' },
  { op: 'send', from: 'alice', label: 'a3', text: 'arrives before a2' },
  { op: 'deliver', label: 'a3' },
  { op: 'deliver', label: 'a2' },
  { op: 'send', from: 'bob', label: 'b1', text: 'hi alice: a DH step with a fresh ML-KEM key' },
  { op: 'deliver', label: 'b1' },
  { op: 'send', from: 'alice', label: 'a4', text: 'DH step with an ML-KEM ciphertext' },
  { op: 'send', from: 'bob', label: 'b2', text: 'crossing a4 in flight' },
  { op: 'deliver', label: 'b2' },
  { op: 'deliver', label: 'a4' },
  { op: 'send', from: 'bob', label: 'b3', text: 'bob answers a4: next step' },
  { op: 'send', from: 'bob', label: 'b4', text: 'held back across a step' },
  { op: 'send', from: 'bob', label: 'b5', text: 'delivered first' },
  { op: 'deliver', label: 'b5' },
  { op: 'send', from: 'alice', label: 'a5', text: 'alice steps again' },
  { op: 'deliver', label: 'a5' },
  { op: 'send', from: 'bob', label: 'b6', text: 'bob steps again' },
  { op: 'deliver', label: 'b6' },
  { op: 'deliver', label: 'b3' },
  { op: 'deliver', label: 'b4' },
  { op: 'send', from: 'alice', label: 'a6', text: 'the end' },
  { op: 'deliver', label: 'a6' },
];

export interface TranscriptEvent {
  readonly op: 'send' | 'deliver';
  readonly party: Party;
  readonly label: string;
  readonly text: string;
  /** Hex of the padded payload (send) or of the decrypted plaintext (deliver). */
  readonly plaintext: string;
  /** Hex of the wire message. */
  readonly message: string;
  /** SHA-256 of the acting party's serialized state after the event. */
  readonly stateSha256: string;
  readonly dhSteps: number;
  readonly kemSteps: number;
}

export interface Transcript {
  readonly label: string;
  readonly seeds: Record<Party, Record<string, string>>;
  readonly initialStates: Record<Party, string>;
  readonly events: TranscriptEvent[];
  readonly finalStates: Record<Party, string>;
}

/** Before each delivery: the receiver's state, for cross-backend replays of single decrypts. */
export interface TranscriptRun {
  readonly transcript: Transcript;
  readonly statesBeforeDelivery: Map<string, RatchetState>;
}

function seedHex(seed: ReturnType<typeof seedPair>['alice']): Record<string, string> {
  const ratchet = seed.bobRatchet;
  const out: Record<string, string> = {
    role: seed.role,
    rootKey: toHex(seed.rootKey),
    headerKeyAlice: toHex(seed.headerKeyAlice),
    nextHeaderKeyBob: toHex(seed.nextHeaderKeyBob),
    associatedData: toHex(seed.associatedData),
    bobDhPublic: toHex(ratchet.dhPublic),
    bobKemPublic: toHex(ratchet.kemPublic),
  };
  if (ratchet.kind === 'own') {
    out.bobDhSecret = toHex(ratchet.dhSecret);
    out.bobKemSeed = toHex(ratchet.kemSeed);
  }
  return out;
}

/** Runs the script on `backend` (noble for the frozen bytes). */
export function runTranscript(backend: CryptoBackend): TranscriptRun {
  const rng = createLabelledDrbg(TRANSCRIPT_LABEL);
  const seeds = seedPair(rng);
  const states: Record<Party, RatchetState> = {
    alice: initSession(seeds.alice, rng, { backend }),
    bob: initSession(seeds.bob, rng, { backend }),
  };
  const initialStates = {
    alice: toHex(serializeState(states.alice)),
    bob: toHex(serializeState(states.bob)),
  };
  const inFlight = new Map<string, { to: Party; message: Uint8Array; text: string }>();
  const statesBeforeDelivery = new Map<string, RatchetState>();
  const events: TranscriptEvent[] = [];
  let clock = TRANSCRIPT_EPOCH_MS;
  for (const step of TRANSCRIPT_SCRIPT) {
    if (step.op === 'send') {
      const plaintext = encodePayload(textPayload(step.text, newMessageId(rng), clock));
      clock += 1000;
      const { state, message } = ratchetEncrypt(states[step.from], plaintext, rng);
      states[step.from] = state;
      inFlight.set(step.label, { to: step.from === 'alice' ? 'bob' : 'alice', message, text: step.text });
      events.push({
        op: 'send',
        party: step.from,
        label: step.label,
        text: step.text,
        plaintext: toHex(plaintext),
        message: toHex(message),
        stateSha256: toHex(sha256Hash(serializeState(state))),
        dhSteps: state.dhSteps,
        kemSteps: state.kemSteps,
      });
    } else {
      const flight = inFlight.get(step.label);
      if (flight === undefined) throw new Error(`script delivers ${step.label} before sending it`);
      statesBeforeDelivery.set(step.label, states[flight.to]);
      const { state, plaintext } = ratchetDecrypt(states[flight.to], flight.message);
      const text = payloadText(decodePayload(plaintext));
      if (text !== flight.text) throw new Error(`${step.label} decrypted to ${JSON.stringify(text)}`);
      states[flight.to] = state;
      events.push({
        op: 'deliver',
        party: flight.to,
        label: step.label,
        text,
        plaintext: toHex(plaintext),
        message: toHex(flight.message),
        stateSha256: toHex(sha256Hash(serializeState(state))),
        dhSteps: state.dhSteps,
        kemSteps: state.kemSteps,
      });
    }
  }
  return {
    transcript: {
      label: TRANSCRIPT_LABEL,
      seeds: { alice: seedHex(seeds.alice), bob: seedHex(seeds.bob) },
      initialStates,
      events,
      finalStates: { alice: toHex(serializeState(states.alice)), bob: toHex(serializeState(states.bob)) },
    },
    statesBeforeDelivery,
  };
}

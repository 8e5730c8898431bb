/**
 * Generates the frozen onion vectors (docs/protocol/vectors/onion.json) from labelled DRBGs with the
 * deterministic noble backend: onion keys, a signed relay descriptor and an exit-only one offering a
 * mailbox, one hybrid ntor handshake (CREATE,
 * CREATED, hop keys), a forward relay cell through three hops to the middle hop and a backward cell from
 * the exit, and link cells. The test (test/protocol/onion-vectors.test.ts) loads the file and compares
 * it with `onionVectors()`.
 * Run: node_modules/.bin/node scripts/gen-vectors-onion.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nobleBackend } from '../src/crypto/backend-noble.ts';
import { toHex } from '../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../src/crypto/drbg.ts';
import { ed25519PublicKey } from '../src/crypto/primitives.ts';
import { encodeCell, encodeRelay } from '../src/protocol/onion/cell.ts';
import { CELL_CREATE, CELL_RELAY, RELAY_BEGIN, RELAY_DATA } from '../src/protocol/onion/constants.ts';
import { signDescriptor } from '../src/protocol/onion/descriptor.ts';
import {
  clientCreate,
  clientFinish,
  generateOnionKeys,
  relayRespond,
} from '../src/protocol/onion/handshake.ts';
import { clientSeal, type HopState, hopState, relayOriginate } from '../src/protocol/onion/layers.ts';

export const VECTORS_PATH = join(new URL('..', import.meta.url).pathname, 'docs/protocol/vectors/onion.json');

const NOW_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z

export function onionVectors(): Record<string, unknown> {
  const rng = createLabelledDrbg('pvt vectors: onion');
  const transportSeed = rng(32);
  const transportKey = ed25519PublicKey(transportSeed);
  const onion = generateOnionKeys(rng, nobleBackend);
  const descriptor = signDescriptor(
    {
      transportKey,
      x25519Public: onion.x25519Public,
      kemPublic: onion.kemPublic,
      publishedMs: NOW_MS,
      validUntilMs: NOW_MS + 24 * 3600_000,
      relayingSinceMs: NOW_MS - 7 * 24 * 3600_000,
      bandwidthKiBps: 1024,
      flags: 3,
      addrs: [Uint8Array.of(0x04, 127, 0, 0, 1, 0x06, 0x9c, 0x40)],
      services: ['echo'],
    },
    transportSeed,
  );
  // A node that serves a mailbox without relaying (docs/mailbox.md, "Suggestions"): exit flag only,
  // the mailbox among its services. Signing draws nothing from the DRBG, so the values below stay.
  const mailboxDescriptor = signDescriptor(
    {
      transportKey,
      x25519Public: onion.x25519Public,
      kemPublic: onion.kemPublic,
      publishedMs: NOW_MS,
      validUntilMs: NOW_MS + 24 * 3600_000,
      relayingSinceMs: NOW_MS - 3600_000,
      bandwidthKiBps: 0,
      flags: 2,
      addrs: [Uint8Array.of(0x04, 198, 51, 100, 7, 0x06, 0x0f, 0xa1)],
      services: ['echo', 'mailbox'],
    },
    transportSeed,
  );
  const relay = { relayId: transportKey, x25519Public: onion.x25519Public, kemPublic: onion.kemPublic };
  const { message, state } = clientCreate(relay, rng, nobleBackend);
  const { reply, keys } = relayRespond(transportKey, () => onion, message, rng, nobleBackend);
  const clientKeys = clientFinish(state, reply);
  if (toHex(clientKeys.af) !== toHex(keys.af)) throw new Error('vector handshake disagrees');
  // Three hops with keys from the DRBG (hop 0 is the handshake above).
  const hopKeys = [keys, ...[1, 2].map(() => ({ lf: rng(32), lb: rng(32), af: rng(32), ab: rng(32) }))];
  const client: HopState[] = hopKeys.map(hopState);
  const begin = encodeRelay({ command: RELAY_BEGIN, streamId: 1, data: new TextEncoder().encode('echo') });
  const forward1 = clientSeal(client, 2, begin);
  const toMiddle = clientSeal(
    client,
    1,
    encodeRelay({ command: RELAY_DATA, streamId: 1, data: Uint8Array.of(1, 42) }),
  );
  // The exit answers: sealed by hop 2, layered by hops 1 and 0 (their nb counters at 0).
  const exit = hopState(hopKeys[2] as (typeof hopKeys)[number]);
  const fromExit = relayOriginate(
    exit,
    encodeRelay({ command: RELAY_DATA, streamId: 1, data: Uint8Array.of(1, 7) }),
  );
  return {
    description:
      'pvt onion vectors (docs/protocol/onion.md). Hex. DRBG label "pvt vectors: onion", noble backend; regenerate with scripts/gen-vectors-onion.ts.',
    nowMs: NOW_MS,
    transportSeed: toHex(transportSeed),
    onion: {
      keyId: toHex(onion.keyId),
      x25519Secret: toHex(onion.x25519Secret),
      x25519Public: toHex(onion.x25519Public),
      kemPublic: toHex(onion.kemPublic),
    },
    descriptor: toHex(descriptor),
    mailboxDescriptor: toHex(mailboxDescriptor),
    handshake: {
      create: toHex(message),
      created: toHex(reply),
      keys: { lf: toHex(keys.lf), lb: toHex(keys.lb), af: toHex(keys.af), ab: toHex(keys.ab) },
    },
    hops: hopKeys.map((k) => ({ lf: toHex(k.lf), lb: toHex(k.lb), af: toHex(k.af), ab: toHex(k.ab) })),
    cells: {
      createCell: toHex(encodeCell(7, CELL_CREATE, message)),
      beginToExitBody: toHex(forward1),
      dataToMiddleBody: toHex(toMiddle),
      dataFromExitBodyAtExit: toHex(fromExit),
      relayCell: toHex(encodeCell(7, CELL_RELAY, forward1)),
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = `${JSON.stringify(onionVectors(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    if (readFileSync(VECTORS_PATH, 'utf8') !== text) {
      process.stderr.write('onion.json differs from the generated vectors\n');
      process.exit(1);
    }
  } else writeFileSync(VECTORS_PATH, text);
}

/**
 * A stranger flooding a relay (run as its own process by flood.test.ts): its own libp2p node with a
 * fresh key dials the relay, fetches its descriptor (for a valid onion key id), then for `seconds`
 * sends CREATE cells at `rate` per second on `/pvt/onion/1.0.0` — well-formed ones the relay would have
 * to answer with full handshake crypto — mixed with malformed cells (unknown command, nonzero padding)
 * and oversize garbage that breaks the cell framing; whenever the relay hangs up it opens a new link.
 * Prints one JSON line: {"creates": N, "malformed": N, "garbageBytes": N, "links": N}.
 * Usage: node test/onion/flood-child.ts MULTIADDR SECONDS RATE
 */
import { randomBytes } from 'node:crypto';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { frameReader } from '../../src/net/frames.ts';
import { ONION_DESCRIPTOR_PROTOCOL, ONION_PROTOCOL } from '../../src/net/onion/constants.ts';
import { encodeCell } from '../../src/protocol/onion/cell.ts';
import { CELL_BYTES, CELL_CREATE } from '../../src/protocol/onion/constants.ts';
import { decodeDescriptor } from '../../src/protocol/onion/descriptor.ts';

const [addrText, secondsText, rateText] = process.argv.slice(2);
const target = multiaddr(addrText as string);
const seconds = Number(secondsText ?? 5);
const rate = Number(rateText ?? 1000);

const node = await createLibp2p({
  addresses: { listen: [] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
});
await node.start();
const descStream = await node.dialProtocol(target, ONION_DESCRIPTOR_PROTOCOL);
const frame = await frameReader(descStream, 4096).next();
const keyId = decodeDescriptor(frame as Uint8Array).keyId;

const counts = { creates: 0, malformed: 0, garbageBytes: 0, links: 0 };
let stream: Stream | undefined;
const link = async (): Promise<Stream> => {
  if (stream && stream.status === 'open') return stream;
  stream = await node.dialProtocol(target, ONION_PROTOCOL);
  counts.links += 1;
  return stream;
};
const send = async (bytes: Uint8Array) => {
  try {
    const s = await link();
    if (!s.send(bytes)) await s.onDrain({ signal: AbortSignal.timeout(1000) });
  } catch {
    stream = undefined;
  }
};

const begin = Date.now();
const end = begin + seconds * 1000;
let circId = 1;
while (Date.now() < end) {
  const tickStart = Date.now();
  // Whatever keeps the total at `rate` per second since the start (timers drift under load).
  const perTick = Math.max(1, Math.round((rate * (Date.now() - begin)) / 1000) - counts.creates);
  // One write per tick carrying all of this tick's cells (the flood's rate does not depend on how fast
  // the relay reads).
  const cells: Uint8Array[] = [];
  for (let i = 0; i < perTick; i++) {
    const handshake = new Uint8Array(1128);
    handshake.set(keyId, 0);
    handshake.set(randomBytes(1120), 8);
    cells.push(encodeCell(circId++, CELL_CREATE, handshake));
    counts.creates += 1;
    if (counts.creates % 50 === 0) {
      const bad = encodeCell(circId++, CELL_CREATE, handshake);
      bad[4] = 77; // unknown command
      const padded = encodeCell(circId++, CELL_CREATE, handshake);
      padded[CELL_BYTES - 1] = 1; // nonzero padding
      cells.push(bad, padded);
      counts.malformed += 2;
    }
  }
  await send(Buffer.concat(cells));
  if (counts.creates % 400 < perTick) {
    const garbage = randomBytes(64 * 1024 + 7); // oversize, not a whole number of cells
    await send(garbage);
    counts.garbageBytes += garbage.length;
  }
  const wait = 50 - (Date.now() - tickStart);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
process.stdout.write(`${JSON.stringify(counts)}\n`);
await node.stop();
process.exit(0);

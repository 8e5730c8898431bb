/**
 * Onion protocol: the frozen vectors (docs/protocol/vectors/onion.json) recomputed; the handshake's
 * agreement and its rejections; per-hop layers (recognition at the right hop only, replay, reorder and
 * tamper rejection, equal sizes); descriptors (signature, tamper, validity); path rules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { onionVectors, VECTORS_PATH } from '../../scripts/gen-vectors-onion.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { ed25519PublicKey } from '../../src/crypto/primitives.ts';
import {
  decodeCell,
  decodeExtend,
  decodeRelay,
  encodeCell,
  encodeExtend,
  encodeRelay,
} from '../../src/protocol/onion/cell.ts';
import {
  CELL_BODY_BYTES,
  CELL_BYTES,
  CELL_CREATE,
  CELL_CREATED,
  CELL_DESTROY,
  CELL_RELAY,
  DESCRIPTOR_FLAG_EXIT,
  DESCRIPTOR_FLAG_RELAY,
  RELAY_BEGIN,
  RELAY_DATA,
} from '../../src/protocol/onion/constants.ts';
import {
  checkDescriptorTime,
  decodeDescriptor,
  signDescriptor,
} from '../../src/protocol/onion/descriptor.ts';
import {
  OnionCellError,
  OnionDescriptorError,
  OnionHandshakeError,
} from '../../src/protocol/onion/errors.ts';
import {
  clientCreate,
  clientFinish,
  generateOnionKeys,
  type HopKeys,
  relayRespond,
} from '../../src/protocol/onion/handshake.ts';
import {
  clientOpen,
  clientSeal,
  hopState,
  relayBackward,
  relayForward,
  relayOriginate,
} from '../../src/protocol/onion/layers.ts';
import { type PathCandidate, selectPath, subnetOf } from '../../src/protocol/onion/path.ts';

const file = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as ReturnType<typeof onionVectors> & {
  nowMs: number;
  descriptor: string;
  hops: { lf: string; lb: string; af: string; ab: string }[];
  cells: Record<string, string>;
  handshake: { create: string; created: string; keys: Record<string, string> };
};
const hopKeysOf = (h: { lf: string; lb: string; af: string; ab: string }): HopKeys => ({
  lf: fromHex(h.lf),
  lb: fromHex(h.lb),
  af: fromHex(h.af),
  ab: fromHex(h.ab),
});

describe('vectors', () => {
  test('the file equals what the code computes', () => {
    expect(JSON.parse(JSON.stringify(onionVectors()))).toEqual(file);
  });

  test('the descriptor decodes, verifies and carries the onion keys', () => {
    const d = decodeDescriptor(fromHex(file.descriptor));
    const onion = (file as unknown as { onion: Record<string, string> }).onion;
    expect(toHex(d.keyId)).toBe(onion.keyId);
    expect(toHex(d.x25519Public)).toBe(onion.x25519Public);
    expect(d.services).toEqual(['echo']);
    expect(() => checkDescriptorTime(d, file.nowMs)).not.toThrow();
  });

  test('an exit-only descriptor offering a mailbox: exit flag without the relay flag, the mailbox among its services', () => {
    const d = decodeDescriptor(fromHex((file as unknown as { mailboxDescriptor: string }).mailboxDescriptor));
    expect(d.flags).toBe(DESCRIPTOR_FLAG_EXIT);
    expect(d.flags & DESCRIPTOR_FLAG_RELAY).toBe(0);
    expect(d.services).toEqual(['echo', 'mailbox']);
    expect(() => checkDescriptorTime(d, file.nowMs)).not.toThrow();
    // A flag this version does not know is still refused (the decoder stays strict).
    const bytes = fromHex((file as unknown as { mailboxDescriptor: string }).mailboxDescriptor);
    const flagsAt = 1 + 32 + 32 + 1184 + 8 + 8 + 8 + 4;
    expect(bytes[flagsAt]).toBe(DESCRIPTOR_FLAG_EXIT);
    bytes[flagsAt] = DESCRIPTOR_FLAG_EXIT | 0x04;
    expect(() => decodeDescriptor(bytes)).toThrow(/unknown flags/);
  });

  test('a BEGIN for the exit is recognized only by the exit; a DATA for the middle only by the middle', () => {
    const relays = file.hops.map((h) => hopState(hopKeysOf(h)));
    let body = fromHex(file.cells.beginToExitBody as string);
    for (const [i, hop] of relays.entries()) {
      const r = relayForward(hop, body);
      if (i < 2) expect(r.plain).toBeNull();
      else {
        expect(r.plain).not.toBeNull();
        const m = decodeRelay(r.plain as Uint8Array);
        expect(m.command).toBe(RELAY_BEGIN);
        expect(new TextDecoder().decode(m.data)).toBe('echo');
      }
      body = r.body;
    }
    const atFirst = relayForward(
      relays[0] as ReturnType<typeof hopState>,
      fromHex(file.cells.dataToMiddleBody as string),
    );
    expect(atFirst.plain).toBeNull();
    const atMiddle = relayForward(relays[1] as ReturnType<typeof hopState>, atFirst.body);
    expect(decodeRelay(atMiddle.plain as Uint8Array).data).toEqual(Uint8Array.of(1, 42));
  });

  test('a cell from the exit, layered by the middle and first hop, opens at the client as from hop 2', () => {
    const relays = file.hops.map((h) => hopState(hopKeysOf(h)));
    const client = file.hops.map((h) => hopState(hopKeysOf(h)));
    let body = fromHex(file.cells.dataFromExitBodyAtExit as string);
    body = relayBackward(relays[1] as ReturnType<typeof hopState>, body);
    body = relayBackward(relays[0] as ReturnType<typeof hopState>, body);
    const opened = clientOpen(client, body);
    expect(opened?.hop).toBe(2);
    expect(decodeRelay(opened?.plain as Uint8Array).command).toBe(RELAY_DATA);
  });
});

describe('handshake', () => {
  const rng = createLabelledDrbg('pvt tests: onion handshake');
  const seed = rng(32);
  const relayId = ed25519PublicKey(seed);
  const onion = generateOnionKeys(rng, nobleBackend);
  const pub = { relayId, x25519Public: onion.x25519Public, kemPublic: onion.kemPublic };
  const byId = (id: Uint8Array) => (toHex(id) === toHex(onion.keyId) ? onion : undefined);

  test('client and relay derive the same four keys, distinct from each other', () => {
    const { message, state } = clientCreate(pub, rng, nobleBackend);
    const { reply, keys } = relayRespond(relayId, byId, message, rng, nobleBackend);
    const mine = clientFinish(state, reply);
    expect(mine).toEqual(keys);
    expect(new Set([mine.lf, mine.lb, mine.af, mine.ab].map(toHex)).size).toBe(4);
  });

  test('an unknown onion key id is rejected', () => {
    const { message } = clientCreate(pub, rng, nobleBackend);
    expect(() => relayRespond(relayId, () => undefined, message, rng, nobleBackend)).toThrow(
      OnionHandshakeError,
    );
  });

  test('a CREATED whose auth or Y was changed fails', () => {
    const { message, state } = clientCreate(pub, rng, nobleBackend);
    const { reply } = relayRespond(relayId, byId, message, rng, nobleBackend);
    for (const at of [0, 40]) {
      const bad = reply.slice();
      bad[at] = (bad[at] as number) ^ 1;
      expect(() => clientFinish({ ...state, x: state.x.slice(), ss: state.ss.slice() }, bad)).toThrow(
        OnionHandshakeError,
      );
    }
  });

  test('a relay that is not the one in the descriptor (other transport key) fails auth', () => {
    const { message, state } = clientCreate(pub, rng, nobleBackend);
    const { reply } = relayRespond(ed25519PublicKey(rng(32)), byId, message, rng, nobleBackend);
    expect(() => clientFinish(state, reply)).toThrow(OnionHandshakeError);
  });

  test('a changed ML-KEM ciphertext gives different keys (implicit rejection) and fails auth', () => {
    const { message, state } = clientCreate(pub, rng, nobleBackend);
    const bad = message.slice();
    bad[100] = (bad[100] as number) ^ 0x10;
    const { reply } = relayRespond(relayId, byId, bad, rng, nobleBackend);
    expect(() => clientFinish(state, reply)).toThrow(OnionHandshakeError);
  });

  test('a low-order client key X is rejected by the relay', () => {
    const { message } = clientCreate(pub, rng, nobleBackend);
    const bad = message.slice();
    bad.fill(0, 8, 40);
    expect(() => relayRespond(relayId, byId, bad, rng, nobleBackend)).toThrow(OnionHandshakeError);
  });
});

describe('layers', () => {
  const rng = createLabelledDrbg('pvt tests: onion layers');
  const keys = [0, 1, 2].map(() => ({ lf: rng(32), lb: rng(32), af: rng(32), ab: rng(32) }));
  const fresh = () => ({ client: keys.map(hopState), relays: keys.map(hopState) });
  const data = (n: number) => encodeRelay({ command: RELAY_DATA, streamId: 3, data: Uint8Array.of(n) });
  const through = (relays: ReturnType<typeof hopState>[], body: Uint8Array) => {
    let b = body;
    for (const [i, hop] of relays.entries()) {
      const r = relayForward(hop, b);
      if (r.plain) return { hop: i, plain: r.plain };
      b = r.body;
    }
    return null;
  };

  test('every body has the same size at every hop in both directions', () => {
    const { client, relays } = fresh();
    let body = clientSeal(client, 2, data(1));
    for (const hop of relays) {
      expect(body.length).toBe(CELL_BODY_BYTES);
      body = relayForward(hop, body).body;
    }
    let back = relayOriginate(relays[2] as ReturnType<typeof hopState>, data(2));
    for (const hop of [relays[1], relays[0]]) {
      expect(back.length).toBe(CELL_BODY_BYTES);
      back = relayBackward(hop as ReturnType<typeof hopState>, back);
    }
    expect(back.length).toBe(CELL_BODY_BYTES);
    expect(encodeCell(1, CELL_RELAY, back).length).toBe(CELL_BYTES);
  });

  test('the node:crypto fast path and the noble path produce the same bytes', () => {
    const fast = keys.map(hopState);
    const slow = keys.map((k) => ({ keys: k, nf: 0, nb: 0, sub: undefined }));
    expect(fast[0]?.sub).toBeDefined();
    const a = clientSeal(fast, 2, data(5));
    const b = clientSeal(slow, 2, data(5));
    expect(toHex(a)).toBe(toHex(b));
    const r = relayForward(slow[0] as ReturnType<typeof hopState>, a);
    expect(toHex(r.body)).toBe(toHex(relayForward(fast[0] as ReturnType<typeof hopState>, b).body));
    const back = relayOriginate(slow[2] as ReturnType<typeof hopState>, data(6));
    expect(toHex(back)).toBe(toHex(relayOriginate(fast[2] as ReturnType<typeof hopState>, data(6))));
  });

  test('a replayed cell is not accepted by its destination', () => {
    const { client, relays } = fresh();
    const cell = clientSeal(client, 2, data(1));
    expect(through(relays, cell)?.hop).toBe(2);
    expect(through(relays, cell)).toBeNull();
  });

  test('reordered cells are not accepted', () => {
    const { client, relays } = fresh();
    const a = clientSeal(client, 2, data(1));
    const b = clientSeal(client, 2, data(2));
    expect(through(relays, b)).toBeNull();
    expect(through(relays, a)).toBeNull();
  });

  test('a flipped bit anywhere makes the destination drop the cell', () => {
    for (const at of [0, 700, CELL_BODY_BYTES - 1]) {
      const { client, relays } = fresh();
      const cell = clientSeal(client, 2, data(1));
      cell[at] = (cell[at] as number) ^ 0x80;
      expect(through(relays, cell)).toBeNull();
    }
  });

  test('a backward cell with a flipped bit opens at no hop', () => {
    const { client, relays } = fresh();
    const back = relayOriginate(relays[1] as ReturnType<typeof hopState>, data(9));
    const at0 = relayBackward(relays[0] as ReturnType<typeof hopState>, back);
    at0[5] = (at0[5] as number) ^ 1;
    expect(clientOpen(client, at0)).toBeNull();
  });
});

describe('cells', () => {
  test('strict decoding: length, circuit id 0, unknown command, nonzero padding', () => {
    const ok = encodeCell(5, CELL_DESTROY, Uint8Array.of(3));
    expect(decodeCell(ok).body[0]).toBe(3);
    expect(() => decodeCell(ok.subarray(1))).toThrow(OnionCellError);
    const zeroId = ok.slice();
    zeroId.fill(0, 0, 4);
    expect(() => decodeCell(zeroId)).toThrow(OnionCellError);
    const unknown = ok.slice();
    unknown[4] = 9;
    expect(() => decodeCell(unknown)).toThrow(OnionCellError);
    const padded = encodeCell(5, CELL_CREATED, new Uint8Array(64).fill(1));
    expect(decodeCell(padded).command).toBe(CELL_CREATED);
    padded[100] = 1;
    expect(() => decodeCell(padded)).toThrow(OnionCellError);
    const create = encodeCell(5, CELL_CREATE, new Uint8Array(1128).fill(2));
    create[CELL_BYTES - 1] = 1;
    expect(() => decodeCell(create)).toThrow(OnionCellError);
  });

  test('relay plaintext and EXTEND round-trip; trailing bytes and bad lengths are rejected', () => {
    const m = { command: RELAY_BEGIN, streamId: 9, data: Uint8Array.of(1, 2, 3) };
    expect(decodeRelay(encodeRelay(m))).toEqual(m);
    const bad = encodeRelay(m);
    bad[bad.length - 1] = 1;
    expect(() => decodeRelay(bad)).toThrow(OnionCellError);
    const ext = {
      peerId: new Uint8Array(38).fill(7),
      addrs: [Uint8Array.of(4, 127, 0, 0, 1)],
      handshake: new Uint8Array(1128),
    };
    const enc = encodeExtend(ext);
    expect(decodeExtend(enc)).toEqual(ext);
    expect(() => decodeExtend(Uint8Array.of(...enc, 0))).toThrow(OnionCellError);
    expect(() => decodeExtend(enc.subarray(0, enc.length - 1))).toThrow(OnionCellError);
  });
});

describe('descriptors', () => {
  const rng = createLabelledDrbg('pvt tests: onion descriptor');
  const seed = rng(32);
  const onion = generateOnionKeys(rng, nobleBackend);
  const content = {
    transportKey: ed25519PublicKey(seed),
    x25519Public: onion.x25519Public,
    kemPublic: onion.kemPublic,
    publishedMs: 1_000_000,
    validUntilMs: 2_000_000,
    relayingSinceMs: 0,
    bandwidthKiBps: 0,
    flags: 1,
    addrs: [],
    services: ['mailbox'],
  };
  test('round-trips; a flipped byte anywhere is rejected', () => {
    const bytes = signDescriptor(content, seed);
    expect(decodeDescriptor(bytes).services).toEqual(['mailbox']);
    for (const at of [1, 40, 1300, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at] = (bad[at] as number) ^ 1;
      expect(() => decodeDescriptor(bad)).toThrow(OnionDescriptorError);
    }
  });
  test('signing with another key is refused; expiry and future publication are checked', () => {
    expect(() => signDescriptor(content, rng(32))).toThrow(RangeError);
    const d = decodeDescriptor(signDescriptor(content, seed));
    expect(() => checkDescriptorTime(d, 2_000_000)).toThrow(OnionDescriptorError);
    expect(() => checkDescriptorTime(d, 1_000_000 - 11 * 60_000)).toThrow(OnionDescriptorError);
    expect(() => checkDescriptorTime(d, 1_500_000)).not.toThrow();
  });
});

describe('path rules', () => {
  const relay = (id: string, ips: string[], more: Partial<PathCandidate> = {}): PathCandidate => ({
    id,
    ips,
    relay: true,
    services: ['echo'],
    contact: false,
    attempts: 0,
    successes: 0,
    ...more,
  });
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };

  test('subnets: IPv4 /16, IPv6 /32, mapped IPv4', () => {
    expect(subnetOf('203.0.113.7')).toBe(subnetOf('203.0.1.1'));
    expect(subnetOf('203.1.113.7')).not.toBe(subnetOf('203.0.113.7'));
    expect(subnetOf('2001:db8:1::1')).toBe(subnetOf('2001:db8:ffff::2'));
    expect(subnetOf('2001:db9::1')).not.toBe(subnetOf('2001:db8::1'));
    expect(subnetOf('::ffff:203.0.113.7')).toBe(subnetOf('203.0.5.5'));
  });

  test('never two hops in one /16, for many draws', () => {
    const cands = [
      relay('a', ['198.51.1.1']),
      relay('b', ['198.51.2.2']),
      relay('c', ['203.0.113.1']),
      relay('d', ['192.0.2.1']),
    ];
    for (let i = 0; i < 200; i++) {
      const path = selectPath({ candidates: cands, random });
      const nets = path.map((p) => subnetOf(p.ips[0] as string));
      expect(new Set(nets).size).toBe(3);
    }
    expect(() =>
      selectPath({ candidates: cands.slice(0, 2).concat(relay('e', ['198.51.9.9'])), random }),
    ).toThrow();
  });

  test('documentation ranges (lab only) are relaxed like loopback; real networks are not', () => {
    const lab = ['203.0.113.10', '203.0.113.10', '2001:db8:dc::10'].map((ip, i) => relay(`l${i}`, [ip]));
    expect(selectPath({ candidates: lab, random })).toHaveLength(3);
    const real = ['203.0.114.10', '203.0.114.11', '203.0.114.12'].map((ip, i) => relay(`r${i}`, [ip]));
    expect(() => selectPath({ candidates: real, random })).toThrow();
  });

  test('the loopback relaxation applies only when all addresses are loopback', () => {
    const cands = ['a', 'b', 'c'].map((id) => relay(id, ['127.0.0.1']));
    expect(selectPath({ candidates: cands, random })).toHaveLength(3);
    // One relay elsewhere: the two loopback ones now share a /16 and the rule applies again.
    expect(() =>
      selectPath({
        candidates: [relay('x', ['10.0.0.1']), relay('y', ['10.0.0.2']), relay('z', ['127.0.0.1'])],
        random,
      }),
    ).toThrow();
  });

  test('same family never shares a path; a contact is first hop only when nothing else can be', () => {
    const fam = [
      relay('a', ['198.51.1.1'], { family: 'f' }),
      relay('b', ['203.0.1.1'], { family: 'f' }),
      relay('c', ['192.0.2.1']),
    ];
    expect(() => selectPath({ candidates: fam, random })).toThrow();
    const withContact = [
      relay('a', ['198.51.1.1'], { contact: true }),
      relay('b', ['203.0.1.1']),
      relay('c', ['192.0.2.1']),
      relay('d', ['100.1.1.1']),
    ];
    for (let i = 0; i < 100; i++) {
      const path = selectPath({ candidates: withContact, random });
      expect(path[0]?.contact).toBe(false);
    }
    const onlyWithContact = withContact.slice(0, 3);
    let sawContactFirst = false;
    for (let i = 0; i < 100; i++) {
      if (selectPath({ candidates: onlyWithContact, random })[0]?.contact) sawContactFirst = true;
    }
    expect(sawContactFirst).toBe(true);
  });

  test('a requested exit is the last hop', () => {
    const cands = ['a', 'b', 'c', 'd'].map((id) => relay(id, ['127.0.0.1']));
    for (let i = 0; i < 20; i++)
      expect(selectPath({ candidates: cands, exit: 'c', random })[2]?.id).toBe('c');
  });
});

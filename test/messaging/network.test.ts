/**
 * The node itself: it listens on IPv4 and IPv6 (when not loopback-only) on one remembered port, a clean
 * close leaves no socket behind, and contacts whose stored addresses are all stale are found again
 * through mDNS discovery (skipped, with the reason, where multicast does not work).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode } from '../../src/net/node.ts';
import { cleanupDirs, createPeer, idOf, type Peer, pair, waitFor } from './helpers.ts';

const peers: Peer[] = [];
afterAll(async () => {
  for (const p of peers) await p.close().catch(() => undefined);
  cleanupDirs();
});

function sockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP') || r.startsWith('UDP')).length;
}

/** Whether two raw nodes on this host discover each other over mDNS within 3 s. */
async function mdnsWorks(): Promise<boolean> {
  const a = await startNode({ transportSeed: randomBytes(32), port: 0, mdns: true });
  const b = await startNode({ transportSeed: randomBytes(32), port: 0, mdns: true });
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3_000);
      b.libp2p.addEventListener('peer:discovery', (e) => {
        if (e.detail.id.equals(a.libp2p.peerId)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
  } finally {
    await a.libp2p.stop();
    await b.libp2p.stop();
  }
}

describe('node', () => {
  it('listens on IPv4 and IPv6 on one port, and close leaves no socket behind', async () => {
    const base = sockets();
    const p = await createPeer('Solo', {
      network: { loopbackOnly: false, mdns: false, portMapping: false } as never,
    });
    const { addresses } = await p.api.network();
    const ports = new Set(addresses.map((a) => a.split('/')[4]));
    expect(ports.size).toBe(1);
    expect(addresses.some((a) => a.startsWith('/ip4/'))).toBe(true);
    const invite = await p.api.createInvite({ expiresInMs: 60_000 });
    expect(invite.code).toMatch(/^pvt1/);
    expect(invite.qrText).toBe(invite.code.toUpperCase());
    await p.close();
    await waitFor('sockets closed', () => sockets() <= base, 5_000);
  });

  it('finds contacts through mDNS when every stored address is stale', async (ctx) => {
    if (!(await mdnsWorks())) ctx.skip('mDNS multicast does not work on this host');
    const lan = { loopbackOnly: false, mdns: true, portMapping: false } as never;
    const alice = await createPeer('Alice', { network: lan });
    const bob = await createPeer('Bob', { network: lan });
    peers.push(alice, bob);
    await pair(alice, bob);
    const port = async (p: Peer) => Number((await p.api.network()).addresses[0]?.split('/')[4]);
    const [pa, pb] = [await port(alice), await port(bob)];
    await alice.close();
    await bob.close();
    // Both come back on other ports: neither can be reached at what the other stored.
    alice.api = await reopenOn(alice, pa + 7);
    bob.api = await reopenOn(bob, pb + 7);
    await waitFor(
      'connected through mDNS',
      async () => (await alice.api.contact(await idOf(alice.api, 'Bob'))).path !== 'offline',
      15_000,
    );
    const m = await alice.api.send(await idOf(alice.api, 'Bob'), 'found you on the LAN');
    await waitFor('delivered', async () => {
      const log = await alice.api.contactMessages(await idOf(alice.api, 'Bob'));
      return log.find((x) => x.id === m.id)?.state === 'delivered';
    });
  });
});

async function reopenOn(p: Peer, port: number) {
  const { createLauncher } = await import('../../src/app/launcher.ts');
  return createLauncher({ dataDir: p.dataDir, profile: 'default', logLevel: 'debug' }).open({
    passphrase: 'test passphrase',
    network: { loopbackOnly: false, mdns: true, port, portMapping: false },
  });
}

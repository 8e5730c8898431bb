/**
 * Mailbox suggestions, the pure part and the profile's side (docs/mailbox.md, "Suggestions"):
 * `suggestMailboxes` lists contacts that said they serve a mailbox and known relays whose descriptor
 * names the mailbox service — not those already chosen, not this node, not a relay without the service
 * or expired, not a contact offer at someone else's PeerId — reachable ones first, contacts before
 * relays, names sanitized; ContactMailboxes keeps a contact's offer from its verified descriptor (sealed,
 * across a reopen) and forgets it when an update comes without one or without the mailbox service; the
 * decline of the TUI's suggestions is remembered; a removed contact's offer is deleted.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, describe, expect, test } from 'vitest';
import { ContactMailboxes } from '../../src/app/contact-mailboxes.ts';
import { MailboxHost } from '../../src/app/mailbox-host.ts';
import { type ContactOffer, suggestMailboxes } from '../../src/app/mailbox-suggest.ts';
import { nobleBackend } from '../../src/crypto/backend-noble.ts';
import { createLabelledDrbg } from '../../src/crypto/drbg.ts';
import { ed25519PublicKey } from '../../src/crypto/primitives.ts';
import { nullLogger } from '../../src/log/logger.ts';
import type { RelayListEntry } from '../../src/net/onion/directory.ts';
import { signDescriptor } from '../../src/protocol/onion/descriptor.ts';
import { generateOnionKeys } from '../../src/protocol/onion/handshake.ts';
import { openProfile } from '../../src/store/profile-store.ts';
import { systemRng } from '../../src/store/system-rng.ts';
import { newProfile, PASSPHRASE, tempDir } from '../store/helpers.ts';

const rng = createLabelledDrbg('pvt tests: mailbox suggestions');
const NOW = 1_800_000_000_000;
const dirs: { cleanup(): void }[] = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

function keys() {
  const seed = rng(32);
  const transportKey = ed25519PublicKey(seed);
  return { seed, transportKey, peerId: peerIdFromPublicKey(publicKeyFromRaw(transportKey)).toString() };
}
const P = Array.from({ length: 8 }, () => keys().peerId);

function relay(peerId: string, more: Partial<RelayListEntry> = {}): RelayListEntry {
  return {
    peerId,
    short: peerId.slice(-8),
    addrs: ['/ip4/198.51.100.7/tcp/4001'],
    relay: true,
    services: ['echo', 'mailbox'],
    attempts: 0,
    successes: 0,
    source: 'bootstrap',
    validUntil: NOW + 3600_000,
    reachedAt: NOW - 60_000,
    ...more,
  };
}

function contact(name: string, peerId: string, more: Partial<ContactOffer> = {}): ContactOffer {
  return {
    name,
    peerId,
    offer: `/ip4/203.0.113.9/tcp/4002/p2p/${peerId}`,
    online: false,
    lastSeenAt: null,
    ...more,
  };
}

describe('suggestMailboxes', () => {
  test('contacts that serve one and relays that offer one; not chosen ones, not ourselves, not the rest', () => {
    const [a, b, c, d, e, f, g, h] = P as [string, ...string[]] as string[];
    const out = suggestMailboxes({
      mine: [{ address: `/ip4/198.51.100.1/tcp/1/p2p/${a}`, peerId: a as string }],
      ownPeer: b as string,
      relays: [
        relay(a as string), // already chosen
        relay(b as string), // this node
        relay(c as string, { reachedAt: NOW - 30_000 }),
        relay(d as string, { services: ['echo'] }), // no mailbox
        relay(e as string, { relay: false }), // exit-only, not a contact: not suggested
        relay(f as string, { validUntil: NOW - 1 }), // expired
        relay(g as string, { reachedAt: null }),
      ],
      contacts: [
        contact('Ada \u001b[31mLovelace\u202e', h as string, { online: true }),
        // An offer naming another PeerId than the contact's own is ignored.
        contact('Mallory', c as string, { offer: `/ip4/203.0.113.9/tcp/4002/p2p/${g}` }),
        contact('Quiet', d as string, { offer: null }),
      ],
      nowMs: NOW,
    });
    expect(out).toEqual([
      {
        address: `/ip4/203.0.113.9/tcp/4002/p2p/${h}`,
        peerId: h,
        from: 'contact',
        contact: 'Ada Lovelace',
        reachable: true,
        reachedAt: NOW,
      },
      {
        address: `/ip4/198.51.100.7/tcp/4001/p2p/${c}`,
        peerId: c,
        from: 'relay',
        contact: null,
        reachable: true,
        reachedAt: NOW - 30_000,
      },
      {
        address: `/ip4/198.51.100.7/tcp/4001/p2p/${g}`,
        peerId: g,
        from: 'relay',
        contact: null,
        reachable: false,
        reachedAt: null,
      },
    ]);
  });

  test('a contact that is also a known relay is listed once, as the contact; reachability from either', () => {
    const [a] = P as string[];
    const out = suggestMailboxes({
      mine: [],
      ownPeer: null,
      relays: [relay(a as string, { reachedAt: NOW - 5 * 3600_000 })],
      contacts: [contact('Ben', a as string, { lastSeenAt: NOW - 2 * 3600_000 })],
      nowMs: NOW,
    });
    expect(out.map((c) => [c.from, c.contact, c.reachable, c.reachedAt])).toEqual([
      ['contact', 'Ben', false, NOW - 2 * 3600_000],
    ]);
  });
});

describe('ContactMailboxes and MailboxHost: what contacts offer', () => {
  function descriptor(k: ReturnType<typeof keys>, services: string[]): Uint8Array {
    const onion = generateOnionKeys(rng, nobleBackend);
    const now = Date.now();
    return signDescriptor(
      {
        transportKey: k.transportKey,
        x25519Public: onion.x25519Public,
        kemPublic: onion.kemPublic,
        publishedMs: now - 1000,
        validUntilMs: now + 3600_000,
        relayingSinceMs: now - 5000,
        bandwidthKiBps: 0,
        flags: services.length > 1 ? 2 : 0,
        addrs: [multiaddr('/ip4/203.0.113.5/tcp/4100').bytes, multiaddr('/ip4/10.0.0.5/tcp/4100').bytes],
        services,
      },
      k.seed,
    );
  }

  test('kept sealed from a descriptor naming the mailbox service, forgotten otherwise; the decline is remembered', async () => {
    const dir = tempDir('pvt-mb-suggest-');
    dirs.push(dir);
    const k = keys();
    let store = await newProfile(dir.dir);
    let host = new MailboxHost({ sql: store.sql, dataDir: dir.dir, logger: nullLogger });
    let theirs = new ContactMailboxes({ sql: store.sql, log: nullLogger });
    expect(theirs.offer('c1')).toBeNull();
    expect(host.suggestSetting()).toBe(true);
    const inTx = (f: () => void) => store.sql.transaction('test', f);
    inTx(() => theirs.rememberOfferInTx('c1', descriptor(k, ['echo', 'mailbox'])));
    const address = `/ip4/203.0.113.5/tcp/4100/p2p/${k.peerId}`;
    expect(theirs.offer('c1')).toBe(address);
    host.setSuggest(false);
    store.close();

    store = await openProfile({
      dataDir: dir.dir,
      profile: 'default',
      rng: systemRng,
      passphrase: PASSPHRASE,
    });
    host = new MailboxHost({ sql: store.sql, dataDir: dir.dir, logger: nullLogger });
    theirs = new ContactMailboxes({ sql: store.sql, log: nullLogger });
    expect(theirs.offer('c1')).toBe(address);
    expect(host.suggestSetting()).toBe(false);
    // Not on disk in clear (nor in base64 of clear).
    const rows = store.sql.db
      .prepare("SELECT value FROM net_settings WHERE key LIKE 'mailbox.offer.%'")
      .all() as { value: string }[];
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]?.value ?? '', 'base64').toString('latin1')).not.toContain('203.0.113.5');
    expect(rows[0]?.value).not.toContain('203.0.113.5');

    inTx(() => theirs.rememberOfferInTx('c1', descriptor(k, ['echo'])));
    expect(theirs.offer('c1')).toBeNull();
    inTx(() => theirs.rememberOfferInTx('c1', descriptor(k, ['echo', 'mailbox'])));
    expect(theirs.offer('c1')).toBe(address);
    inTx(() => theirs.rememberOfferInTx('c1', null));
    expect(theirs.offer('c1')).toBeNull();
    // Garbage is no offer, and does not throw.
    inTx(() => theirs.rememberOfferInTx('c1', Uint8Array.of(1, 2, 3)));
    expect(theirs.offer('c1')).toBeNull();
    // A removed contact's offer is deleted from the file.
    inTx(() => theirs.rememberOfferInTx('c1', descriptor(k, ['echo', 'mailbox'])));
    theirs.forget('c1');
    expect(theirs.offer('c1')).toBeNull();
    const left = store.sql.db
      .prepare("SELECT count(*) AS n FROM net_settings WHERE key LIKE 'mailbox.%c1'")
      .get() as { n: number };
    expect(left.n).toBe(0);
    store.close();
  });
});

/**
 * Helpers for the messaging integration tests: real Pvt instances (real stores, real libp2p nodes on
 * loopback, mDNS off) in separate temporary data dirs, with small Argon2 parameters so profiles are
 * created in milliseconds, and small waiting utilities over PvtEvents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PvtApi, PvtEvent } from '../../src/app/api.ts';
import { resolveContact } from '../../src/app/contact-lookup.ts';
import { createLauncher } from '../../src/app/launcher.ts';

export const TEST_ARGON2 = { memoryKiB: 64, passes: 1, parallelism: 1 };
export const PASSPHRASE = 'test passphrase';
export const NET = { loopbackOnly: true, mdns: false } as const;

export interface Peer {
  readonly name: string;
  readonly dataDir: string;
  api: PvtApi;
  readonly events: PvtEvent[];
  /** Re-opens the profile (after close), with the network (on `port` when given). */
  reopen(port?: number): Promise<PvtApi>;
  close(): Promise<void>;
}

const dirs: string[] = [];

export async function createPeer(
  name: string,
  options: { network?: typeof NET | false; now?: () => number } = {},
): Promise<Peer> {
  const network = options.network ?? NET;
  const dataDir = mkdtempSync(join(tmpdir(), `pvt-msg-${name.toLowerCase()}-`));
  dirs.push(dataDir);
  const launcher = () =>
    createLauncher({
      dataDir,
      profile: 'default',
      logLevel: 'debug',
      argon2: TEST_ARGON2,
      ...(options.now ? { now: options.now } : {}),
    });
  const events: PvtEvent[] = [];
  const api = await launcher().create({
    displayName: name,
    protection: { kind: 'passphrase', passphrase: PASSPHRASE },
    network,
  });
  const peer: Peer = {
    name,
    dataDir,
    api,
    events,
    async reopen(port?: number) {
      peer.api = await launcher().open({
        passphrase: PASSPHRASE,
        network: port === undefined ? NET : { ...NET, port },
      });
      peer.api.subscribe((e) => events.push(e));
      return peer.api;
    },
    close() {
      return peer.api.close();
    },
  };
  api.subscribe((e) => events.push(e));
  return peer;
}

export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Invites `b` to `a` and joins: both sides have each other as a contact. Returns both SAS strings. */
export async function pair(
  a: Peer,
  b: Peer,
): Promise<{ sasA: string; sasB: string; aName: string; bName: string }> {
  const invite = await a.api.createInvite({ expiresInMs: 60_000 });
  const joined = await b.api.join(invite.code);
  const added = await waitFor('contact-added on the inviter', () =>
    a.events.find(
      (e): e is Extract<PvtEvent, { type: 'contact-added' }> =>
        e.type === 'contact-added' && e.contact.displayName === b.name,
    ),
  );
  return { sasA: added.sas, sasB: joined.sas, aName: joined.contact.name, bName: added.contact.name };
}

/** The id of the contact `name` (PvtApi is keyed by contact id; tests start from names). */
export async function idOf(api: PvtApi, name: string): Promise<string> {
  return resolveContact(await api.contacts(), name).id;
}

/**
 * The profile's mailbox settings and the mailbox it serves (docs/mailbox.md, "Commands"): whether this
 * node keeps envelopes for others (`pvt mailbox serve on|off`, remembered; `pvt daemon --mailbox` for one
 * run), the store and server behind /pvt/mailbox/1.0.0 while the network runs, and the list of
 * mailboxes the user chose for itself (`pvt mailbox add|remove|list`). The mailbox store is its own
 * file (mailbox.db); the settings live in pvt.db's net_settings. Knows nothing about contacts or
 * sessions (what contacts said about mailboxes is contact-mailboxes.ts); the mailbox route
 * (mailbox-route.ts) reads the user's mailboxes from here.
 */
import { join } from 'node:path';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log/logger.ts';
import {
  MAILBOX_DB_FILE,
  MAILBOX_DEFAULT_MAX_ENVELOPES,
  MAILBOX_MAX_PER_TOKEN,
} from '../net/mailbox/constants.ts';
import { InvalidMailboxAddressError } from '../net/mailbox/errors.ts';
import type { MailboxServer, MailboxStats } from '../net/mailbox/server.ts';
import type { MailboxTransport } from '../net/mailbox/transport.ts';
import type { Network } from '../net/network.ts';
import { MAILBOX_MAX_LOCATORS, MAILBOX_TTL_SECONDS } from '../protocol/mailbox/constants.ts';
import { encodeMailboxLocators, type MailboxLocator } from '../protocol/mailbox/locator.ts';
import { type ChatStore, createChatStore } from '../store/chat-store.ts';
import type { SqlAccess } from '../store/sql-access.ts';
import { AppError } from './errors.ts';

/** Settings keys: '1'/'0' whether to serve; the user's own mailboxes as a JSON array of addresses. */
export const SETTING_MAILBOX_SERVE = 'mailbox.serve';
export const SETTING_MAILBOXES = 'mailbox.mine';
/** '0' once the user declined the TUI's mailbox suggestions (`/mailbox` still lists them). */
export const SETTING_MAILBOX_SUGGEST = 'mailbox.suggest';

/** One mailbox the user chose: the address given (with /p2p/) and its PeerId. */
export interface MailboxView {
  readonly address: string;
  readonly peerId: string;
}

export interface MailboxesView {
  /** Whether this node serves a mailbox for others now (false while the network is not running). */
  readonly serving: boolean;
  /** Whether the profile is set to serve (remembered). */
  readonly serveSetting: boolean;
  /** The served mailbox's counters while serving. */
  readonly served: MailboxStats | null;
  /** The mailboxes this user's contacts deposit into. */
  readonly mine: readonly MailboxView[];
  /** How many mailboxes each contact named (messages to it wait there while it is away). */
  readonly contacts?: readonly { readonly name: string; readonly mailboxes: number }[];
}

export interface MailboxHostInit {
  readonly sql: SqlAccess;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Capacity of the served mailbox (PVT_MAILBOX_MAX_ENVELOPES in tests), default 65,536. */
  readonly maxEnvelopes?: number;
  /** Base proof-of-work difficulty of the served mailbox (PVT_MAILBOX_POW_BITS in tests: slow deposits). */
  readonly baseBits?: number;
  readonly now?: () => number;
  /** The user's own mailboxes changed (share them with contacts, fetch from the new ones). */
  readonly onMineChanged?: () => void;
}

/** Parses an address as `pvt status --json` prints it: a multiaddr ending in /p2p/PEERID. */
export function parseMailboxAddress(address: string): {
  address: string;
  peerId: string;
  locator: MailboxLocator;
} {
  if (typeof address !== 'string' || address.trim() === '') {
    throw new InvalidMailboxAddressError(
      'expected a multiaddr such as /ip4/203.0.113.7/tcp/41873/p2p/12D3KooW…',
    );
  }
  let ma: ReturnType<typeof multiaddr>;
  try {
    ma = multiaddr(address.trim());
  } catch {
    throw new InvalidMailboxAddressError(`"${address.slice(0, 80)}" is not a multiaddr`);
  }
  const peerId = ma.getComponents().findLast((c) => c.name === 'p2p')?.value;
  if (peerId === undefined) throw new InvalidMailboxAddressError('the address has no /p2p/PEERID at the end');
  let peerIdBytes: Uint8Array;
  try {
    peerIdBytes = peerIdFromString(peerId).toMultihash().bytes;
  } catch {
    throw new InvalidMailboxAddressError(`"${peerId.slice(0, 60)}" is not a PeerId`);
  }
  const transport = ma.decapsulateCode(421); // without /p2p/…
  const addrs = transport.getComponents().length > 0 ? [transport.bytes] : [];
  return { address: ma.toString(), peerId, locator: { peerId: peerIdBytes, addrs } };
}

export class MailboxHost {
  readonly #init: MailboxHostInit;
  readonly #settings: ChatStore;
  readonly #log: Logger;
  #network: Network | undefined;
  #server: MailboxServer | undefined;
  #forced = false;

  constructor(init: MailboxHostInit) {
    this.#init = init;
    this.#settings = createChatStore(init.sql);
    this.#log = init.logger.child('mailbox');
  }

  /** The remembered choice to serve. */
  serveSetting(): boolean {
    return this.#settings.setting(SETTING_MAILBOX_SERVE) === '1';
  }

  /** The network started: serve when remembered or asked for this run (`--mailbox`). */
  async networkStarted(net: Network, serveThisRun: boolean): Promise<void> {
    this.#network = net;
    this.#forced = serveThisRun;
    if (serveThisRun || this.serveSetting()) await this.#startServing();
  }

  async setServe(enabled: boolean): Promise<MailboxesView> {
    if (typeof enabled !== 'boolean')
      throw new TypeError(`"enabled" expected a boolean, got ${String(enabled)}`);
    this.#init.sql.transaction('remembering the mailbox choice', () =>
      this.#settings.setSetting(SETTING_MAILBOX_SERVE, enabled ? '1' : '0'),
    );
    if (enabled) await this.#startServing();
    else {
      this.#forced = false;
      await this.#stopServing();
    }
    return this.view();
  }

  mine(): MailboxView[] {
    const raw = this.#settings.setting(SETTING_MAILBOXES);
    if (raw === undefined) return [];
    try {
      const list = JSON.parse(raw) as unknown;
      if (!Array.isArray(list)) return [];
      return list.filter(
        (m): m is MailboxView => typeof m?.address === 'string' && typeof m?.peerId === 'string',
      );
    } catch {
      return [];
    }
  }

  add(address: string): MailboxesView {
    const parsed = parseMailboxAddress(address);
    const list = this.mine();
    if (list.some((m) => m.peerId === parsed.peerId)) {
      throw new AppError('MailboxAlreadyAdded', `that mailbox (${parsed.peerId}) is already in your list`);
    }
    if (list.length >= MAILBOX_MAX_LOCATORS) {
      throw new AppError(
        'TooManyMailboxes',
        `at most ${MAILBOX_MAX_LOCATORS} mailboxes: remove one first (pvt mailbox remove ADDRESS)`,
      );
    }
    const next = [...list, { address: parsed.address, peerId: parsed.peerId }];
    this.#init.sql.transaction('adding a mailbox', () =>
      this.#settings.setSetting(SETTING_MAILBOXES, JSON.stringify(next)),
    );
    this.#init.onMineChanged?.();
    return this.view();
  }

  remove(addressOrPeerId: string): MailboxesView {
    if (typeof addressOrPeerId !== 'string') throw new TypeError('"address" expected a string');
    const list = this.mine();
    const key = addressOrPeerId.trim();
    const next = list.filter(
      (m) => m.address !== key && m.peerId !== key && !key.endsWith(`/p2p/${m.peerId}`),
    );
    if (next.length === list.length) {
      throw new AppError('MailboxNotFound', 'no such mailbox in your list (see pvt mailbox list)');
    }
    this.#init.sql.transaction('removing a mailbox', () =>
      this.#settings.setSetting(SETTING_MAILBOXES, JSON.stringify(next)),
    );
    this.#init.onMineChanged?.();
    return this.view();
  }

  /** The user's own mailboxes as locators (to fetch from). */
  ownLocators(): MailboxLocator[] {
    const out: MailboxLocator[] = [];
    for (const m of this.mine()) {
      try {
        out.push(parseMailboxAddress(m.address).locator);
      } catch {
        // an entry that no longer parses is skipped
      }
    }
    return out;
  }

  /** The encoded list of the user's mailboxes, for address updates (empty bytes: none). */
  ownLocatorList(): Uint8Array {
    const list = this.ownLocators();
    return list.length === 0 ? new Uint8Array(0) : encodeMailboxLocators(list);
  }

  /** The suggestion panel: whether the TUI offers candidates on its own (off once the user said no). */
  suggestSetting(): boolean {
    return this.#settings.setting(SETTING_MAILBOX_SUGGEST) !== '0';
  }

  setSuggest(enabled: boolean): void {
    if (typeof enabled !== 'boolean')
      throw new TypeError(`"enabled" expected a boolean, got ${String(enabled)}`);
    this.#init.sql.transaction('remembering the mailbox suggestion choice', () =>
      this.#settings.setSetting(SETTING_MAILBOX_SUGGEST, enabled ? '1' : '0'),
    );
  }

  /**
   * How mailboxes are reached: through onion circuits; PVT_MAILBOX_TRANSPORT=direct dials them directly
   * (tests that say so: the mailbox then sees who asks).
   */
  transport(): MailboxTransport | undefined {
    const net = this.#network;
    if (!net) return undefined;
    return process.env.PVT_MAILBOX_TRANSPORT === 'direct' ? net.mailbox.direct : net.mailbox.onion();
  }

  view(): MailboxesView {
    return {
      serving: this.#server !== undefined,
      serveSetting: this.serveSetting(),
      served: this.#server?.stats() ?? null,
      mine: this.mine(),
    };
  }

  async stop(): Promise<void> {
    await this.#stopServing();
    this.#network = undefined;
  }

  async #startServing(): Promise<void> {
    const net = this.#network;
    if (!net || this.#server) return;
    const [{ openMailboxStore }, { createMailboxServer }, { mailboxIdOf }] = await Promise.all([
      import('../store/mailbox-store.ts'),
      import('../net/mailbox/server.ts'),
      import('../protocol/mailbox/pow.ts'),
    ]);
    const maxEnvelopes = this.#init.maxEnvelopes ?? MAILBOX_DEFAULT_MAX_ENVELOPES;
    const store = openMailboxStore({
      path: join(this.#init.dataDir, MAILBOX_DB_FILE),
      maxEnvelopes,
      maxPerToken: MAILBOX_MAX_PER_TOKEN,
      ttlMs: MAILBOX_TTL_SECONDS * 1000,
      logger: this.#init.logger,
    });
    const server = createMailboxServer({
      store,
      mailboxId: mailboxIdOf(net.peerId.toMultihash().bytes),
      maxEnvelopes,
      logger: this.#init.logger,
      ...(this.#init.now ? { now: this.#init.now } : {}),
      ...(this.#init.baseBits !== undefined ? { baseBits: this.#init.baseBits } : {}),
    });
    server.start();
    this.#server = server;
    await net.mailbox.serve(server);
    this.#log.info('mailbox.serve_on', { forced: this.#forced });
  }

  async #stopServing(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await this.#network?.mailbox.serve(undefined);
    await server.stop();
    this.#log.info('mailbox.serve_off');
  }
}

/**
 * The messaging core's network: starts the libp2p node and the pvt services with the profile's choices
 * (the port remembered from the last start, the port-mapping answer), remembers the port used, reports
 * the network status, applies a new port-mapping answer, and stops the node. What the node reports
 * (streams, presence, address and NAT changes) goes to the hooks the core gives it; events go out
 * through the injected `emit`. Must not know what the hooks do with it (messaging.ts, invites.ts).
 */
import { join } from 'node:path';
import type { Rng } from '../crypto/bytes.ts';
import type { Logger } from '../log/logger.ts';
import { NAT_OFF } from '../net/nat/status.ts';
import { parseStunServers } from '../net/nat/stun.ts';
import type { Network, NetworkInit } from '../net/network.ts';
import type { ChatStore } from '../store/chat-store.ts';
import type { SqlAccess } from '../store/sql-access.ts';
import type { NetworkOptions, NetworkStatus, PvtEvent } from './api.ts';
import { NAT_RECORD_FILE, ONION_STATE_FILE, SETTING_PORT, SETTING_PORT_MAPPING } from './constants.ts';
import { NetworkOfflineError } from './messaging-errors.ts';

/** What the node reports, handed on as it comes, and what the core does once the node runs. */
export type CoreNetworkHooks = Pick<
  NetworkInit,
  'isContact' | 'onChatMessage' | 'onChatStreamLost' | 'onInviteStream' | 'onOnline' | 'onOffline'
> & {
  /** Our addresses, NAT reachability or relay descriptor changed (contacts get an address update). */
  readonly addressesChanged: () => void;
  /** The node runs and its port is remembered: the services start (before the `network` event). */
  readonly started: () => Promise<void>;
};

export interface CoreNetworkInit {
  readonly sql: SqlAccess;
  /** The settings (the port, the port-mapping answer). */
  readonly chat: ChatStore;
  readonly transportSeed: Uint8Array;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly emit: (event: PvtEvent) => void;
  /** The profile directory (the NAT mapping record and the onion state live there). */
  readonly dataDir: string;
  readonly hooks: CoreNetworkHooks;
}

export class CoreNetwork {
  readonly #init: CoreNetworkInit;
  #network: Network | undefined;
  #starting: Promise<void> | undefined;
  #mappingForcedOff = false;

  constructor(init: CoreNetworkInit) {
    this.#init = init;
  }

  /** The running network (undefined while offline). */
  current(): Network | undefined {
    return this.#network;
  }

  require(): Network {
    if (!this.#network) throw new NetworkOfflineError();
    return this.#network;
  }

  /** Starts the libp2p node and the pvt services; the port used is remembered for the next start. */
  async start(options: NetworkOptions): Promise<void> {
    if (this.#network || this.#starting) return this.#starting;
    const { chat, hooks, logger } = this.#init;
    const remembered = Number(chat.setting(SETTING_PORT) ?? 0);
    const port = options.port && options.port > 0 ? options.port : remembered;
    this.#mappingForcedOff = options.portMapping === false || options.loopbackOnly === true;
    const allowed = chat.setting(SETTING_PORT_MAPPING);
    const portMapping =
      this.#mappingForcedOff || allowed === '0'
        ? 'off'
        : allowed === '1' || options.portMapping !== 'ask'
          ? 'on'
          : 'ask';
    this.#starting = (async () => {
      const started = performance.now();
      // Loaded on demand: libp2p costs ≈ 250 ms of start-up that short commands and the first frame skip.
      const { startNetwork } = await import('../net/network.ts');
      const net = await startNetwork({
        transportSeed: this.#init.transportSeed,
        port,
        mdns: options.mdns !== false,
        loopbackOnly: options.loopbackOnly === true,
        portMapping,
        natMethods: options.natMethods,
        natRecordFile: join(this.#init.dataDir, NAT_RECORD_FILE),
        stunServers: parseStunServers(options.stunServers ?? []),
        onNatChanged: () => {
          // Reachability decides whether we relay, so whether contacts get our relay descriptor.
          hooks.addressesChanged();
          if (this.#network) this.#init.emit({ type: 'network', network: this.status() });
        },
        isContact: hooks.isContact,
        onChatMessage: hooks.onChatMessage,
        onChatStreamLost: hooks.onChatStreamLost,
        onInviteStream: hooks.onInviteStream,
        onOnline: hooks.onOnline,
        onOffline: hooks.onOffline,
        onAddressesChanged: () => {
          hooks.addressesChanged();
          this.#init.emit({ type: 'network', network: this.status() });
        },
        onion: {
          ...(options.relay !== undefined ? { relay: options.relay } : {}),
          stateFile: join(this.#init.dataDir, ONION_STATE_FILE),
          rng: this.#init.rng,
          onDescriptorChanged: () => hooks.addressesChanged(),
        },
        logger,
      });
      this.#network = net;
      if (String(net.port) !== chat.setting(SETTING_PORT)) {
        this.#init.sql.transaction('remembering the port', () =>
          chat.setSetting(SETTING_PORT, String(net.port)),
        );
      }
      logger.info('network.started', { ms: Math.round(performance.now() - started) });
      await hooks.started();
      this.#init.emit({ type: 'network', network: this.status() });
    })();
    try {
      await this.#starting;
    } finally {
      this.#starting = undefined;
    }
  }

  /** Resolves once a start in progress has ended (started or failed). */
  async settled(): Promise<void> {
    await this.#starting?.catch(() => undefined);
  }

  /** Stops the node (the services were stopped first). */
  async stop(): Promise<void> {
    const net = this.#network;
    this.#network = undefined;
    await net?.stop();
  }

  status(): NetworkStatus {
    const net = this.#network;
    if (!net) return { online: false, peerId: null, addresses: [], nat: NAT_OFF };
    return { online: true, peerId: net.peerId.toString(), addresses: net.listening(), nat: net.nat() };
  }

  /** Remembers the user's answer and applies it to the running node (unless forced off here). */
  async setPortMapping(enabled: boolean): Promise<NetworkStatus> {
    if (typeof enabled !== 'boolean')
      throw new TypeError(`"enabled" expected a boolean, got ${String(enabled)}`);
    this.#init.sql.transaction('remembering the port-mapping choice', () =>
      this.#init.chat.setSetting(SETTING_PORT_MAPPING, enabled ? '1' : '0'),
    );
    const net = this.#network;
    if (net && !this.#mappingForcedOff) await net.setPortMapping(enabled);
    const status = this.status();
    this.#init.emit({ type: 'network', network: status });
    return status;
  }
}

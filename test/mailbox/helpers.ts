/**
 * Shared pieces of the mailbox tests: a bare libp2p node on loopback with the mailbox service (and,
 * when asked, a server with its store in a temporary directory), and a direct client session to it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import { nullLogger } from '../../src/log/logger.ts';
import { MailboxSession } from '../../src/net/mailbox/client.ts';
import { MAILBOX_DB_FILE } from '../../src/net/mailbox/constants.ts';
import { createMailboxServer, type MailboxServer } from '../../src/net/mailbox/server.ts';
import { createMailboxService, type MailboxService } from '../../src/net/mailbox/service.ts';
import { startNode } from '../../src/net/node.ts';
import { MAILBOX_TTL_SECONDS } from '../../src/protocol/mailbox/constants.ts';
import type { MailboxLocator } from '../../src/protocol/mailbox/locator.ts';
import { mailboxIdOf } from '../../src/protocol/mailbox/pow.ts';
import { openMailboxStore } from '../../src/store/mailbox-store.ts';

export interface TestNode {
  readonly libp2p: Libp2p;
  readonly service: MailboxService;
  readonly dir: string;
  server?: MailboxServer;
  readonly dbPath: string;
  locator(): MailboxLocator;
  close(): Promise<void>;
}

const dirs: string[] = [];
export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function startTestNode(
  options: { serve?: boolean; maxEnvelopes?: number; now?: () => number } = {},
): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'pvt-mbx-'));
  dirs.push(dir);
  const { libp2p } = await startNode({
    transportSeed: randomBytes(32),
    port: 0,
    mdns: false,
    loopbackOnly: true,
  });
  const service = createMailboxService()({ libp2p, logger: nullLogger });
  await service.start();
  const dbPath = join(dir, MAILBOX_DB_FILE);
  const node: TestNode = {
    libp2p,
    service,
    dir,
    dbPath,
    locator: () => ({
      peerId: libp2p.peerId.toMultihash().bytes,
      addrs: libp2p.getMultiaddrs().map((a) => a.decapsulateCode(421).bytes),
    }),
    async close() {
      await service.stop();
      await node.server?.stop();
      await libp2p.stop();
    },
  };
  if (options.serve) {
    const maxEnvelopes = options.maxEnvelopes ?? 1000;
    const store = openMailboxStore({
      path: dbPath,
      maxEnvelopes,
      maxPerToken: 256,
      ttlMs: MAILBOX_TTL_SECONDS * 1000,
      logger: nullLogger,
    });
    node.server = createMailboxServer({
      store,
      mailboxId: mailboxIdOf(libp2p.peerId.toMultihash().bytes),
      maxEnvelopes,
      logger: nullLogger,
      ...(options.now ? { now: options.now } : {}),
    });
    node.server.start();
    await service.serve(node.server);
  }
  return node;
}

/** A direct client session from `client` to `mailbox`. */
export async function sessionTo(client: TestNode, mailbox: TestNode, now: () => number = Date.now) {
  const channel = await client.service.direct.open(mailbox.locator());
  const session = new MailboxSession({
    channel,
    mailboxId: mailboxIdOf(mailbox.libp2p.peerId.toMultihash().bytes),
    rng: (n) => new Uint8Array(randomBytes(n)),
    now,
  });
  return { channel, session };
}

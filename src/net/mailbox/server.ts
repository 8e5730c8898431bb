/**
 * The mailbox's request handler, whatever carries the requests (a direct libp2p stream today, an onion
 * circuit's exit stream later): decodes a request, checks it — proof of work at the advertised
 * difficulty in a current bucket, per-source quota, capabilities — and answers with one encoded
 * response; it never throws at the asker. Deposits are group-committed: those arriving together are
 * written in one durable transaction before any of them is answered. Owns the store's sweeper. The
 * `source` it is given (the previous hop) is used for quotas in memory and never logged or stored.
 */

import type { Logger } from '../../log/logger.ts';
import { MAILBOX_MAX_FETCH_ENVELOPES, MAILBOX_TTL_SECONDS } from '../../protocol/mailbox/constants.ts';
import { bucketAcceptable, envelopeHash, powBucketAt, verifyPow } from '../../protocol/mailbox/pow.ts';
import { fetchCapOf, tokenOf } from '../../protocol/mailbox/tokens.ts';
import {
  decodeRequest,
  encodeResponse,
  type MailboxRequest,
  type MailboxResponse,
  type RefusalReason,
} from '../../protocol/mailbox/wire.ts';
import type { DepositItem, DepositOutcome, MailboxStore } from '../../store/mailbox-store.ts';
import {
  MAILBOX_COMMIT_BATCH,
  MAILBOX_MAX_PENDING_DEPOSITS,
  MAILBOX_MAX_PER_TOKEN,
  MAILBOX_SOURCE_SHARE,
  MAILBOX_SWEEP_MS,
} from './constants.ts';
import { difficultyFor } from './difficulty.ts';
import { createSourceQuota } from './quota.ts';

export interface MailboxServerInit {
  readonly store: MailboxStore;
  /** mailboxIdOf(our PeerId bytes): what deposits' proofs must be bound to. */
  readonly mailboxId: Uint8Array;
  /** The store's capacity (for the fill level and the per-source share). */
  readonly maxEnvelopes: number;
  readonly now?: () => number;
  readonly logger: Logger;
  /** Base difficulty (default MAILBOX_POW_BASE_BITS). */
  readonly baseBits?: number;
  /** Deposits per minute taken at base difficulty (default 600; the bench measures without the rise). */
  readonly normalDepositsPerMinute?: number;
}

export interface MailboxStats {
  readonly envelopes: number;
  readonly capacity: number;
  readonly diskBytes: number;
  readonly difficulty: number;
  /** Envelopes stored (new deposits, duplicates not counted) since this server started. */
  readonly storedSinceStart: number;
  /** Envelopes handed out by fetches since this server started. */
  readonly fetchedSinceStart: number;
}

export interface MailboxServer {
  /** One encoded request from `source` → one encoded response. Never rejects. */
  handle(request: Uint8Array, source: string): Promise<Uint8Array>;
  /** The difficulty deposits must meet now. */
  difficulty(): number;
  stats(): MailboxStats;
  start(): void;
  /** Answers what is pending, stops the sweeper and closes the store. */
  stop(): Promise<void>;
}

interface Pending {
  readonly item: DepositItem;
  readonly resolve: (outcome: DepositOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** Deposits per minute, counted in six 10-second buckets. */
function createRateMeter(now: () => number) {
  const buckets = new Array<number>(6).fill(0);
  let current = Math.floor(now() / 10_000);
  const roll = () => {
    const b = Math.floor(now() / 10_000);
    for (let i = current + 1; i <= Math.min(b, current + 6); i++) buckets[i % 6] = 0;
    current = b;
  };
  return {
    hit() {
      roll();
      buckets[current % 6] = (buckets[current % 6] as number) + 1;
    },
    perMinute() {
      roll();
      return buckets.reduce((a, b) => a + b, 0);
    },
  };
}

export function createMailboxServer(init: MailboxServerInit): MailboxServer {
  const now = init.now ?? Date.now;
  const log = init.logger.child('mailbox');
  const store = init.store;
  const quota = createSourceQuota(Math.max(1, Math.floor(init.maxEnvelopes * MAILBOX_SOURCE_SHARE)), now);
  const rate = createRateMeter(now);
  const queue: Pending[] = [];
  let flushScheduled = false;
  let sweeper: NodeJS.Timeout | undefined;
  let stopped = false;

  const difficulty = () =>
    difficultyFor(
      store.count() / init.maxEnvelopes,
      rate.perMinute(),
      init.baseBits,
      init.normalDepositsPerMinute,
    );

  const refuse = (reason: RefusalReason): MailboxResponse => ({
    kind: 'refused',
    reason,
    difficulty: difficulty(),
    bucket: powBucketAt(now()),
  });

  const flush = () => {
    flushScheduled = false;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAILBOX_COMMIT_BATCH);
      try {
        const outcomes = store.depositMany(
          batch.map((p) => p.item),
          now(),
        );
        batch.forEach((p, i) => {
          p.resolve(outcomes[i] as DepositOutcome);
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  };

  const enqueue = (item: DepositItem): Promise<DepositOutcome> =>
    new Promise((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });

  let storedSinceStart = 0;
  let fetchedSinceStart = 0;
  const deposit = async (r: Extract<MailboxRequest, { kind: 'deposit' }>, source: string) => {
    if (!bucketAcceptable(r.bucket, powBucketAt(now()))) return refuse('pow');
    const hash = envelopeHash(r.envelope);
    const bits = difficulty();
    if (
      !verifyPow(
        { mailboxId: init.mailboxId, token: r.token, envelopeHash: hash, bucket: r.bucket },
        r.nonce,
        bits,
      )
    ) {
      return refuse('pow');
    }
    if (queue.length >= MAILBOX_MAX_PENDING_DEPOSITS) return refuse('busy');
    if (!quota.take(source)) return refuse('rateLimited');
    rate.hit();
    const outcome = await enqueue({ token: r.token, hash, envelope: r.envelope });
    switch (outcome) {
      case 'stored':
        storedSinceStart++;
        return { kind: 'deposited', stored: true } as const;
      case 'duplicate':
        return { kind: 'deposited', stored: false } as const;
      case 'slotFull':
        return refuse('slotFull');
      case 'full':
        log.warn('mailbox.full');
        return refuse('mailboxFull');
    }
  };

  const respond = async (request: Uint8Array, source: string): Promise<MailboxResponse> => {
    if (stopped) return refuse('unavailable');
    let r: MailboxRequest;
    try {
      r = decodeRequest(request);
    } catch {
      return refuse('malformed');
    }
    switch (r.kind) {
      case 'info':
        return {
          kind: 'info',
          difficulty: difficulty(),
          bucket: powBucketAt(now()),
          ttlSeconds: MAILBOX_TTL_SECONDS,
          maxPerToken: MAILBOX_MAX_PER_TOKEN,
        };
      case 'deposit':
        return deposit(r, source);
      case 'fetch': {
        const tokens = r.fetchCaps.map(tokenOf);
        const { entries, remaining } = store.fetch(tokens, r.skip, MAILBOX_MAX_FETCH_ENVELOPES, now());
        fetchedSinceStart += entries.length;
        return {
          kind: 'fetched',
          remaining,
          envelopes: entries.map((e) => ({ cap: e.tokenIndex, envelope: e.envelope })),
        };
      }
      case 'delete': {
        const count = store.delete(tokenOf(fetchCapOf(r.deleteCap)), r.hashes);
        return { kind: 'deleted', count };
      }
    }
  };

  return {
    async handle(request, source) {
      try {
        return encodeResponse(await respond(request, source));
      } catch (error) {
        // A store failure (disk full, I/O): the asker may retry later; nothing half-written stays.
        log.error('mailbox.request_failed', { code: String((error as { code?: unknown }).code ?? 'store') });
        return encodeResponse(refuse('busy'));
      }
    },
    difficulty,
    stats() {
      return {
        envelopes: store.count(),
        capacity: init.maxEnvelopes,
        diskBytes: store.diskBytes(),
        difficulty: difficulty(),
        storedSinceStart,
        fetchedSinceStart,
      };
    },
    start() {
      if (sweeper) return;
      stopped = false;
      try {
        store.expire(now());
      } catch (error) {
        log.error('mailbox.sweep_failed', { error: String((error as Error).name) });
      }
      sweeper = setInterval(() => {
        try {
          store.expire(now());
        } catch (error) {
          log.error('mailbox.sweep_failed', { error: String((error as Error).name) });
        }
      }, MAILBOX_SWEEP_MS);
      sweeper.unref();
      log.info('mailbox.serving', { envelopes: store.count(), capacity: init.maxEnvelopes });
    },
    async stop() {
      stopped = true;
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      flush();
      quota.clear();
      store.close();
      log.info('mailbox.stopped');
    },
  };
}

/**
 * Invites and joins (docs/messaging.md, "Invites"): creating a single-use invite that carries this
 * node's addresses, joining with a code (dial the inviter, run the joiner's handshake over
 * /pvt/invite/1.0.0, store the contact), and serving the inviter's side of the handshake. The invite is
 * consumed and the contact stored in one transaction before the last handshake message is sent; a
 * refused or failed join changes nothing on either side. The handshake itself is src/protocol/handshake;
 * the contact rows a join stores are invite-contacts.ts'; a join through the inviter's mailboxes is
 * offline-join.ts' (this file only falls back to it when the dial fails, and answers the stream side).
 */
import type { AbortOptions, PeerId } from '@libp2p/interface';
import { toHex } from '../crypto/bytes.ts';
import { fromLocator, toLocator } from '../net/addresses.ts';
import type { MailboxTransport } from '../net/mailbox/transport.ts';
import type { FrameChannel } from '../net/network.ts';
import {
  INVITE_MAX_TTL_SECONDS,
  MAX_INVITE_ADDRS,
  MAX_JOIN_ATTEMPTS_PER_INVITE,
  MAX_LOCATOR_ADDRS,
} from '../protocol/constants.ts';
import {
  InviteExpiredError,
  MalformedInviteError,
  ProtocolError,
  UnknownInviteError,
} from '../protocol/errors.ts';
import {
  consumeJoinerReveal,
  consumeJoinRequest,
  createInviterResponse,
  joinRequestInviteId,
} from '../protocol/handshake/inviter.ts';
import {
  consumeInviterConfirm,
  consumeInviterResponse,
  createJoinerReveal,
  createJoinRequest,
} from '../protocol/handshake/joiner.ts';
import type { JoinResult as HandshakeResult } from '../protocol/handshake/types.ts';
import { samePublicIdentity } from '../protocol/identity.ts';
import {
  createInvite,
  decodeInviteBytes,
  encodeInviteBytes,
  inviteId,
} from '../protocol/invite/invite-code.ts';
import { decodeInviteText, encodeInviteText, inviteQrText } from '../protocol/invite/invite-text.ts';
import type { TransportLocator } from '../protocol/invite/locator.ts';
import type { CreateInviteOptions, InviteView } from './api.ts';
import { DEFAULT_INVITE_TTL_MS, INVITE_NAT_WAIT_MS } from './constants.ts';
import { checkContactName } from './contacts.ts';
import {
  type AcceptOutcome,
  type InviteContactHooks,
  InviteContacts,
  type JoinedContact,
} from './invite-contacts.ts';
import { checkRefusal, type Reason, refusal } from './invite-refusals.ts';
import type { MessagingContext } from './messaging-context.ts';
import {
  AlreadyContactError,
  ContactNameTakenError,
  InviterUnreachableError,
  JoinInterruptedError,
  NetworkOfflineError,
  OwnInviteError,
} from './messaging-errors.ts';
import { OfflineJoins } from './offline-join.ts';

export type { AcceptOutcome, JoinedContact } from './invite-contacts.ts';

export interface InvitesHooks extends InviteContactHooks {
  /** Offline joins (docs/protocol/mailbox.md, "Offline join"): our mailboxes and the way to reach them. */
  readonly ownMailboxList?: () => Uint8Array;
  readonly joinSlots?: {
    readonly transport: () => MailboxTransport | undefined;
    readonly pollMs: number;
    /** JOIN_ANSWER_WAIT_MS unless given (tests). */
    readonly answerWaitMs?: number;
    /** JOIN_SLOT_SWEEP_GRACE_MS unless given (tests). */
    readonly sweepGraceMs?: number;
  };
}

export class Invites {
  readonly #ctx: MessagingContext;
  readonly #hooks: InvitesHooks;
  /** Invites with a handshake in progress: one at a time per invite (docs/protocol/sas.md). */
  readonly #busy = new Set<string>();

  readonly #offline: OfflineJoins | undefined;
  readonly #contacts: InviteContacts;

  constructor(ctx: MessagingContext, hooks: InvitesHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.#contacts = new InviteContacts(ctx, hooks);
    this.#offline = hooks.joinSlots
      ? new OfflineJoins(ctx, {
          slots: hooks.joinSlots,
          ourLocator: () => this.#ourLocator(MAX_LOCATOR_ADDRS),
          storeJoined: (result, invite, alias, inTx) =>
            this.#contacts.storeJoined(result, invite, alias, inTx),
          acceptReveal: (revealed, id, alias, inTx) => this.#contacts.accept(revealed, null, id, alias, inTx),
        })
      : undefined;
  }

  #ourLocator(max: number): TransportLocator {
    const net = this.#ctx.network();
    if (!net) throw new NetworkOfflineError();
    return {
      ...toLocator(net.peerId, net.shareable(max)),
      mailbox: this.#hooks.ownMailboxList?.() ?? new Uint8Array(0),
    };
  }

  /** Offline joins (docs/protocol/mailbox.md, "Offline join"): undefined without mailbox access. */
  offline(): OfflineJoins | undefined {
    return this.#offline;
  }

  /**
   * The inviter's half of offline joins and the resumption of both halves: for every invite not yet
   * expired and not being answered, fetch its request slots once; resume every pending join.
   */
  async pollJoinSlots(signal: AbortSignal): Promise<void> {
    await this.#offline?.tick(signal);
  }

  async create(options: CreateInviteOptions = {}): Promise<InviteView> {
    const ctx = this.#ctx;
    const expiresInMs = options.expiresInMs ?? DEFAULT_INVITE_TTL_MS;
    if (typeof expiresInMs !== 'number' || !Number.isFinite(expiresInMs)) {
      throw new TypeError(`"expiresInMs" expected a number, got ${typeof expiresInMs}`);
    }
    const ttlSeconds = Math.ceil(expiresInMs / 1000);
    if (ttlSeconds < 1 || ttlSeconds > INVITE_MAX_TTL_SECONDS) {
      throw new RangeError(
        `"expiresInMs" expected 1 s .. ${INVITE_MAX_TTL_SECONDS / 86_400} days, got ${expiresInMs} ms`,
      );
    }
    const alias = options.alias === undefined ? null : checkContactName(options.alias);
    if (alias !== null && ctx.contacts.nameTaken(alias)) throw new ContactNameTakenError(alias);
    await ctx.network()?.natSettled(INVITE_NAT_WAIT_MS); // so the invite carries the mapped address
    const nowMs = ctx.now();
    const invite = createInvite({
      inviter: this.#ourLocator(MAX_INVITE_ADDRS),
      nowMs,
      rng: ctx.rng,
      ttlSeconds,
    });
    const id = toHex(inviteId(invite.secret));
    ctx.invites.create({
      id,
      createdAt: nowMs,
      expiresAt: invite.expiresAtSeconds * 1000,
      invite: encodeInviteBytes(invite),
      alias,
    });
    ctx.logger.info('invite.created', { ttlSeconds, addrs: invite.inviter.addrs.length });
    return {
      code: encodeInviteText(invite),
      qrText: inviteQrText(invite),
      expiresAt: invite.expiresAtSeconds * 1000,
    };
  }

  async join(code: string, options: { alias?: string; signal?: AbortSignal } = {}): Promise<JoinedContact> {
    const ctx = this.#ctx;
    if (typeof code !== 'string') throw new TypeError(`"code" expected string, got ${typeof code}`);
    const invite = decodeInviteText(code, { nowMs: ctx.now() });
    const alias = options.alias === undefined ? undefined : checkContactName(options.alias);
    if (alias !== undefined && ctx.contacts.nameTaken(alias)) throw new ContactNameTakenError(alias);
    const net = ctx.network();
    if (!net) throw new NetworkOfflineError();
    const target = fromLocator(invite.inviter);
    if (!target) throw new MalformedInviteError('the inviter peer id is not valid');
    if (target.peerId.equals(net.peerId)) throw new OwnInviteError();
    const known = ctx.contacts.byPeer(target.peerId.toString());
    if (known) throw new AlreadyContactError(known.name);

    const started = performance.now();
    let channel: FrameChannel;
    try {
      channel = await net.invite.open(
        target.peerId,
        target.addrs,
        options.signal ? { signal: options.signal } : {},
      );
    } catch (error) {
      if (options.signal?.aborted) throw error;
      ctx.logger.info('join.unreachable', { addrs: target.addrs.length });
      // The inviter is away: the handshake waits in the mailboxes its invite names, if any, and goes on
      // (durably, across restarts) whether or not the caller keeps waiting.
      const offline = this.#offline;
      if (!offline?.usable(invite)) throw new InviterUnreachableError(target.addrs.length);
      ctx.logger.info('join.via_mailbox');
      return offline.join(invite, alias, options.signal);
    }
    const dialMs = performance.now() - started;
    let result: HandshakeResult;
    try {
      const first = createJoinRequest({
        invite,
        identity: ctx.identity,
        locator: this.#ourLocator(MAX_LOCATOR_ADDRS),
        nowMs: ctx.now(),
        rng: ctx.rng,
      });
      await channel.write(first.message);
      ctx.logger.debug('join.step', { step: 'sent-request' });
      const m2 = await read(channel, 'waiting for the inviter', invite.expiresAtSeconds);
      ctx.logger.debug('join.step', { step: 'got-response' });
      const ready = consumeInviterResponse(first.state, m2);
      const dup = ctx.contacts.list().find((c) => samePublicIdentity(c.peer, ready.inviter.identity));
      if (dup) throw new AlreadyContactError(dup.name);
      const reveal = createJoinerReveal(ready, ctx.rng, { backend: ctx.backend });
      await channel.write(reveal.message);
      ctx.logger.debug('join.step', { step: 'sent-reveal' });
      const m4 = await read(channel, 'waiting for the confirmation', invite.expiresAtSeconds);
      result = consumeInviterConfirm(reveal.state, m4);
      ctx.logger.debug('join.step', { step: 'got-confirm' });
    } catch (error) {
      channel.abort(error instanceof Error ? error : new Error(String(error)));
      ctx.logger.info('join.failed', { code: (error as { code?: string }).code ?? 'unknown' });
      throw error;
    }
    await channel.close();
    const joined = this.#contacts.storeJoined(result, invite, alias, () => undefined);
    ctx.logger.info('join.done', {
      handshakeMs: Math.round(performance.now() - started),
      dialMs: Math.round(dialMs),
    });
    return joined;
  }

  /** The inviter's side, on an inbound /pvt/invite stream. Throws (→ stream dropped, peer penalised) on garbage. */
  async serve(channel: FrameChannel, peerId: PeerId | null, _options: AbortOptions): Promise<void> {
    const ctx = this.#ctx;
    const m1 = await channel.read();
    const id = toHex(joinRequestInviteId(m1)); // MalformedHandshakeMessage etc. on garbage
    const stored = ctx.invites.get(id);
    if (!stored) {
      await refuse(channel, 'unknown');
      throw new UnknownInviteError();
    }
    const invite = decodeInviteBytes(stored.invite);
    const inviterInvite = { invite, identity: ctx.identity, locator: this.#ourLocator(MAX_LOCATOR_ADDRS) };
    let received: ReturnType<typeof consumeJoinRequest>;
    try {
      received = consumeJoinRequest(inviterInvite, m1, ctx.now());
    } catch (error) {
      await refuse(channel, error instanceof InviteExpiredError ? 'expired' : 'unknown');
      throw error;
    }
    // Authenticated under the secret from here on: the joiner holds the code.
    if (stored.state !== 'open') {
      await refuse(channel, 'used');
      ctx.logger.info('invite.reuse_refused');
      return;
    }
    // Each answered request is one 10^-6 chance for a man in the middle who holds the code: one at a
    // time, and at most MAX_JOIN_ATTEMPTS_PER_INVITE in all (counted durably before answering).
    if (stored.attempts >= MAX_JOIN_ATTEMPTS_PER_INVITE) {
      await refuse(channel, 'revoked');
      ctx.logger.warn('invite.attempts_exhausted');
      return;
    }
    if (this.#busy.has(id)) {
      await refuse(channel, 'busy');
      ctx.logger.info('invite.busy');
      return;
    }
    this.#busy.add(id);
    try {
      ctx.invites.recordAttempt(id);
      await this.#answer(channel, peerId, id, stored.alias, received);
    } finally {
      this.#busy.delete(id);
    }
  }

  /** Messages 2–4 of the inviter's side, for an authenticated request on an open invite. */
  async #answer(
    channel: FrameChannel,
    streamPeer: PeerId | null,
    id: string,
    alias: string | null,
    received: ReturnType<typeof consumeJoinRequest>,
  ): Promise<void> {
    const ctx = this.#ctx;
    const response = createInviterResponse(received, ctx.rng);
    await channel.write(response.message);
    ctx.logger.debug('invite.step', { step: 'sent-response' });
    const m3 = await channel.read();
    const revealed = consumeJoinerReveal(response.state, m3, ctx.now());
    ctx.logger.debug('invite.step', { step: 'got-reveal' });
    let outcome: AcceptOutcome;
    try {
      outcome = this.#contacts.accept(revealed, streamPeer, id, alias, () => undefined);
    } catch (error) {
      await refuse(channel, 'internal');
      throw error;
    }
    if ('refuse' in outcome) {
      await refuse(channel, outcome.refuse);
      if (outcome.error) throw outcome.error;
      return;
    }
    // Durable before the joiner learns the join succeeded (crash analysis: docs/messaging.md).
    await channel.write(outcome.confirm).catch(() => undefined);
    ctx.logger.debug('invite.step', { step: 'sent-confirm' });
    await channel.close();
    outcome.announce();
  }
}

async function read(channel: FrameChannel, step: string, expiresAtSeconds: number): Promise<Uint8Array> {
  let frame: Uint8Array;
  try {
    frame = await channel.read();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new JoinInterruptedError(step);
  }
  checkRefusal(frame, expiresAtSeconds);
  return frame;
}

async function refuse(channel: FrameChannel, reason: Reason): Promise<void> {
  try {
    await channel.write(refusal(reason));
    await channel.close();
  } catch {
    // The joiner is gone; nothing to tell.
  }
}

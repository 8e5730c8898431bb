/**
 * The contact rows of a completed join (docs/messaging.md, "Invites"), on either side and whatever the
 * transport (an /pvt/invite stream or the join slots of a mailbox): the joiner's contact stored with its
 * first outbox item in one transaction; the inviter's stored, or an unconfirmed one of the same identity
 * replaced, with the invite consumed in the same transaction, before message 4 leaves. Each takes an
 * `inTx` for the caller's own rows (an offline join's pending row). Knows nothing about transports:
 * the handshake's results come in, message 4 (or which refusal to send) goes out.
 */
import type { PeerId } from '@libp2p/interface';
import { toHex } from '../crypto/bytes.ts';
import { fromLocator } from '../net/addresses.ts';
import { MalformedInviteError, ProtocolError } from '../protocol/errors.ts';
import { createInviterConfirm } from '../protocol/handshake/inviter.ts';
import type { JoinResult as HandshakeResult, InviterRevealed } from '../protocol/handshake/types.ts';
import { samePublicIdentity } from '../protocol/identity.ts';
import type { Invite } from '../protocol/invite/invite-code.ts';
import type { TransportLocator } from '../protocol/invite/locator.ts';
import { initSession, serializeState } from '../protocol/ratchet/index.ts';
import { formatSasDigits } from '../protocol/sas.ts';
import type { ContactRow } from '../store/contacts-store.ts';
import type { Reason } from './invite-refusals.ts';
import type { MessagingContext } from './messaging-context.ts';

/** What the inviter does after an authenticated reveal: refuse, or send message 4 and then announce. */
export type AcceptOutcome =
  | { readonly refuse: Reason; readonly error?: Error }
  | { readonly confirm: Uint8Array; readonly announce: () => void };

export interface JoinedContact {
  readonly row: ContactRow;
  readonly sas: string;
}

export interface InviteContactHooks {
  /** A contact was stored (either side); `role` says which. Called after the commit. */
  readonly onContactAdded: (row: ContactRow, sas: string, role: 'joiner' | 'inviter') => void;
  /** Extra rows for the joiner's contact transaction (its first outbox item: alice speaks first). */
  readonly joinerFirstItemsInTx: (row: ContactRow) => void;
  /**
   * Whether the joiner's first ratchet message has arrived for an invited contact (its session can
   * send). Until then the contact is unconfirmed: the joiner may have died before storing its side.
   */
  readonly isConfirmed: (contactId: string) => boolean;
  /** An unconfirmed contact's session and transport were replaced by a new join: drop in-memory state. */
  readonly onContactReplaced: (old: ContactRow) => void;
  /**
   * Inside the contact transaction of a join (either side): the mailboxes the other side named in the
   * handshake (its locator's mailbox list, or the invite's for the joiner), so that two people who
   * cannot dial each other reach each other's mailboxes from their first message on.
   */
  readonly contactMailboxesInTx?: (contactId: string, list: Uint8Array) => void;
}

export class InviteContacts {
  readonly #ctx: MessagingContext;
  readonly #hooks: InviteContactHooks;

  constructor(ctx: MessagingContext, hooks: InviteContactHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  /** The other side's mailbox list from the handshake, stored with the contact (an empty list: none). */
  #rememberMailboxesInTx(contactId: string, ...lists: Uint8Array[]): void {
    const list = lists.find((l) => l.length > 0);
    if (list) this.#hooks.contactMailboxesInTx?.(contactId, list);
  }

  /**
   * The joiner's contact from a completed handshake, stored with its first outbox item (and `inTx`) in
   * one transaction; then the hooks. The transport PeerId is the invite's (the one dialled, or named).
   */
  storeJoined(
    result: HandshakeResult,
    invite: Invite,
    alias: string | undefined,
    inTx: () => void,
  ): JoinedContact {
    const ctx = this.#ctx;
    const target = fromLocator(invite.inviter);
    if (!target) throw new MalformedInviteError('the inviter peer id is not valid');
    const session = initSession(result.session, ctx.rng, { backend: ctx.backend });
    const nowMs = ctx.now();
    const name =
      alias !== undefined && !ctx.contacts.nameTaken(alias)
        ? alias
        : ctx.contacts.uniqueName(result.peer.displayName);
    const row: ContactRow = {
      id: toHex(ctx.rng(16)),
      name,
      peer: {
        displayName: result.peer.displayName,
        signPublic: result.peer.identity.signPublic,
        dhPublic: result.peer.identity.dhPublic,
      },
      // The PeerId of the invite (dialled and Noise-authenticated, or named by the inviter's signed
      // invite), with the addresses the inviter sent in its confirm.
      transport: {
        peerId: target.peerId.toString(),
        addrs: addrsOf(result.peerLocator, target.addrs.map(String)),
      },
      verification: 'unverified',
      createdAt: nowMs,
      lastSeenAt: nowMs,
    };
    ctx.sql.transaction('storing a joined contact', () => {
      ctx.contacts.insertInTx(row, serializeState(session));
      this.#rememberMailboxesInTx(row.id, result.peerLocator.mailbox, invite.inviter.mailbox);
      this.#hooks.joinerFirstItemsInTx(row);
      inTx();
    });
    ctx.contacts.commit(row);
    ctx.logger.debug('join.step', { step: 'stored' });
    const sas = formatSasDigits(result.sas);
    this.#hooks.onContactAdded(row, sas, 'joiner');
    return { row, sas };
  }

  /**
   * The inviter after an authenticated reveal: stores the contact and consumes the invite (with
   * `inTx(confirm)`) in one transaction and gives message 4 to send, then `announce` for the hooks;
   * or says which refusal to send instead. Throws when the transaction fails.
   */
  accept(
    revealed: InviterRevealed,
    streamPeer: PeerId | null,
    id: string,
    alias: string | null,
    inTx: (confirm: Uint8Array) => void,
  ): AcceptOutcome {
    const ctx = this.#ctx;
    const joinerPeer = fromLocator(revealed.joinerLocator);
    // Through join slots there is no stream to authenticate a transport key: the one the joiner sealed
    // and signed in its reveal is taken (a wrong one only misroutes the joiner's own messages).
    const peerId = streamPeer ?? joinerPeer?.peerId;
    if (!joinerPeer || !peerId || !joinerPeer.peerId.equals(peerId)) {
      return {
        refuse: 'unknown',
        error: new ProtocolError(
          'TransportMismatch',
          'the joiner announced a transport key other than its own',
        ),
      };
    }
    const dup =
      ctx.contacts.byPeer(peerId.toString()) ??
      ctx.contacts.list().find((c) => samePublicIdentity(c.peer, revealed.joiner.identity));
    // A contact whose joiner never sent its first message (it died before storing its side) is replaced
    // by a new join of the same identity; a confirmed one, or another identity, is refused.
    const replacing =
      dup !== undefined &&
      !this.#hooks.isConfirmed(dup.id) &&
      samePublicIdentity(dup.peer, revealed.joiner.identity)
        ? dup
        : undefined;
    if (dup && !replacing) return { refuse: 'already-contact' };
    const confirm = createInviterConfirm(revealed, ctx.rng);
    const result = confirm.result;
    const session = initSession(result.session, ctx.rng, { backend: ctx.backend });
    const nowMs = ctx.now();
    const name = replacing
      ? replacing.name
      : alias !== null && !ctx.contacts.nameTaken(alias)
        ? alias
        : ctx.contacts.uniqueName(result.peer.displayName);
    const row: ContactRow = {
      id: replacing ? replacing.id : toHex(ctx.rng(16)),
      name,
      peer: {
        displayName: result.peer.displayName,
        signPublic: result.peer.identity.signPublic,
        dhPublic: result.peer.identity.dhPublic,
      },
      transport: { peerId: peerId.toString(), addrs: addrsOf(result.peerLocator, []) },
      verification: 'unverified',
      createdAt: nowMs,
      lastSeenAt: nowMs,
    };
    let consumed = false;
    ctx.sql.transaction('storing an invited contact', () => {
      consumed = ctx.invites.consume(id, nowMs);
      if (!consumed) return;
      if (replacing) ctx.contacts.replaceInTx(row, serializeState(session));
      else ctx.contacts.insertInTx(row, serializeState(session));
      this.#rememberMailboxesInTx(row.id, result.peerLocator.mailbox);
      inTx(confirm.message);
    });
    if (!consumed) return { refuse: 'used' };
    ctx.contacts.commit(row);
    if (replacing) {
      ctx.logger.info('invite.rejoined');
      this.#hooks.onContactReplaced(replacing);
    }
    ctx.logger.debug('invite.step', { step: 'stored' });
    return {
      confirm: confirm.message,
      announce: () => {
        ctx.logger.info('invite.used');
        this.#hooks.onContactAdded(row, formatSasDigits(result.sas), 'inviter');
      },
    };
  }
}

/** Multiaddr strings from a peer's locator (valid TCP ones), else the fallback. */
function addrsOf(locator: TransportLocator, fallback: readonly string[]): string[] {
  const parsed = fromLocator(locator);
  const addrs = parsed ? parsed.addrs.map(String) : [];
  return addrs.length > 0 ? addrs : [...fallback];
}

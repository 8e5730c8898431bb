/**
 * Named errors of contacts, invites and chat (AppError: stable `code`, a message for people). Messages
 * may quote a contact name the user typed (shown to the same user) but never message text or keys;
 * nothing here is logged with its message.
 */
import { AppError } from './errors.ts';

export class ContactNotFoundError extends AppError {
  /** `candidates`: names the user may have meant (listed in the message). */
  constructor(name: string, candidates: readonly string[] = []) {
    super(
      'ContactNotFound',
      `no contact named "${name}"${candidates.length > 0 ? ` (contacts: ${candidates.map((c) => `"${c}"`).join(', ')})` : ''}`,
    );
  }
}

/** A contact id that is not (or no longer) a contact: removed since it was looked up. */
export class UnknownContactIdError extends AppError {
  constructor(id: string) {
    super('ContactNotFound', `no contact with id ${id.slice(0, 64)} (removed?)`);
  }
}

/** A name that several contacts answer to (their display names): the user must pick one. */
export class AmbiguousContactError extends AppError {
  constructor(name: string, candidates: readonly string[]) {
    super(
      'AmbiguousContact',
      `"${name}" could be ${candidates.map((c) => `"${c}"`).join(' or ')}: use one of these names`,
    );
  }
}

export class ContactNameTakenError extends AppError {
  constructor(name: string) {
    super('ContactNameTaken', `a contact named "${name}" already exists`);
  }
}

export class InvalidContactNameError extends AppError {
  constructor(reason: string) {
    super('InvalidContactName', `invalid contact name: ${reason}`);
  }
}

/** Chat with a contact whose SAS was rejected (a mismatch: possible man in the middle). */
export class ContactRejectedError extends AppError {
  constructor(name: string) {
    super(
      'ContactRejected',
      `chat with "${name}" is refused: its safety code did not match when you compared it (possible man in the middle); remove the contact and invite again`,
    );
  }
}

export class AlreadyContactError extends AppError {
  constructor(name: string) {
    super('AlreadyContact', `this person is already your contact "${name}"`);
  }
}

export class NetworkOfflineError extends AppError {
  constructor() {
    super(
      'NetworkOffline',
      'the network is not running in this pvt (open it with the network: pvt chat or pvt daemon)',
    );
  }
}

export class OwnInviteError extends AppError {
  constructor() {
    super('OwnInvite', 'this is your own invite: give it to the person you want to add');
  }
}

export class InviterUnreachableError extends AppError {
  constructor(addresses: number) {
    super(
      'InviterUnreachable',
      addresses === 0
        ? 'the invite carries no address and the inviter was not found on the local network'
        : `could not reach the inviter at any of its ${addresses} address(es): is pvt running there?`,
    );
  }
}

/** The inviter answered that this invite was already used (invites work once). */
export class InviteAlreadyUsedError extends AppError {
  constructor() {
    super('InviteAlreadyUsed', 'this invite was already used (each invite works once): ask for a new one');
  }
}

/** The inviter refused the join for another reason (unknown invite, revoked, already a contact…). */
export class InviteRefusedError extends AppError {
  readonly reason: string;
  constructor(reason: string) {
    super('InviteRefused', `the inviter refused the join: ${reason}`);
    this.reason = reason;
  }
}

/** The connection broke in the middle of the join handshake. */
export class JoinInterruptedError extends AppError {
  constructor(step: string) {
    super(
      'JoinInterrupted',
      `the join was interrupted (${step}); if it happened after the codes were shown, ask for a new invite`,
    );
  }
}

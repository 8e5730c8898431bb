/**
 * What the contact slash commands and panels do through the PvtApi: create an invite and show it, join
 * with a code (cancellable), answer a code comparison, show a safety number, rename, remove (after the
 * question), list contacts; and it turns `contact-added` / `-updated` / `-removed` events into SAS
 * prompts and panel updates. Results go to the overlay reducer and to the status line (confirmation or
 * error). Knows the PvtApi and the reducers; nothing about keys or layout.
 */
import { type Dispatch, useEffect, useMemo, useRef } from 'react';
import type { ContactView, PvtApi } from '../../app/api.ts';
import { resolveContact } from '../../app/contact-lookup.ts';
import { splitRename } from '../commands.ts';
import { describeError, errorCode } from '../errors.ts';
import { rejectedExplanation } from '../format/contact.ts';
import { endedJoinText } from '../format/pending-join.ts';
import { sanitizeLine } from '../format/text.ts';
import type { ChatAction, ChatState } from '../state/chat.ts';
import type { OverlayAction, SasPrompt } from '../state/overlay.ts';

export interface ContactActions {
  invite(expiresInMs: number): void;
  join(code: string, alias: string | null): void;
  cancelJoin(): void;
  answerSas(prompt: SasPrompt, decision: 'confirm' | 'reject' | 'later'): void;
  showSafetyNumber(name: string): void;
  decide(contact: ContactView, decision: 'confirm' | 'reject'): void;
  showContacts(): void;
  rename(args: string): void;
  askRemove(name: string): void;
  remove(name: string): void;
}

const INVALID_CODE = new Set([
  'MalformedInvite',
  'InvalidInviteCharacter',
  'InvalidInviteChecksum',
  'InviteTooLong',
  'UnsupportedInviteVersion',
]);

/** A join failure in plain words, with what to do next. */
export function describeJoinError(error: unknown): string {
  const code = errorCode(error);
  const message = describeError(error);
  if (code && INVALID_CODE.has(code)) {
    return `that is not a valid invite code (${message}): check it for typos; it starts with pvt1`;
  }
  if (code === 'InviteExpired') return `this invite has expired (${message}): ask for a new one`;
  if (code === 'InviterUnreachable') {
    return `${message} — the inviter must have pvt running (pvt chat or pvt daemon)`;
  }
  return message;
}

export function useContactActions(
  api: PvtApi,
  chat: Dispatch<ChatAction>,
  overlay: Dispatch<OverlayAction>,
  current: () => ChatState,
): ContactActions {
  const alive = useRef(true);
  const joining = useRef<AbortController | null>(null);
  /** The join under way waits in the inviter's mailbox (it goes on whatever this screen does). */
  const waiting = useRef(false);
  const currentRef = useRef(current);
  currentRef.current = current;

  useEffect(() => {
    alive.current = true;
    const unsubscribe = api.subscribe((event) => {
      if (event.type === 'contact-added') {
        overlay({ type: 'contact-added', contact: event.contact, sas: event.sas });
      } else if (event.type === 'contact-updated') {
        overlay({ type: 'contact-changed', contact: event.contact });
      } else if (event.type === 'contact-removed') {
        overlay({ type: 'contact-removed', id: event.id });
      } else if (event.type === 'join-pending' && event.join.role === 'joiner') {
        // Our join fell back to the inviter's mailbox: the panel says so, and Esc no longer cancels it.
        if (joining.current) waiting.current = true;
        overlay({ type: 'join-waiting' });
      } else if (event.type === 'join-ended' && event.failure !== undefined) {
        // A join that ran out of sight (the panel closed, or resumed after a restart) ended: say why.
        chat({ type: 'notice', message: endedJoinText(event.failure, event.join) });
      }
    });
    // Contacts added while no TUI watched (through the daemon, or `pvt invite` in a shell) still have
    // their SAS to compare: ask once per session, like a live join.
    api.contacts().then(
      (contacts) => {
        for (const c of contacts) {
          if (alive.current && c.verification === 'unverified' && c.sas) {
            overlay({ type: 'contact-added', contact: c, sas: c.sas });
          }
        }
      },
      () => {},
    );
    return () => {
      alive.current = false;
      unsubscribe();
      joining.current?.abort();
    };
  }, [api, overlay, chat]);

  return useMemo(() => {
    const error = (prefix: string) => (e: unknown) => {
      if (alive.current) chat({ type: 'error', message: `${prefix}: ${describeError(e)}` });
    };
    const notice = (message: string) => {
      if (alive.current) chat({ type: 'notice', message });
    };

    // PvtApi is keyed by contact id: a typed name is resolved once, here.
    const lookup = (name: string): Promise<ContactView> =>
      api.contacts().then((contacts) => resolveContact(contacts, name));
    const decide = (contact: Pick<ContactView, 'id' | 'name'>, decision: 'confirm' | 'reject'): void => {
      api.verifyContact(contact.id, decision).then(
        (c) => {
          const shown = sanitizeLine(c.name);
          if (decision === 'confirm') {
            notice(`✓ ${shown} is verified`);
            return;
          }
          if (!alive.current) return;
          overlay({
            type: 'open',
            panel: {
              kind: 'notice',
              title: `✗ ${shown} is not trusted`,
              lines: rejectedExplanation(shown),
              tone: 'error',
            },
          });
        },
        error(`could not ${decision} ${sanitizeLine(contact.name)}`),
      );
    };

    return {
      invite(expiresInMs) {
        overlay({ type: 'open', panel: { kind: 'invite-creating' } });
        api.createInvite({ expiresInMs }).then(
          (invite) => {
            if (alive.current)
              overlay({ type: 'replace', kind: 'invite-creating', panel: { kind: 'invite', invite } });
          },
          (e: unknown) => {
            if (!alive.current) return;
            overlay({
              type: 'replace',
              kind: 'invite-creating',
              panel: {
                kind: 'notice',
                title: 'Could not create an invite',
                lines: [`! ${describeError(e)}`],
                tone: 'error',
              },
            });
          },
        );
      },

      join(code, alias) {
        joining.current?.abort();
        const controller = new AbortController();
        joining.current = controller;
        waiting.current = false;
        overlay({ type: 'open', panel: { kind: 'joining', code } });
        const options = alias === null ? { signal: controller.signal } : { alias, signal: controller.signal };
        api.join(code, options).then(
          (result) => {
            if (!alive.current) return;
            overlay({ type: 'close-if', kind: 'joining' });
            // The event usually came first; the reducer asks once per contact.
            overlay({ type: 'contact-added', contact: result.contact, sas: result.sas });
          },
          (e: unknown) => {
            if (!alive.current || controller.signal.aborted) return;
            overlay({
              type: 'replace',
              kind: 'joining',
              panel: { kind: 'join-failed', message: describeJoinError(e) },
            });
          },
        );
      },

      cancelJoin() {
        joining.current?.abort();
        joining.current = null;
        overlay({ type: 'close-if', kind: 'joining' });
        notice(
          waiting.current
            ? 'stopped waiting: pvt finishes the join once the inviter is online'
            : 'join cancelled',
        );
        waiting.current = false;
      },

      answerSas(prompt, decision) {
        overlay({ type: 'sas-answered', id: prompt.contact.id });
        if (decision === 'later') {
          notice(`compare later: /verify ${sanitizeLine(prompt.contact.name)}`);
          return;
        }
        decide(prompt.contact, decision);
      },

      showSafetyNumber(name) {
        lookup(name)
          .then((c) => Promise.all([api.contact(c.id), api.safetyNumber(c.id)]))
          .then(([contact, number]) => {
            if (alive.current) overlay({ type: 'open', panel: { kind: 'safety', contact, number } });
          }, error('cannot verify'));
      },

      decide(contact, decision) {
        overlay({ type: 'close-if', kind: 'safety' });
        decide(contact, decision);
      },

      showContacts() {
        overlay({ type: 'open', panel: { kind: 'contacts' } });
        api.contacts().then((contacts) => {
          if (alive.current) chat({ type: 'contacts', contacts });
        }, error('could not list contacts'));
      },

      rename(args) {
        const names = currentRef.current().contacts.map((c) => c.name);
        const split = splitRename(args, names);
        if ('message' in split) {
          chat({ type: 'error', message: split.message });
          return;
        }
        lookup(split.oldName)
          .then((c) => api.renameContact(c.id, split.newName))
          .then(
            (c) => notice(`renamed ${sanitizeLine(split.oldName)} to ${sanitizeLine(c.name)}`),
            error('could not rename'),
          );
      },

      askRemove(name) {
        lookup(name).then((c) => {
          if (alive.current) overlay({ type: 'open', panel: { kind: 'confirm-remove', name: c.name } });
        }, error('cannot remove'));
      },

      remove(name) {
        overlay({ type: 'close-if', kind: 'confirm-remove' });
        lookup(name)
          .then((c) => api.removeContact(c.id))
          .then(
            () => notice(`removed ${sanitizeLine(name)}`),
            error(`could not remove ${sanitizeLine(name)}`),
          );
      },
    };
  }, [api, chat, overlay]);
}

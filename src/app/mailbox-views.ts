/**
 * The mailbox views of PvtApi, assembled for the façade (docs/mailbox.md, "Commands" and
 * "Suggestions"): `pvt mailbox list` (the host's settings and served mailbox, with how many mailboxes
 * each contact named) and the suggestion panel's input (the user's list, this node, known relays, what
 * contacts offer and whether they are online). Reads only; owns no state and must not know how the
 * candidates are ranked (mailbox-suggest.ts) or how the mailboxes are kept.
 */
import type { ContactMailboxes } from './contact-mailboxes.ts';
import type { MailboxesView, MailboxHost } from './mailbox-host.ts';
import { type MailboxSuggestions, mailboxSuggestions } from './mailbox-suggest.ts';
import type { MessagingCore } from './messaging-core.ts';

/** `pvt mailbox list`: the host's view and, per contact, how many mailboxes it named. */
export function mailboxesView(
  core: MessagingCore,
  host: MailboxHost,
  theirs: ContactMailboxes,
): MailboxesView {
  const contacts = core.contactRows().map((r) => ({ name: r.name, mailboxes: theirs.list(r.id).length }));
  return { ...host.view(), contacts };
}

/** The suggestions: candidates from contacts' offers (not rejected contacts) and known relays. */
export function suggestionsView(
  core: MessagingCore,
  host: MailboxHost,
  theirs: ContactMailboxes,
  nowMs: number,
): MailboxSuggestions {
  const onion = core.onion();
  const views = new Map(core.contacts().map((c) => [c.id, c]));
  const contacts = core
    .contactRows()
    .filter((r) => r.verification !== 'rejected')
    .map((r) => {
      const view = views.get(r.id);
      return {
        name: r.name,
        peerId: r.transport.peerId,
        offer: theirs.offer(r.id),
        online: view !== undefined && view.path !== 'offline',
        lastSeenAt: r.lastSeenAt,
      };
    });
  const status = core.networkStatus();
  return mailboxSuggestions(
    {
      mine: host.mine(),
      ownPeer: status.peerId,
      relays: onion ? onion.relays().relays : [],
      contacts,
      nowMs,
    },
    host.suggestSetting(),
  );
}

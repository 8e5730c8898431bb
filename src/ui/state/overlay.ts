/**
 * The panels that take the place of the composer on the main screen — help, invite (QR + code), join
 * progress, SAS comparison prompts, safety number, contact list, remove confirmation, the port-mapping
 * and relay questions, mailbox suggestions, notices — as a
 * reducer, and what a key means in each of them. SAS prompts queue up (one per new contact, never twice
 * for the same contact) and come before any other panel: the person on the other side is waiting.
 * Pure; knows nothing about Ink or the PvtApi.
 */
import type { ContactView, InviteView, MailboxSuggestions } from '../../app/api.ts';
import type { Command } from '../keys.ts';

export interface SasPrompt {
  readonly contact: ContactView;
  readonly sas: string;
}

export type Panel =
  | { readonly kind: 'help'; readonly offset: number }
  | { readonly kind: 'invite-creating' }
  | { readonly kind: 'invite'; readonly invite: InviteView }
  /** `waiting`: the join fell back to the inviter's mailbox (docs/protocol/mailbox.md, "Offline join"). */
  | { readonly kind: 'joining'; readonly code: string; readonly waiting?: boolean }
  | { readonly kind: 'join-failed'; readonly message: string }
  | { readonly kind: 'safety'; readonly contact: ContactView; readonly number: string }
  | { readonly kind: 'contacts' }
  | { readonly kind: 'confirm-remove'; readonly name: string }
  /** Asked once per profile: may pvt open a port on the router (PCP, NAT-PMP, UPnP)? */
  | { readonly kind: 'port-mapping' }
  /** Asked once per profile, only while this node is reachable: relay onion circuits for others? */
  | { readonly kind: 'relay' }
  /**
   * Mailboxes the user could add (numbered): offered on its own while the user has fewer than the
   * recommended number (`asked`; [n] declines for good), or listed by `/mailbox`.
   */
  | { readonly kind: 'mailboxes'; readonly suggestions: MailboxSuggestions; readonly asked: boolean }
  | {
      readonly kind: 'notice';
      readonly title: string;
      readonly lines: readonly string[];
      readonly tone: 'ok' | 'error';
    };

export interface OverlayState {
  readonly panel: Panel | null;
  /** Pending comparisons, oldest first; the first is shown. */
  readonly sas: readonly SasPrompt[];
  /** Contacts that already got a prompt (the join result and the event must not ask twice). */
  readonly prompted: readonly string[];
}

export const initialOverlay: OverlayState = { panel: null, sas: [], prompted: [] };

export type OverlayAction =
  | { readonly type: 'open'; readonly panel: Panel }
  /**
   * Open only if no panel is open (a suggestion never pushes a panel the user is looking at away); like
   * any panel it waits behind pending SAS prompts.
   */
  | { readonly type: 'offer'; readonly panel: Panel }
  | { readonly type: 'close' }
  /** Close the panel only if it is still of this kind (an answer that arrives late must not close another). */
  | { readonly type: 'close-if'; readonly kind: Panel['kind'] }
  /** Replace the panel only if it is still of this kind (a result for a panel the user closed is dropped). */
  | { readonly type: 'replace'; readonly kind: Panel['kind']; readonly panel: Panel }
  | { readonly type: 'scroll'; readonly by: number; readonly max: number }
  | { readonly type: 'contact-added'; readonly contact: ContactView; readonly sas: string }
  /** The join under way now waits in the inviter's mailbox. */
  | { readonly type: 'join-waiting' }
  | { readonly type: 'contact-changed'; readonly contact: ContactView }
  | { readonly type: 'contact-removed'; readonly id: string }
  | { readonly type: 'sas-answered'; readonly id: string };

export function reduceOverlay(state: OverlayState, action: OverlayAction): OverlayState {
  switch (action.type) {
    case 'open':
      return { ...state, panel: action.panel };
    case 'offer':
      return state.panel === null ? { ...state, panel: action.panel } : state;
    case 'close':
      return state.panel === null ? state : { ...state, panel: null };
    case 'close-if':
      return state.panel?.kind === action.kind ? { ...state, panel: null } : state;
    case 'replace':
      return state.panel?.kind === action.kind ? { ...state, panel: action.panel } : state;
    case 'scroll': {
      const p = state.panel;
      if (p?.kind !== 'help') return state;
      const offset = Math.max(0, Math.min(action.max, p.offset + action.by));
      return offset === p.offset ? state : { ...state, panel: { ...p, offset } };
    }
    case 'join-waiting':
      return state.panel?.kind === 'joining' && !state.panel.waiting
        ? { ...state, panel: { ...state.panel, waiting: true } }
        : state;
    case 'contact-added': {
      const { contact, sas } = action;
      // Someone joined: the invite on screen (or the join under way) has done its job.
      const panel = state.panel?.kind === 'invite' || state.panel?.kind === 'joining' ? null : state.panel;
      if (state.prompted.includes(contact.id) || contact.verification !== 'unverified') {
        return { ...state, panel };
      }
      return {
        panel,
        sas: [...state.sas, { contact, sas }],
        prompted: [...state.prompted, contact.id],
      };
    }
    case 'contact-changed': {
      // Verified or rejected elsewhere (another client, the CLI): nothing left to ask.
      const { contact } = action;
      const sas =
        contact.verification === 'unverified'
          ? state.sas.map((p) => (p.contact.id === contact.id ? { ...p, contact } : p))
          : state.sas.filter((p) => p.contact.id !== contact.id);
      const panel =
        state.panel?.kind === 'safety' && state.panel.contact.id === contact.id
          ? { ...state.panel, contact }
          : state.panel;
      return { ...state, sas, panel };
    }
    case 'contact-removed': {
      const panel =
        state.panel?.kind === 'safety' && state.panel.contact.id === action.id ? null : state.panel;
      return { ...state, panel, sas: state.sas.filter((p) => p.contact.id !== action.id) };
    }
    case 'sas-answered':
      return { ...state, sas: state.sas.filter((p) => p.contact.id !== action.id) };
  }
}

/** What is on screen: the first SAS prompt, else the open panel. */
export type Visible = { readonly kind: 'sas'; readonly prompt: SasPrompt } | Panel;

export function visibleOverlay(state: OverlayState): Visible | null {
  const first = state.sas[0];
  if (first) return { kind: 'sas', prompt: first };
  return state.panel;
}

/** What a key does while an overlay is shown. */
export type OverlayIntent =
  | { readonly type: 'none' }
  | { readonly type: 'close' }
  | { readonly type: 'scroll'; readonly by: number }
  | { readonly type: 'sas'; readonly decision: 'confirm' | 'reject' | 'later' }
  | { readonly type: 'verify'; readonly decision: 'confirm' | 'reject' }
  | { readonly type: 'remove' }
  | { readonly type: 'port-mapping'; readonly allow: boolean }
  | { readonly type: 'relay'; readonly allow: boolean }
  /** Add the suggested mailbox at this index (0-based). */
  | { readonly type: 'mailbox-add'; readonly index: number }
  /** Do not suggest mailboxes on their own again. */
  | { readonly type: 'mailbox-decline' }
  /** Close the mailbox panel: not offered again in this run. */
  | { readonly type: 'mailbox-later' }
  | { readonly type: 'cancel-join' };

/**
 * Maps one input event to an intent. A burst of several characters (typing that was meant for the
 * composer, a paste) never answers a question: only a single key does. `armed` is false in the first
 * moments of a SAS prompt, so a key typed just before it appeared cannot confirm or reject a contact.
 */
export function overlayIntent(
  visible: Visible,
  input: string,
  commands: readonly Command[],
  armed: boolean,
): OverlayIntent {
  const only = commands.length === 1 ? commands[0] : undefined;
  const isEscape = only?.type === 'escape';
  const isEnter = only?.type === 'submit';
  const letter = only?.type === 'insert' && input.length === 1 ? input.toLowerCase() : '';
  switch (visible.kind) {
    case 'sas':
      if (isEscape) return { type: 'sas', decision: 'later' };
      if (!armed) return { type: 'none' };
      if (letter === 'y') return { type: 'sas', decision: 'confirm' };
      if (letter === 'n') return { type: 'sas', decision: 'reject' };
      if (letter === 'l') return { type: 'sas', decision: 'later' };
      return { type: 'none' };
    case 'help':
      if (isEscape || isEnter || letter === '?' || letter === 'q') return { type: 'close' };
      if (only?.type === 'up') return { type: 'scroll', by: -1 };
      if (only?.type === 'down') return { type: 'scroll', by: 1 };
      if (only?.type === 'pageUp') return { type: 'scroll', by: -10 };
      if (only?.type === 'pageDown' || letter === ' ') return { type: 'scroll', by: 10 };
      return { type: 'none' };
    case 'joining':
      return isEscape ? { type: 'cancel-join' } : { type: 'none' };
    case 'safety':
      if (isEscape || isEnter || letter === 'q') return { type: 'close' };
      if (visible.contact.verification === 'unverified') {
        if (letter === 'y') return { type: 'verify', decision: 'confirm' };
        if (letter === 'n') return { type: 'verify', decision: 'reject' };
      }
      return { type: 'none' };
    case 'confirm-remove':
      if (letter === 'y') return { type: 'remove' };
      if (isEscape || isEnter || letter === 'n') return { type: 'close' };
      return { type: 'none' };
    case 'port-mapping':
      if (letter === 'y') return { type: 'port-mapping', allow: true };
      if (letter === 'n') return { type: 'port-mapping', allow: false };
      // Esc: not now; asked again at the next start.
      return isEscape ? { type: 'close' } : { type: 'none' };
    case 'relay':
      if (letter === 'y') return { type: 'relay', allow: true };
      if (letter === 'n') return { type: 'relay', allow: false };
      // Esc: not now; asked again at the next start.
      return isEscape ? { type: 'close' } : { type: 'none' };
    case 'mailboxes': {
      const n = /^[1-9]$/.test(letter) ? Number(letter) : 0;
      if (n >= 1 && n <= visible.suggestions.candidates.length) return { type: 'mailbox-add', index: n - 1 };
      if (letter === 'n' && visible.asked) return { type: 'mailbox-decline' };
      // Esc: not now; not offered again in this run (/mailbox lists them).
      return isEscape || isEnter || letter === 'q' ? { type: 'mailbox-later' } : { type: 'none' };
    }
    case 'invite':
    case 'invite-creating':
      return isEscape || isEnter ? { type: 'close' } : { type: 'none' };
    case 'join-failed':
    case 'contacts':
    case 'notice':
      return isEscape || isEnter || letter === 'q' ? { type: 'close' } : { type: 'none' };
  }
}

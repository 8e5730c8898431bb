/**
 * The main screen's state as a reducer fed by PvtApi results and events: profile, conversations with
 * unread counts, contacts (verification, path badge), the network, the selected conversation's messages
 * in display order (append-only once loaded, so the printed history never has to move), the status
 * text, the last rejected command and the last confirmation. Pure; the hook `usePvtStore` feeds it.
 * Knows nothing about Ink.
 */
import type {
  ContactView,
  ConversationId,
  ConversationSummary,
  MessageState,
  MessageView,
  NetworkStatus,
  ProfileInfo,
  PvtEvent,
} from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import { natSummary } from '../../app/nat-summary.ts';

export interface ChatState {
  readonly profile: ProfileInfo | null;
  readonly conversations: readonly ConversationSummary[];
  /** Contacts by list order of `contacts()`; a contact's id is its conversation id. */
  readonly contacts: readonly ContactView[];
  readonly selected: ConversationId;
  /** Messages of the selected conversation, in display order. */
  readonly messages: readonly MessageView[];
  /** True once the selected conversation's history is loaded. */
  readonly loaded: boolean;
  /** Latest `status` event text, if any. */
  readonly status: string | null;
  readonly network: NetworkStatus | null;
  /** Last rejected command or failed send, shown in the status bar. */
  readonly error: string | null;
  /** Last confirmation ("✓ Grace is verified"), shown in the status bar until the next entry or Esc. */
  readonly notice: string | null;
  /** A failure that leaves the screen unusable (the history could not be loaded). */
  readonly fatal: string | null;
}

export type ChatAction =
  | {
      readonly type: 'loaded';
      readonly profile: ProfileInfo;
      readonly conversations: readonly ConversationSummary[];
      readonly contacts: readonly ContactView[];
      readonly network: NetworkStatus | null;
      readonly selected: ConversationId;
      readonly messages: readonly MessageView[];
    }
  | { readonly type: 'select'; readonly id: ConversationId }
  | { readonly type: 'history'; readonly id: ConversationId; readonly messages: readonly MessageView[] }
  | { readonly type: 'conversations'; readonly conversations: readonly ConversationSummary[] }
  | { readonly type: 'event'; readonly event: PvtEvent }
  /** A command's own result (the same message also arrives as an event; duplicates are dropped). */
  | { readonly type: 'sent'; readonly message: MessageView }
  | { readonly type: 'contacts'; readonly contacts: readonly ContactView[] }
  | { readonly type: 'error'; readonly message: string | null }
  | { readonly type: 'notice'; readonly message: string | null }
  | { readonly type: 'fatal'; readonly message: string };

export const initialChat: ChatState = {
  profile: null,
  conversations: [],
  contacts: [],
  selected: SELF_CONVERSATION,
  messages: [],
  loaded: false,
  status: null,
  network: null,
  error: null,
  notice: null,
  fatal: null,
};

/** States only move forward; a late copy of a message must not move it back. */
const STATE_RANK: Readonly<Record<MessageState, number>> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  failed: 2,
  stored: 2,
};

const bySeq = (a: MessageView, b: MessageView): number => a.seq - b.seq;

/** Loaded history plus anything that arrived meanwhile, unique by id, in seq order. */
function merge(loaded: readonly MessageView[], early: readonly MessageView[]): MessageView[] {
  const byId = new Map<string, MessageView>();
  for (const m of loaded) byId.set(m.id, m);
  for (const m of early) byId.set(m.id, m);
  return [...byId.values()].sort(bySeq);
}

function addMessage(state: ChatState, message: MessageView): ChatState {
  if (message.conversationId !== state.selected) {
    if (message.direction !== 'in') return state;
    return {
      ...state,
      conversations: state.conversations.map((c) =>
        c.id === message.conversationId
          ? { ...c, unread: c.unread + 1, lastActivityAt: message.createdAt }
          : c,
      ),
    };
  }
  const at = state.messages.findIndex((m) => m.id === message.id);
  if (at !== -1) {
    const known = state.messages[at]!;
    if (STATE_RANK[known.state] >= STATE_RANK[message.state]) return state;
    const messages = state.messages.slice();
    messages[at] = message;
    return { ...state, messages };
  }
  return { ...state, messages: [...state.messages, message] };
}

function upsertContact(state: ChatState, contact: ContactView): ChatState {
  const known = state.contacts.some((c) => c.id === contact.id);
  const contacts = known
    ? state.contacts.map((c) => (c.id === contact.id ? contact : c))
    : [...state.contacts, contact];
  // The conversation appears at once; `conversations()` is reloaded for the real summary.
  const conversations = state.conversations.some((c) => c.id === contact.conversationId)
    ? state.conversations.map((c) =>
        c.id === contact.conversationId && c.title !== contact.name ? { ...c, title: contact.name } : c,
      )
    : [
        ...state.conversations,
        { id: contact.conversationId, title: contact.name, unread: 0, lastActivityAt: null },
      ];
  return { ...state, contacts, conversations };
}

function removeContact(state: ChatState, id: string): ChatState {
  const contact = state.contacts.find((c) => c.id === id);
  const conversationId = contact?.conversationId ?? id;
  return {
    ...state,
    contacts: state.contacts.filter((c) => c.id !== id),
    conversations: state.conversations.filter((c) => c.id !== conversationId),
  };
}

function onEvent(state: ChatState, event: PvtEvent): ChatState {
  switch (event.type) {
    case 'message':
      return addMessage(state, event.message);
    case 'message-state': {
      if (!state.messages.some((m) => m.id === event.id)) return state;
      return {
        ...state,
        messages: state.messages.map((m) =>
          m.id === event.id
            ? { ...m, state: event.state, ...(event.failure ? { failure: event.failure } : {}) }
            : m,
        ),
      };
    }
    case 'status':
      return { ...state, status: event.text };
    case 'network':
      return { ...state, network: event.network };
    case 'contact-added':
    case 'contact-updated':
      return upsertContact(state, event.contact);
    case 'contact-online':
      return upsertContact(state, { ...event.contact, path: event.path });
    case 'contact-offline':
      return upsertContact(state, { ...event.contact, path: 'offline' });
    case 'contact-removed':
      return removeContact(state, event.id);
    case 'conversation-updated': {
      const c = event.conversation;
      const known = state.conversations.some((x) => x.id === c.id);
      const summary = c.id === state.selected ? { ...c, unread: 0 } : c;
      return {
        ...state,
        conversations: known
          ? state.conversations.map((x) => (x.id === c.id ? summary : x))
          : [...state.conversations, summary],
      };
    }
    default:
      return state;
  }
}

export function reduceChat(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        profile: action.profile,
        conversations: action.conversations,
        contacts: action.contacts,
        network: state.network ?? action.network,
        selected: action.selected,
        messages: merge(action.messages, action.selected === state.selected ? state.messages : []),
        loaded: true,
      };
    case 'select':
      if (action.id === state.selected) return state;
      return {
        ...state,
        selected: action.id,
        messages: [],
        loaded: false,
        conversations: state.conversations.map((c) => (c.id === action.id ? { ...c, unread: 0 } : c)),
      };
    case 'history':
      if (action.id !== state.selected) return state;
      return { ...state, messages: merge(action.messages, state.messages), loaded: true };
    case 'conversations':
      return {
        ...state,
        conversations: action.conversations.map((c) => (c.id === state.selected ? { ...c, unread: 0 } : c)),
      };
    case 'contacts':
      return { ...state, contacts: action.contacts };
    case 'event':
      return onEvent(state, action.event);
    case 'sent':
      return addMessage(state, action.message);
    case 'error':
      if (state.error === action.message && (action.message === null || state.notice === null)) return state;
      return { ...state, error: action.message, notice: action.message === null ? state.notice : null };
    case 'notice':
      if (state.notice === action.message && (action.message === null || state.error === null)) return state;
      return { ...state, notice: action.message, error: action.message === null ? state.error : null };
    case 'fatal':
      return { ...state, fatal: action.message };
  }
}

/**
 * The status bar's middle part: the core's own status line, else 'offline' or the contacts in short,
 * then the NAT status ("PCP 198.51.100.7:41873 · 59 min", "behind CGNAT · outgoing only").
 */
export function statusText(state: ChatState, now: number): string {
  if (state.status) return state.status;
  if (state.network === null) return 'connecting…';
  if (!state.network.online) return 'offline';
  const n = state.contacts.length;
  const nat = natSummary(state.network.nat, now);
  if (n === 0) return `no contacts yet (/invite) · ${nat}`;
  const connected = state.contacts.filter((c) => c.path !== 'offline').length;
  return `${n} contact${n === 1 ? '' : 's'}, ${connected} connected · ${nat}`;
}

/** The contact whose conversation is `id`, if it is one. */
export function contactOf(state: ChatState, id: ConversationId): ContactView | undefined {
  return state.contacts.find((c) => c.conversationId === id);
}

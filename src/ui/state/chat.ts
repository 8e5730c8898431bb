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
  MessagePage,
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
  /**
   * The loaded window of the selected conversation's messages, in display order: a page or a few around
   * where the user reads (never the whole history), with how many lie before and after it in the store.
   */
  readonly messages: readonly MessageView[];
  readonly older: number;
  readonly newer: number;
  /** True once the selected conversation's history is loaded. */
  readonly loaded: boolean;
  /** Latest `status` event text, if any. */
  readonly status: string | null;
  /** True while the daemon this TUI is attached to is away (the client reconnects by itself). */
  readonly reconnecting: boolean;
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
      readonly page: MessagePage;
    }
  | { readonly type: 'select'; readonly id: ConversationId }
  /** A page replacing the window (opening a conversation, jumping to the top, the end or a search hit). */
  | { readonly type: 'history'; readonly id: ConversationId; readonly page: MessagePage }
  /** A page joined to the window above (`older`) or below (`newer`) it. */
  | {
      readonly type: 'page';
      readonly id: ConversationId;
      readonly side: 'older' | 'newer';
      readonly page: MessagePage;
    }
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
  older: 0,
  newer: 0,
  loaded: false,
  status: null,
  reconnecting: false,
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

/** The newest page plus what arrived after it while it was loading (never an older window's rows). */
function withArrived(page: readonly MessageView[], known: readonly MessageView[]): MessageView[] {
  const last = page.at(-1)?.seq ?? 0;
  return merge(
    page,
    known.filter((m) => m.seq > last),
  );
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
  // The window ends before the newest messages: this one is counted, and loaded when the view gets there.
  if (at === -1 && state.newer > 0) return { ...state, newer: state.newer + 1 };
  if (at !== -1) {
    const known = state.messages[at]!;
    if (STATE_RANK[known.state] >= STATE_RANK[message.state]) return state;
    const messages = state.messages.slice();
    messages[at] = message;
    return { ...state, messages };
  }
  return { ...state, messages: [...state.messages, message] };
}

/** At most this many messages stay loaded; the side away from the reader is dropped (and counted). */
export const MAX_WINDOW_MESSAGES = 1_000;

function joinPage(state: ChatState, side: 'older' | 'newer', page: MessagePage): ChatState {
  if (page.messages.length === 0) {
    return side === 'older' ? { ...state, older: page.older } : { ...state, newer: page.newer };
  }
  let messages = merge(state.messages, page.messages);
  let older = side === 'older' ? page.older : state.older;
  let newer = side === 'newer' ? page.newer : state.newer;
  const excess = messages.length - MAX_WINDOW_MESSAGES;
  if (excess > 0) {
    if (side === 'older') {
      messages = messages.slice(0, messages.length - excess);
      newer += excess;
    } else {
      messages = messages.slice(excess);
      older += excess;
    }
  }
  return { ...state, messages, older, newer };
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
    case 'connection':
      if (event.state === 'restored') return { ...state, reconnecting: false, status: null };
      // What the daemon said about contacts is stale until it answers again: no path badges meanwhile.
      return {
        ...state,
        reconnecting: true,
        contacts: state.contacts.map((c) => (c.path === 'offline' ? c : { ...c, path: 'offline' })),
      };
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
        // The conversation opened is read (usePvtStore marks it).
        conversations: action.conversations.map((c) => (c.id === action.selected ? { ...c, unread: 0 } : c)),
        contacts: action.contacts,
        network: state.network ?? action.network,
        selected: action.selected,
        messages: withArrived(action.page.messages, action.selected === state.selected ? state.messages : []),
        older: action.page.older,
        newer: action.page.newer,
        loaded: true,
      };
    case 'select':
      if (action.id === state.selected) return state;
      return {
        ...state,
        selected: action.id,
        messages: [],
        older: 0,
        newer: 0,
        loaded: false,
        conversations: state.conversations.map((c) => (c.id === action.id ? { ...c, unread: 0 } : c)),
      };
    case 'history':
      if (action.id !== state.selected) return state;
      return {
        ...state,
        // Messages that arrived while the page was on its way belong to it only when it is the newest.
        messages:
          action.page.newer === 0
            ? withArrived(action.page.messages, state.messages)
            : [...action.page.messages],
        older: action.page.older,
        newer: action.page.newer,
        loaded: true,
      };
    case 'page':
      if (action.id !== state.selected) return state;
      return joinPage(state, action.side, action.page);
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
  if (state.reconnecting) return 'reconnecting to the daemon…';
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

/**
 * Feeds the chat reducer from a PvtApi: subscribes first (so nothing is missed), loads the profile, the
 * conversations, the contacts, the network state and the newest page of the conversation to open (the
 * most recent one with unread messages, else "Note to self"), loads pages of history on demand, reloads
 * everything when an attached daemon comes back, and the conversation list when contacts change. Knows
 * the PvtApi and the reducer; nothing about layout or keys.
 */
import { type Dispatch, useEffect, useReducer, useRef } from 'react';
import type { ConversationId, ConversationSummary, MessagePageOptions, PvtApi } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import { describeError } from '../errors.ts';
import { type ChatAction, type ChatState, initialChat, reduceChat } from '../state/chat.ts';

/** Messages in one page of history (a screen holds far fewer; a page turn rarely needs a load). */
export const HISTORY_PAGE = 100;

/** Where `pvt chat` opens: the conversation with unread messages that saw activity last, else the notes. */
export function openingConversation(conversations: readonly ConversationSummary[]): ConversationId {
  let best: ConversationSummary | undefined;
  for (const c of conversations) {
    if (c.unread <= 0) continue;
    if (!best || (c.lastActivityAt ?? 0) > (best.lastActivityAt ?? 0)) best = c;
  }
  if (best) return best.id;
  return conversations.some((c) => c.id === SELF_CONVERSATION)
    ? SELF_CONVERSATION
    : (conversations[0]?.id ?? SELF_CONVERSATION);
}

export function usePvtStore(api: PvtApi): [ChatState, Dispatch<ChatAction>] {
  const [state, dispatch] = useReducer(reduceChat, initialChat);
  const alive = useRef(true);
  const selected = useRef(state.selected);
  selected.current = state.selected;
  const loadedOnce = useRef(false);

  useEffect(() => {
    alive.current = true;
    const refreshConversations = (): void => {
      api.conversations().then(
        (conversations) => {
          if (alive.current) dispatch({ type: 'conversations', conversations });
        },
        () => {},
      );
    };
    const load = async (): Promise<void> => {
      const [profile, conversations, contacts, network] = await Promise.all([
        api.profile(),
        api.conversations(),
        api.contacts(),
        api.network(),
      ]);
      // After a reconnect the conversation on screen stays (if it still exists).
      const keep = loadedOnce.current && conversations.some((c) => c.id === selected.current);
      const open = keep ? selected.current : openingConversation(conversations);
      const page = await api.messagePage(open, { limit: HISTORY_PAGE });
      if (!alive.current) return;
      loadedOnce.current = true;
      dispatch({ type: 'loaded', profile, conversations, contacts, network, selected: open, page });
      if (open !== SELF_CONVERSATION) api.markRead(open).catch(() => {});
    };
    const unsubscribe = api.subscribe((event) => {
      if (!alive.current) return;
      dispatch({ type: 'event', event });
      // What arrives in the conversation on screen is read.
      if (
        event.type === 'message' &&
        event.message.direction === 'in' &&
        event.message.conversationId === selected.current
      ) {
        api.markRead(selected.current).catch(() => {});
      }
      if (
        event.type === 'contact-added' ||
        event.type === 'contact-removed' ||
        event.type === 'contact-updated'
      ) {
        refreshConversations();
      }
      if (event.type === 'connection' && event.state === 'restored') {
        load().catch((error: unknown) => {
          if (alive.current)
            dispatch({ type: 'error', message: `could not reload: ${describeError(error)}` });
        });
      }
    });
    load().catch((error: unknown) => {
      if (alive.current)
        dispatch({ type: 'fatal', message: `could not load the history: ${describeError(error)}` });
    });
    return () => {
      alive.current = false;
      unsubscribe();
    };
  }, [api]);

  return [state, dispatch];
}

/** Selects a conversation and loads its newest page. */
export function selectConversation(api: PvtApi, dispatch: Dispatch<ChatAction>, id: ConversationId): void {
  dispatch({ type: 'select', id });
  loadPage(api, dispatch, id, {});
  api.markRead(id).catch(() => {});
}

/** Replaces the window with one page: the newest (`{}`), the first (`{ after: 0 }`), or around a cursor. */
export function loadPage(
  api: PvtApi,
  dispatch: Dispatch<ChatAction>,
  id: ConversationId,
  options: MessagePageOptions,
): Promise<void> {
  return api.messagePage(id, { limit: HISTORY_PAGE, ...options }).then(
    (page) => dispatch({ type: 'history', id, page }),
    (error: unknown) =>
      dispatch({ type: 'error', message: `could not load the conversation: ${describeError(error)}` }),
  );
}

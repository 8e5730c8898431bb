/**
 * Feeds the chat reducer from a PvtApi: subscribes first (so nothing is missed), loads the profile, the
 * conversations, the contacts, the network state and the last HISTORY_PAGE messages of the selected
 * conversation, reloads a conversation's history when the selection changes and the conversation list
 * when contacts change. Knows the PvtApi and the reducer; nothing about layout or keys.
 */
import { type Dispatch, useEffect, useReducer, useRef } from 'react';
import type { ConversationId, PvtApi } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import { describeError } from '../errors.ts';
import { type ChatAction, type ChatState, initialChat, reduceChat } from '../state/chat.ts';

/** Messages loaded when a conversation opens. */
export const HISTORY_PAGE = 200;

export function usePvtStore(api: PvtApi): [ChatState, Dispatch<ChatAction>] {
  const [state, dispatch] = useReducer(reduceChat, initialChat);
  const alive = useRef(true);
  const selected = useRef(state.selected);
  selected.current = state.selected;

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
    });
    (async () => {
      const [profile, conversations, contacts, network] = await Promise.all([
        api.profile(),
        api.conversations(),
        api.contacts(),
        api.network(),
      ]);
      const selected = conversations.some((c) => c.id === SELF_CONVERSATION)
        ? SELF_CONVERSATION
        : (conversations[0]?.id ?? SELF_CONVERSATION);
      const messages = await api.messages(selected, { limit: HISTORY_PAGE });
      if (alive.current) {
        dispatch({ type: 'loaded', profile, conversations, contacts, network, selected, messages });
      }
    })().catch((error: unknown) => {
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

/** Selects a conversation and loads its history (the Static refresh is the caller's business). */
export function selectConversation(api: PvtApi, dispatch: Dispatch<ChatAction>, id: ConversationId): void {
  dispatch({ type: 'select', id });
  api.messages(id, { limit: HISTORY_PAGE }).then(
    (messages) => dispatch({ type: 'history', id, messages }),
    (error: unknown) =>
      dispatch({ type: 'error', message: `could not load the conversation: ${describeError(error)}` }),
  );
  api.markRead(id).catch(() => {});
}

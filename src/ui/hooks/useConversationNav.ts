/**
 * Moving between conversations on the main screen: Tab / Shift+Tab (and Alt+↓ / Alt+↑) select the next /
 * previous one, and when the conversation on screen is removed the screen goes back to the notes.
 * Knows the chat state and `selectConversation`; nothing about keys or layout.
 */
import { type Dispatch, useCallback, useEffect } from 'react';
import type { PvtApi } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import type { ChatAction, ChatState } from '../state/chat.ts';
import { selectConversation } from './usePvtStore.ts';

/** Returns `cycle(step)`: the conversation `step` places after (or before) the one on screen, wrapping. */
export function useConversationNav(
  api: PvtApi,
  chat: ChatState,
  dispatch: Dispatch<ChatAction>,
  current: () => ChatState,
): (step: number) => void {
  // The conversation on screen was removed: back to the notes.
  useEffect(() => {
    if (!chat.loaded || chat.selected === SELF_CONVERSATION) return;
    if (!chat.conversations.some((c) => c.id === chat.selected)) {
      selectConversation(api, dispatch, SELF_CONVERSATION);
    }
  }, [api, dispatch, chat.loaded, chat.selected, chat.conversations]);

  return useCallback(
    (step: number) => {
      const { conversations, selected } = current();
      if (conversations.length < 2) return;
      const at = conversations.findIndex((c) => c.id === selected);
      const next = conversations[(at + step + conversations.length) % conversations.length];
      if (next) selectConversation(api, dispatch, next.id);
    },
    [api, dispatch, current],
  );
}

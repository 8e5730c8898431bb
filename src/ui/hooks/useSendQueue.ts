/**
 * Sends what the composer submits to the conversation on screen: a note to self through `sendNote`, a
 * message to a contact through `send(id)` (the conversation id is the contact id). Sends run one after
 * the other (a burst of entries is stored in the order typed); a rejection becomes the status-line
 * error and the text goes back to the composer (nothing typed is lost). Knows the PvtApi and the chat
 * reducer's actions, nothing about keys or layout.
 */
import { type Dispatch, useCallback, useRef } from 'react';
import type { MessageView, PvtApi } from '../../app/api.ts';
import { SELF_CONVERSATION } from '../../app/api.ts';
import { describeError } from '../errors.ts';
import { type ChatAction, type ChatState, contactOf } from '../state/chat.ts';

export function useSendQueue(
  api: PvtApi,
  dispatch: Dispatch<ChatAction>,
  current: () => ChatState,
  /** A refused send gives its text back (the composer takes it when empty). */
  onRejected: (text: string) => void = () => {},
): (text: string) => void {
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const currentRef = useRef(current);
  currentRef.current = current;
  const rejectedRef = useRef(onRejected);
  rejectedRef.current = onRejected;
  return useCallback(
    (text: string) => {
      const state = currentRef.current();
      const { selected } = state;
      // A contact's conversation id is the contact id.
      const contactId =
        contactOf(state, selected) || state.conversations.some((c) => c.id === selected)
          ? selected
          : undefined;
      const sending = (): Promise<MessageView> => {
        if (selected === SELF_CONVERSATION) return api.sendNote(text);
        // Never fall back to a note: text meant for someone must not end up elsewhere.
        if (contactId === undefined) return Promise.reject(new Error('this conversation is gone'));
        return api.send(contactId, text);
      };
      const job = (): Promise<unknown> =>
        sending().then(
          (message) => dispatch({ type: 'sent', message }),
          (error: unknown) => {
            dispatch({ type: 'error', message: `not sent: ${describeError(error)}` });
            rejectedRef.current(text);
          },
        );
      queue.current = queue.current.then(job, job);
    },
    [api, dispatch],
  );
}

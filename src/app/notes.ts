/**
 * The self conversation ("Note to self"): validates what the user typed as a note and stores it, state
 * `stored` (a note goes nowhere). Must not know about contacts, sessions, the network or the event hub;
 * the façade emits what this returns.
 */
import type { Logger } from '../log/logger.ts';
import type { ProfileStore } from '../store/profile-store.ts';
import type { MessageView } from './api.ts';
import { SELF_CONVERSATION } from './api.ts';
import { MAX_MESSAGE_BODY_BYTES } from './constants.ts';
import { EmptyMessageError, MessageTooLongError } from './errors.ts';
import { messageView } from './history.ts';

/** Stores a note written now; a non-string, blank or too long text throws and stores nothing. */
export function storeNote(store: ProfileStore, text: string, now: () => number, logger: Logger): MessageView {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  if (text.trim().length === 0) throw new EmptyMessageError();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MESSAGE_BODY_BYTES) throw new MessageTooLongError(bytes, MAX_MESSAGE_BODY_BYTES);
  const stored = store.appendMessage({
    conversationId: SELF_CONVERSATION,
    direction: 'out',
    body: text,
    state: 'stored',
    createdAt: now(),
  });
  logger.debug('note.stored', { seq: stored.seq, bytes });
  return messageView(stored);
}

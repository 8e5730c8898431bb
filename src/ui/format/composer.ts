/**
 * The composer's words: its placeholder (where Enter sends, and for a contact not verified yet or
 * rejected what to do) and the "too long to send" message for a draft over the message limit. Pure;
 * knows the chat state's shape, nothing about Ink or the PvtApi.
 */
import { SELF_CONVERSATION } from '../../app/api.ts';
import { MAX_MESSAGE_BODY_BYTES } from '../../app/constants.ts';
import { type ChatState, contactOf } from '../state/chat.ts';
import { sanitizeLine } from './text.ts';

/** Null when `text` fits in one message; else what to say (the text stays in the composer). */
export function tooLong(text: string): string | null {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_MESSAGE_BODY_BYTES) return null;
  return `too long to send: ${bytes.toLocaleString('en-US')} bytes, a message holds ${MAX_MESSAGE_BODY_BYTES.toLocaleString('en-US')} — shorten it`;
}

export function placeholder(chat: ChatState): string {
  if (!chat.loaded) return 'loading…';
  if (chat.selected === SELF_CONVERSATION) return 'Write a note to yourself · Enter sends · ? for help';
  const contact = contactOf(chat, chat.selected);
  const name = sanitizeLine(
    contact?.name ?? chat.conversations.find((c) => c.id === chat.selected)?.title ?? '',
  );
  if (contact?.verification === 'rejected') {
    return `chat with ${name} is refused (the codes differed) · /remove ${name}`;
  }
  if (contact?.verification === 'unverified') {
    return `Message ${name} · not verified yet: /verify ${name} · Enter sends`;
  }
  return `Message ${name} · Enter sends · ? for help`;
}

/**
 * Tells the user a message from someone else arrived while the app runs: the terminal bell (BEL, which
 * tmux turns into a window alert) and, when turned on (`/set notifications on`), a desktop notification
 * through the terminal (OSC 9, and OSC 777 for terminals that read that one instead). A notification
 * says only "pvt: new message" unless `/set notify-text on` (then the sender and the text, cleaned of
 * control characters). Never for one's own notes or messages, never for the history loaded at start, at
 * most once per BELL_MIN_INTERVAL_MS so a burst of deliveries is one alert.
 */
import { useStdout } from 'ink';
import { useEffect, useRef } from 'react';
import type { ContactView, PvtApi } from '../../app/api.ts';
import { sanitizeLine, truncate } from '../format/text.ts';

export const BELL = '\u0007';
export const BELL_MIN_INTERVAL_MS = 1000;
/** Longest text put in a notification, in cells. */
const NOTIFY_TEXT_CELLS = 120;

export interface AlertOptions {
  readonly bell: boolean;
  readonly notifications: boolean;
  readonly notifyText: boolean;
}

/** OSC 9 (iTerm2, kitty, WezTerm, Windows Terminal…) and OSC 777 (rxvt, foot, VTE) notifications. */
export function notification(title: string, body: string): string {
  const clean = (s: string): string => sanitizeLine(s).replace(/;/gu, ',');
  return `\u001b]9;${clean(`${title}: ${body}`)}\u0007\u001b]777;notify;${clean(title)};${clean(body)}\u0007`;
}

export function useBell(api: PvtApi, options: AlertOptions, contacts: readonly ContactView[]): void {
  const { stdout } = useStdout();
  const contactsRef = useRef(contacts);
  contactsRef.current = contacts;
  const { bell, notifications, notifyText } = options;
  useEffect(() => {
    if (!bell && !notifications) return;
    let last = Number.NEGATIVE_INFINITY;
    return api.subscribe((event) => {
      if (event.type !== 'message' || event.message.direction !== 'in') return;
      const now = Date.now();
      if (now - last < BELL_MIN_INTERVAL_MS) return;
      last = now;
      let out = bell ? BELL : '';
      if (notifications) {
        if (notifyText) {
          const from = contactsRef.current.find((c) => c.conversationId === event.message.conversationId);
          out += notification(
            `pvt: ${from?.name ?? 'new message'}`,
            truncate(sanitizeLine(event.message.body), NOTIFY_TEXT_CELLS),
          );
        } else {
          out += notification('pvt', 'new message');
        }
      }
      stdout.write(out);
    });
  }, [api, bell, notifications, notifyText, stdout]);
}

/**
 * The main screen's mailbox suggestions (docs/mailbox.md, "Suggestions"): while the network runs, the
 * user has fewer mailboxes than recommended, has not declined, and a contact or a known relay offers
 * one, the candidates are offered in a panel opened only when no other is open — read again when the
 * network status changes, when a panel closes and every MAILBOX_SUGGEST_POLL_MS — until the user
 * answers it once in this run. In it, a digit adds that candidate (PvtApi.addMailbox with the address
 * it came with), [n] declines for good (PvtApi.setMailboxSuggest(false): not offered on a later start),
 * Esc leaves it for the next start. `/mailbox` lists them any time; `/mailbox add N` adds the N-th.
 * Renders nothing.
 */
import { type Dispatch, useEffect, useRef, useState } from 'react';
import type { MailboxCandidate, MailboxSuggestions, PvtApi } from '../../app/api.ts';
import { MAILBOX_RECOMMENDED } from '../../app/constants.ts';
import { describeError } from '../errors.ts';
import { candidateLabel } from '../format/mailbox.ts';
import type { ChatAction, ChatState } from '../state/chat.ts';
import type { OverlayAction } from '../state/overlay.ts';

/** How often the suggestions are read again until the offer is answered (relays are found over time). */
export const MAILBOX_SUGGEST_POLL_MS = 30_000;

export interface MailboxSuggestActions {
  /** `/mailbox`: the panel with the current candidates (or a notice that there are none). */
  show(): void;
  /** `/mailbox add N`: adds the N-th candidate (1-based) of the current list. */
  addNth(n: number): void;
  /** A digit in the panel: adds this candidate; `asked` keeps the panel's kind of offer. */
  add(candidate: MailboxCandidate, asked: boolean): void;
  /** [n] in the offered panel: never offered on its own again (remembered). */
  decline(): void;
  /** Esc (Enter, q) in the panel: closed; not offered again in this run. */
  later(): void;
}

function worthOffering(s: MailboxSuggestions): boolean {
  return s.suggest && s.chosen < s.recommended && s.candidates.length > 0;
}

export function useMailboxSuggest(
  api: PvtApi,
  chat: ChatState,
  panelOpen: boolean,
  dispatch: Dispatch<ChatAction>,
  overlay: Dispatch<OverlayAction>,
): MailboxSuggestActions {
  // Settled once the user answered the offer (a digit, n, Esc) or declined on an earlier start. Until
  // then the offer is made again whenever no panel is open: one pushed away by another question (the
  // relay question opens over whatever is shown) comes back when that one is answered.
  const settled = useRef(false);
  const busy = useRef(panelOpen);
  busy.current = panelOpen;
  const [tick, setTick] = useState(0);
  const online = chat.network?.online ?? false;
  const natState = chat.network?.nat.state;

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), MAILBOX_SUGGEST_POLL_MS);
    timer.unref?.();
    return () => clearInterval(timer);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again on network changes and each tick
  useEffect(() => {
    if (!online || settled.current || panelOpen) return;
    let alive = true;
    api.mailboxSuggestions().then(
      (s) => {
        if (!alive || settled.current) return;
        if (!s.suggest) {
          settled.current = true; // declined earlier: nothing to offer in this run
          return;
        }
        if (!worthOffering(s) || busy.current) return;
        overlay({ type: 'offer', panel: { kind: 'mailboxes', suggestions: s, asked: true } });
      },
      // No network or no mailbox support behind the API: nothing to offer.
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, online, panelOpen, natState, tick, overlay]);

  const fail = (error: unknown) => dispatch({ type: 'error', message: describeError(error) });

  const add = (c: MailboxCandidate, asked: boolean) => {
    settled.current = true;
    api.addMailbox(c.address).then(async (view) => {
      const left = Math.max(0, MAILBOX_RECOMMENDED - view.mine.length);
      dispatch({
        type: 'notice',
        message: `mailbox added: ${candidateLabel(c)} · you have ${view.mine.length}${left > 0 ? ` (${left} more recommended)` : ''}`,
      });
      const next = await api.mailboxSuggestions().catch(() => null);
      if (next && next.chosen < next.recommended && next.candidates.length > 0) {
        overlay({
          type: 'replace',
          kind: 'mailboxes',
          panel: { kind: 'mailboxes', suggestions: next, asked },
        });
      } else overlay({ type: 'close-if', kind: 'mailboxes' });
    }, fail);
  };

  return {
    show() {
      api.mailboxSuggestions().then((s) => {
        if (s.candidates.length === 0) {
          overlay({
            type: 'open',
            panel: {
              kind: 'notice',
              title: 'Mailboxes',
              lines: [
                `You have ${s.chosen} mailbox${s.chosen === 1 ? '' : 'es'}; ${s.recommended} are recommended.`,
                'No contact said it serves one and no known relay offers one. A mailbox is any pvt daemon with pvt mailbox serve on; add one by its address with pvt mailbox add ADDRESS.',
              ],
              tone: 'ok',
            },
          });
        } else overlay({ type: 'open', panel: { kind: 'mailboxes', suggestions: s, asked: false } });
      }, fail);
    },
    addNth(n) {
      api.mailboxSuggestions().then((s) => {
        const c = s.candidates[n - 1];
        if (!c) {
          dispatch({
            type: 'error',
            message:
              s.candidates.length === 0
                ? 'no mailbox to suggest (/mailbox says why)'
                : `no suggestion ${n}: /mailbox lists ${s.candidates.length}`,
          });
          return;
        }
        add(c, false);
      }, fail);
    },
    add,
    later() {
      settled.current = true;
      overlay({ type: 'close-if', kind: 'mailboxes' });
    },
    decline() {
      settled.current = true;
      overlay({ type: 'close-if', kind: 'mailboxes' });
      api.setMailboxSuggest(false).then(() => {
        dispatch({
          type: 'notice',
          message: 'mailboxes will not be suggested again (remembered) · /mailbox lists them',
        });
      }, fail);
    },
  };
}

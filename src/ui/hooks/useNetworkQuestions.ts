/**
 * The main screen's network questions and their commands in one place, composed from usePortMapping
 * (the one-time port-mapping question, `/nat`), useRelay (the relay question, `/relay`, the circuit
 * token for the status bar) and useMailboxSuggest (the mailbox offer, `/mailbox`): what their slash
 * commands do and what an answer in their panels does. Knows those hooks, the submissions and the panel
 * intents; nothing about keys, layout, the composer or the other panels.
 */
import type { Dispatch } from 'react';
import type { PvtApi } from '../../app/api.ts';
import type { Submission } from '../commands.ts';
import type { ChatAction, ChatState } from '../state/chat.ts';
import type { OverlayAction, OverlayIntent, Visible } from '../state/overlay.ts';
import { useMailboxSuggest } from './useMailboxSuggest.ts';
import { usePortMapping } from './usePortMapping.ts';
import { useRelay } from './useRelay.ts';

export type NetworkCommand = Extract<Submission, { readonly kind: 'nat' | 'relay' | 'mailbox' }>;

export type NetworkIntent = Extract<
  OverlayIntent,
  { readonly type: 'port-mapping' | 'relay' | 'mailbox-add' | 'mailbox-decline' | 'mailbox-later' }
>;

export function isNetworkIntent(i: OverlayIntent): i is NetworkIntent {
  return (
    i.type === 'port-mapping' ||
    i.type === 'relay' ||
    i.type === 'mailbox-add' ||
    i.type === 'mailbox-decline' ||
    i.type === 'mailbox-later'
  );
}

export interface NetworkQuestions {
  /** `⧉ 2 circuits` while onion circuits carry traffic, for the status bar; else null. */
  readonly token: string | null;
  /** `/nat [on|off]`, `/relay on|off`, `/mailbox [add N]`. */
  run(command: NetworkCommand): void;
  /** A key's answer in the port-mapping, relay or mailbox panel (`shown`: the panel on screen). */
  answer(intent: NetworkIntent, shown: Visible): void;
}

export function useNetworkQuestions(
  api: PvtApi,
  chat: ChatState,
  panelOpen: boolean,
  dispatch: Dispatch<ChatAction>,
  overlay: Dispatch<OverlayAction>,
): NetworkQuestions {
  const portMapping = usePortMapping(api, chat, panelOpen, dispatch, overlay);
  const relay = useRelay(api, chat, panelOpen, dispatch, overlay);
  const mailboxes = useMailboxSuggest(api, chat, panelOpen, dispatch, overlay);
  return {
    token: relay.token,
    run(command) {
      switch (command.kind) {
        case 'nat':
          if (command.set === null) portMapping.show();
          else portMapping.set(command.set);
          return;
        case 'relay':
          relay.set(command.set);
          return;
        case 'mailbox':
          if (command.add === null) mailboxes.show();
          else mailboxes.addNth(command.add);
          return;
      }
    },
    answer(intent, shown) {
      switch (intent.type) {
        case 'port-mapping':
          portMapping.answer(intent.allow);
          return;
        case 'relay':
          relay.answer(intent.allow);
          return;
        case 'mailbox-add': {
          const c = shown.kind === 'mailboxes' ? shown.suggestions.candidates[intent.index] : undefined;
          if (shown.kind === 'mailboxes' && c) mailboxes.add(c, shown.asked);
          return;
        }
        case 'mailbox-decline':
          mailboxes.decline();
          return;
        case 'mailbox-later':
          mailboxes.later();
          return;
      }
    },
  };
}

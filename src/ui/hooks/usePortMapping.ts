/**
 * The main screen's port-mapping actions: opening the one-time question when the node waits for an
 * answer (NAT state 'ask'; asked once per start until answered), answering it, `/nat` (the
 * reachability panel) and `/nat on|off`. Talks to the PvtApi (`setPortMapping`) and dispatches chat and
 * overlay actions; renders nothing.
 */
import { type Dispatch, useEffect, useRef } from 'react';
import type { PvtApi } from '../../app/api.ts';
import { describeError } from '../errors.ts';
import { natLines } from '../format/nat.ts';
import type { ChatAction, ChatState } from '../state/chat.ts';
import type { OverlayAction } from '../state/overlay.ts';

export interface PortMappingActions {
  /** `/nat`: the reachability panel. */
  show(): void;
  /** `/nat on|off`: remembered, confirmed by a notice. */
  set(allow: boolean): void;
  /** y/n on the one-time question. */
  answer(allow: boolean): void;
}

export function usePortMapping(
  api: PvtApi,
  chat: ChatState,
  panelOpen: boolean,
  dispatch: Dispatch<ChatAction>,
  overlay: Dispatch<OverlayAction>,
): PortMappingActions {
  const asked = useRef(false);
  const natState = chat.network?.nat.state;
  useEffect(() => {
    if (natState !== 'ask' || asked.current || panelOpen) return;
    asked.current = true;
    overlay({ type: 'open', panel: { kind: 'port-mapping' } });
  }, [natState, panelOpen, overlay]);

  const fail = (error: unknown) => dispatch({ type: 'error', message: describeError(error) });
  return {
    show() {
      const net = chat.network;
      if (!net?.online) {
        dispatch({ type: 'error', message: 'offline: no network, nothing to show' });
        return;
      }
      overlay({
        type: 'open',
        panel: { kind: 'notice', title: 'Reachability', lines: natLines(net.nat, Date.now()), tone: 'ok' },
      });
    },
    set(allow) {
      api.setPortMapping(allow).then(
        () =>
          dispatch({
            type: 'notice',
            message: allow ? 'port mapping allowed (remembered)' : 'port mapping off (remembered)',
          }),
        fail,
      );
    },
    answer(allow) {
      overlay({ type: 'close-if', kind: 'port-mapping' });
      // No notice on success: the status bar itself shows "checking NAT…", then the result.
      api.setPortMapping(allow).catch(fail);
    },
  };
}

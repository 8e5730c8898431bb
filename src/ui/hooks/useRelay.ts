/**
 * The main screen's onion-relay actions: reads the onion status (on start, when the network status
 * changes, and every ONION_STATUS_POLL_MS), opens the one-time relay question when this node is
 * reachable from outside (NAT 'public' or 'mapped') and the profile has no relay choice yet (asked once
 * per start until answered; Esc leaves it unanswered), answers it and `/relay on|off` through
 * `PvtApi.onion('relay-on' | 'relay-off')`, and gives the status-bar token for circuits carrying
 * traffic (open streams; circuits merely built ahead of need do not count). Renders
 * nothing; an API without the onion network (offline) simply shows no token and asks nothing.
 */
import { type Dispatch, useCallback, useEffect, useRef, useState } from 'react';
import type { OnionAnswer, PvtApi } from '../../app/api.ts';
import { describeError } from '../errors.ts';
import type { ChatAction, ChatState } from '../state/chat.ts';
import type { OverlayAction } from '../state/overlay.ts';

type OnionStatus = Extract<OnionAnswer, { kind: 'status' }>['status'];

/** How often the onion status (circuit count) is read again while the TUI runs. */
export const ONION_STATUS_POLL_MS = 5_000;

export interface RelayActions {
  /** y/n on the one-time question. */
  answer(allow: boolean): void;
  /** `/relay on|off`: remembered, confirmed by a notice. */
  set(allow: boolean): void;
  /** The status-bar token ("⧉ 2 circuits"), or null while no circuit carries a stream. */
  readonly token: string | null;
}

/** "⧉ 1 circuit" / "⧉ 3 circuits"; null for none. */
export function circuitToken(circuits: number): string | null {
  if (!Number.isFinite(circuits) || circuits <= 0) return null;
  return `⧉ ${circuits} circuit${circuits === 1 ? '' : 's'}`;
}

export function useRelay(
  api: PvtApi,
  chat: ChatState,
  panelOpen: boolean,
  dispatch: Dispatch<ChatAction>,
  overlay: Dispatch<OverlayAction>,
): RelayActions {
  const [status, setStatus] = useState<OnionStatus | null>(null);
  const asked = useRef(false);
  const natState = chat.network?.nat.state;
  const online = chat.network?.online ?? false;

  const refresh = useCallback(() => {
    let alive = true;
    api.onion('status').then(
      (a) => {
        if (alive && a.kind === 'status') setStatus(a.status);
      },
      // No network (or an API without onion): no token, no question.
      () => {
        if (alive) setStatus(null);
      },
    );
    return () => {
      alive = false;
    };
  }, [api]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again whenever the network status changes
  useEffect(() => refresh(), [refresh, natState, online]);
  useEffect(() => {
    let cancel = () => {};
    const timer = setInterval(() => {
      cancel();
      cancel = refresh();
    }, ONION_STATUS_POLL_MS);
    timer.unref?.();
    return () => {
      cancel();
      clearInterval(timer);
    };
  }, [refresh]);

  const reachable = natState === 'public' || natState === 'mapped';
  const unanswered = status !== null && !status.relay.answered;
  useEffect(() => {
    if (!reachable || !unanswered || asked.current || panelOpen) return;
    asked.current = true;
    overlay({ type: 'open', panel: { kind: 'relay' } });
  }, [reachable, unanswered, panelOpen, overlay]);

  const fail = (error: unknown) => dispatch({ type: 'error', message: describeError(error) });
  const choose = (allow: boolean) => {
    api.onion(allow ? 'relay-on' : 'relay-off').then((a) => {
      if (a.kind === 'status') setStatus(a.status);
      dispatch({
        type: 'notice',
        message: allow
          ? 'relaying onion circuits (remembered) · /relay off stops'
          : 'not relaying onion circuits (remembered)',
      });
    }, fail);
  };
  return {
    answer(allow) {
      overlay({ type: 'close-if', kind: 'relay' });
      choose(allow);
    },
    set(allow) {
      choose(allow);
    },
    token: circuitToken(status?.client.active ?? 0),
  };
}

/**
 * Feeds the list of offline joins in progress from a PvtApi: subscribes first, reads `pendingJoins()`,
 * applies `join-pending` / `join-ended` events as they come, and reads the list again when an attached
 * daemon comes back. A read that a join event overlapped is done again, so a join that ended meanwhile
 * never comes back from a stale answer. Knows the PvtApi and the reducer; nothing about layout or keys.
 */
import { useEffect, useReducer, useRef } from 'react';
import type { PendingJoinView, PvtApi } from '../../app/api.ts';
import { isJoinEvent, reducePendingJoins } from '../state/pending-joins.ts';

const NONE: readonly PendingJoinView[] = [];

export function usePendingJoins(api: PvtApi): readonly PendingJoinView[] {
  const [joins, dispatch] = useReducer(reducePendingJoins, NONE);
  const seen = useRef(0);

  useEffect(() => {
    let alive = true;
    const load = (): void => {
      const before = seen.current;
      api.pendingJoins().then(
        (list) => {
          if (!alive) return;
          if (seen.current !== before) load();
          else dispatch({ type: 'loaded', joins: list });
        },
        // An API that cannot say (an older daemon): nothing is shown, events still are.
        () => {},
      );
    };
    const unsubscribe = api.subscribe((event) => {
      if (!alive) return;
      if (isJoinEvent(event)) {
        seen.current++;
        dispatch({ type: 'event', event });
      } else if (event.type === 'connection' && event.state === 'restored') {
        load();
      }
    });
    load();
    return () => {
      alive = false;
      unsubscribe();
    };
  }, [api]);

  return joins;
}

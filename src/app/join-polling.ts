/**
 * The façade's offline-join polling loop: one round (the join slots of our live invites) on start and
 * then one every period (read before each wait, so PVT_MAILBOX_POLL_MS applies), until aborted. A round
 * that fails is dropped; the next one retries. Must not know what a round does (offline-join.ts).
 */

/** Starts the loop; abort the returned controller to stop it after the round in progress. */
export function pollJoinSlotsEvery(
  round: (signal: AbortSignal) => Promise<void>,
  periodMs: () => number,
): AbortController {
  const stop = new AbortController();
  const loop = async () => {
    while (!stop.signal.aborted) {
      await round(stop.signal).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, periodMs()).unref());
    }
  };
  void loop();
  return stop;
}

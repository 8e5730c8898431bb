/**
 * Which of a Peer's delivery routes takes its frames now (docs/messaging.md, "Routes"): the first, in
 * order, whose `ready` says yes (direct first, then the contact's mailbox); and receipts, which are
 * best-effort, handed to that route once — a lost receipt costs a retransmission, acknowledged again.
 * Knows nothing about sessions, the queue or stores.
 */
import type { Logger } from '../log/logger.ts';
import type { DeliveryRoute, RouteTarget } from './route.ts';

/** The first route ready for `target`, or undefined when none is (or `stopped` says so between tries). */
export async function firstReadyRoute(
  routes: readonly DeliveryRoute[],
  target: RouteTarget,
  signal: AbortSignal,
  stopped: () => boolean,
): Promise<DeliveryRoute | undefined> {
  for (const route of routes) {
    if (stopped()) return undefined;
    if (await route.ready(target, signal)) return route;
  }
  return undefined;
}

/** Hands receipt frames to the first ready route; a failure is logged, never thrown. */
export async function sendReceiptFrames(
  routes: readonly DeliveryRoute[],
  target: RouteTarget,
  wires: readonly Uint8Array[],
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  try {
    const route = await firstReadyRoute(routes, target, signal, () => false);
    if (route) await route.send(target, wires, signal);
  } catch (error) {
    logger.debug('receipt.send_failed', {
      code: (error as { name?: string }).name ?? 'unknown',
    });
  }
}

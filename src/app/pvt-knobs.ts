/**
 * The environment knobs the Pvt façade reads (tests set them; a user never needs to): the offline-join
 * polling pace and grace periods, the served mailbox's capacity and proof-of-work difficulty, the
 * mailbox route's poll period, and the crash hook of the kill -9 tests. Each reader falls back to the
 * default of its constant when the variable is unset or not a positive integer. Must not know what the
 * values drive; the façade hands them to the services.
 */
import { JOIN_ANSWER_WAIT_MS, JOIN_SLOT_SWEEP_GRACE_MS } from './constants.ts';
import type { MailboxHostInit } from './mailbox-host.ts';
import { MAILBOX_POLL_MS, type MailboxRouteInit } from './mailbox-route.ts';

/** How often the join slots of live invites are fetched: PVT_MAILBOX_POLL_MS (tests) or the mailbox poll. */
export function joinPollMs(): number {
  const ms = Number(process.env.PVT_MAILBOX_POLL_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : MAILBOX_POLL_MS;
}

/** How long after an invite's expiry its join slots are emptied. */
export function joinSweepGraceMs(): number {
  const ms = Number(process.env.PVT_JOIN_SWEEP_GRACE_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : JOIN_SLOT_SWEEP_GRACE_MS;
}

/** How long a mailbox answer waits for message 3 before a waiting request takes its place. */
export function joinAnswerWaitMs(): number {
  const ms = Number(process.env.PVT_JOIN_ANSWER_WAIT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : JOIN_ANSWER_WAIT_MS;
}

/** The served mailbox: PVT_MAILBOX_MAX_ENVELOPES (capacity) and PVT_MAILBOX_POW_BITS (1..24, slow deposits). */
export function mailboxHostKnobs(): Pick<MailboxHostInit, 'maxEnvelopes' | 'baseBits'> {
  const cap = Number(process.env.PVT_MAILBOX_MAX_ENVELOPES);
  const powBits = Math.trunc(Number(process.env.PVT_MAILBOX_POW_BITS));
  return {
    ...(Number.isInteger(cap) && cap > 0 ? { maxEnvelopes: cap } : {}),
    ...(powBits >= 1 && powBits <= 24 ? { baseBits: powBits } : {}),
  };
}

/** The mailbox route: PVT_MAILBOX_POLL_MS (poll period) and PVT_TEST_MAILBOX_KILL (crash hook). */
export function mailboxRouteKnobs(): Pick<MailboxRouteInit, 'pollMs' | 'progress'> {
  const poll = Number(process.env.PVT_MAILBOX_POLL_MS);
  return {
    ...(Number.isInteger(poll) && poll > 0 ? { pollMs: poll } : {}),
    ...crashHook(process.env.PVT_TEST_MAILBOX_KILL),
  };
}

/**
 * Crash tests: PVT_TEST_MAILBOX_KILL=deposits:N (handed:N, stored:N) makes this process SIGKILL itself
 * right after its N-th mailbox deposit (N-th fetched frame handed to the inbound path, before their
 * commit; N-th fetched frame stored, before any delete) — a kill -9 on a progress counter.
 */
function crashHook(spec: string | undefined): Pick<MailboxRouteInit, 'progress'> {
  const m = /^(deposits|handed|stored):(\d+)$/.exec(spec ?? '');
  if (!m) return {};
  const what = m[1];
  const at = Number(m[2]);
  return {
    progress: (kind, count) => {
      if (kind === what && count >= at) process.kill(process.pid, 'SIGKILL');
    },
  };
}

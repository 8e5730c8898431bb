/**
 * `pvt relay on|off|status [--json]`: whether the running daemon relays onion circuits for other pvt
 * users (remembered in the profile), and what the relay does (circuits, cells, drops — counters only).
 */
import type { OnionAnswer } from '../../app/api.ts';
import type { OnionStatus } from '../../net/onion/control.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';

export function renderOnionStatus(s: OnionStatus): string {
  const r = s.relay;
  const c = r.counters;
  const d = r.descriptor as { keyId?: string; services?: string[]; validUntil?: number } | null;
  return [
    `relay:       ${r.enabled ? 'on' : 'off'} — ${r.reason}`,
    ...(d
      ? [
          `descriptor:  onion key ${d.keyId ?? '?'}, services ${(d.services ?? []).join(', ') || 'none'}, valid until ${new Date(d.validUntil ?? 0).toISOString()}`,
        ]
      : []),
    `circuits:    ${c.circuits} open (${c.circuitsOpened} opened, ${c.circuitsClosed} closed), ${c.extends} extends, ${c.streams} exit streams`,
    `cells:       ${c.cellsIn} in, ${c.cellsOut} out`,
    `dropped:     ${c.dropped.rate} over rate, ${c.dropped.limit} over limits, ${c.dropped.malformed} malformed, ${c.dropped.unrecognized} unrecognized, ${c.dropped.queue} queue full`,
    `client:      ${s.client.relaysKnown} relays known, ${s.client.circuits} circuits (${s.client.counters.built} built, ${s.client.counters.failed} failed, ${s.client.counters.rebuilt} rebuilt)`,
    '',
  ].join('\n');
}

export const relayCommand: CommandSpec = {
  name: 'relay',
  summary: 'relay onion circuits for others (on/off), or show what the relay does',
  usage: ['pvt relay on|off|status [--json]'],
  details: [
    'A relay carries fixed-size encrypted cells of other pvt users’ circuits (it learns only the hop',
    'before and after it). It serves only while this node is reachable from outside (public address,',
    'port mapping or IPv6) and costs bandwidth: it is off unless you turn it on. The choice is',
    'remembered; the daemon must run. Details: docs/protocol/onion.md.',
  ].join('\n'),
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    const verb = input[0] ?? 'status';
    if (input.length > 1) throw new UsageError(`unexpected argument "${input[1]}"`);
    if (!['on', 'off', 'status'].includes(verb)) throw new UsageError('expected on, off or status');
    const command = verb === 'on' ? 'relay-on' : verb === 'off' ? 'relay-off' : 'status';
    const answer: OnionAnswer = await withPvt(ctx, (api) => api.onion(command));
    if (answer.kind !== 'status') throw new Error('unexpected answer');
    ctx.stdout.write(ctx.json ? `${JSON.stringify(answer.status)}\n` : renderOnionStatus(answer.status));
    return 0;
  },
};

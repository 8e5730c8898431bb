/**
 * PvtApi.onion: the commands behind `pvt relay`, `pvt relays` and `pvt circuits`, checked and dispatched
 * to the running network's onion service. Answers are JSON values (they travel over the daemon socket).
 * Knows nothing about cells or argv.
 */
import type { CircuitInfo, OnionStatus, ProbeResult } from '../net/onion/control.ts';
import type { RelayListEntry } from '../net/onion/directory.ts';
import type { OnionService } from '../net/onion/service.ts';
import { AppError } from './errors.ts';

export const ONION_COMMANDS = [
  'status',
  'relay-on',
  'relay-off',
  'relays',
  'relays-add',
  'relays-remove',
  'circuits',
  'build',
  'probe',
  'discover',
] as const;
export type OnionCommand = (typeof ONION_COMMANDS)[number];

export type OnionAnswer =
  | { readonly kind: 'status'; readonly status: OnionStatus }
  | { readonly kind: 'relays'; readonly relays: RelayListEntry[]; readonly bootstrap: string[] }
  | {
      readonly kind: 'relay-added';
      readonly added: string;
      readonly relay: RelayListEntry | null;
      readonly error?: string;
    }
  | { readonly kind: 'relay-removed'; readonly removed: string[] }
  | { readonly kind: 'circuits'; readonly circuits: CircuitInfo[] }
  | { readonly kind: 'built'; readonly circuit: CircuitInfo | null }
  | { readonly kind: 'probe'; readonly result: ProbeResult }
  | { readonly kind: 'discovered'; readonly relaysKnown: number };

function str(params: Record<string, unknown>, name: string): string {
  const v = params[name];
  if (typeof v !== 'string' || v.length === 0)
    throw new TypeError(`"${name}" expected a non-empty string, got ${typeof v}`);
  return v;
}
function num(params: Record<string, unknown>, name: string): number | undefined {
  const v = params[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new RangeError(`"${name}" expected a non-negative number, got ${String(v)}`);
  return v;
}

export async function onionCommand(
  onion: OnionService | undefined,
  command: string,
  params: object = {},
): Promise<OnionAnswer> {
  if (!(ONION_COMMANDS as readonly string[]).includes(command)) {
    throw new RangeError(
      `"command" expected one of ${ONION_COMMANDS.join(', ')}, got ${JSON.stringify(command)}`,
    );
  }
  if (!onion) throw new AppError('OnionUnavailable', 'the network is not running (start pvt daemon)');
  const p = params as Record<string, unknown>;
  switch (command as OnionCommand) {
    case 'status':
      return { kind: 'status', status: onion.status() };
    case 'relay-on':
      return { kind: 'status', status: await onion.setRelay(true) };
    case 'relay-off':
      return { kind: 'status', status: await onion.setRelay(false) };
    case 'relays':
      return { kind: 'relays', ...onion.relays() };
    case 'relays-add':
      return { kind: 'relay-added', ...(await onion.addRelay(str(p, 'addr'))) };
    case 'relays-remove':
      return { kind: 'relay-removed', ...(await onion.removeRelay(str(p, 'relay'))) };
    case 'circuits':
      return { kind: 'circuits', circuits: onion.circuits() };
    case 'build': {
      const exit = typeof p.exit === 'string' ? p.exit : undefined;
      return { kind: 'built', circuit: await onion.buildCircuit(exit ? { exit } : {}) };
    }
    case 'probe': {
      const bytes = num(p, 'bytes');
      const frameBytes = num(p, 'frameBytes');
      const paceMs = num(p, 'paceMs');
      return {
        kind: 'probe',
        result: await onion.probe({
          ...(bytes !== undefined ? { bytes } : {}),
          ...(frameBytes !== undefined ? { frameBytes } : {}),
          ...(paceMs !== undefined ? { paceMs } : {}),
        }),
      };
    }
    case 'discover':
      return { kind: 'discovered', relaysKnown: await onion.discover() };
  }
}

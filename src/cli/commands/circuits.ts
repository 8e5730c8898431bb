/**
 * `pvt circuits [--json] [--build] [--test [--bytes N]]`: the onion circuits of the running daemon (each
 * with its hops as short fingerprints and address classes, never addresses; age, cells), building one on
 * demand, or a test transfer through a circuit to an exit's echo service that resumes on a new circuit
 * when one dies.
 */
import type { CircuitInfo } from '../../net/onion/control.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';

function render(list: readonly CircuitInfo[]): string {
  if (list.length === 0) return 'no circuits\n';
  return `${list
    .map(
      (c) =>
        `#${c.id} ${c.state}, ${Math.round(c.ageMs / 1000)} s old, ${c.cells} cells, ${c.streams} stream(s): ${c.hops
          .map((h) => `${h.short} (${h.class})`)
          .join(' → ')}`,
    )
    .join('\n')}\n`;
}

export const circuitsCommand: CommandSpec = {
  name: 'circuits',
  summary: 'show onion circuits; build one or test a transfer through one',
  usage: [
    'pvt circuits [--json]',
    'pvt circuits --build [--json]',
    'pvt circuits --test [--bytes N] [--json]',
  ],
  details: [
    'Each circuit has three hops: a short fingerprint of each relay and its address class (loopback,',
    'private, public IPv4/IPv6). --build builds a circuit now; --test sends N bytes (default 1 MiB)',
    'through a circuit to an exit relay’s echo service and checks every byte, continuing on a new',
    'circuit if a relay disappears. The daemon must run.',
  ].join('\n'),
  flags: {
    build: { type: 'boolean', default: false },
    test: { type: 'boolean', default: false },
    bytes: { type: 'number' },
    paceMs: { type: 'number' },
  },
  flagHelp: [
    ['--build', 'build a circuit now and show it'],
    ['--test', 'send bytes through a circuit to an echo exit and check them'],
    ['--bytes N', 'how many bytes --test sends (default 1048576)'],
  ],
  async run(ctx, input, flags) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    if (flags.test === true) {
      const params: Record<string, number> = {};
      if (typeof flags.bytes === 'number') params.bytes = flags.bytes;
      if (typeof flags.paceMs === 'number') params.paceMs = flags.paceMs;
      const a = await withPvt(ctx, (api) => api.onion('probe', params));
      if (a.kind !== 'probe') throw new Error('unexpected answer');
      const r = a.result;
      if (ctx.json) ctx.stdout.write(`${JSON.stringify(r)}\n`);
      else
        ctx.stdout.write(
          r.ok
            ? `ok: ${r.bytes} bytes echoed through ${r.rebuilds + 1} circuit(s) in ${r.ms} ms\n`
            : `failed after ${r.bytes} bytes: ${r.error ?? 'unknown'}\n`,
        );
      return r.ok ? 0 : 1;
    }
    if (flags.build === true) {
      const a = await withPvt(ctx, (api) => api.onion('build'));
      if (a.kind !== 'built') throw new Error('unexpected answer');
      ctx.stdout.write(ctx.json ? `${JSON.stringify(a.circuit)}\n` : render(a.circuit ? [a.circuit] : []));
      return 0;
    }
    const a = await withPvt(ctx, (api) => api.onion('circuits'));
    if (a.kind !== 'circuits') throw new Error('unexpected answer');
    ctx.stdout.write(ctx.json ? `${JSON.stringify({ circuits: a.circuits })}\n` : render(a.circuits));
    return 0;
  },
};

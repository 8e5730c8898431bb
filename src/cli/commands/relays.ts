/**
 * `pvt relays list|add|remove [--json]`: the relays the running daemon knows (verified descriptors,
 * measured success, where each was learned) and the editable bootstrap list that seeds discovery.
 * `add` takes a relay's address as `pvt status --json` prints it (…/tcp/PORT/p2p/PEERID).
 */
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';

export const relaysCommand: CommandSpec = {
  name: 'relays',
  summary: 'list the onion relays known; add or remove bootstrap relays',
  usage: [
    'pvt relays [list] [--json]',
    'pvt relays add MULTIADDR',
    'pvt relays remove MULTIADDR|PEERID',
    'pvt relays discover [--json]',
  ],
  details: [
    'Relays are found through the bootstrap list, the private DHT, mDNS on the LAN and contacts that',
    'relay. A bootstrap address is one of the relay’s addresses as "pvt status --json" prints it,',
    'ending in /p2p/PEERID. The list is remembered in the profile; the daemon must run. "discover"',
    'runs one discovery round now (bootstrap relays, then the DHT) instead of waiting for the next one.',
  ].join('\n'),
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    const verb = input[0] ?? 'list';
    if (verb === 'list') {
      if (input.length > 1) throw new UsageError(`unexpected argument "${input[1]}"`);
      const a = await withPvt(ctx, (api) => api.onion('relays'));
      if (a.kind !== 'relays') throw new Error('unexpected answer');
      if (ctx.json) ctx.stdout.write(`${JSON.stringify({ relays: a.relays, bootstrap: a.bootstrap })}\n`);
      else {
        const lines = a.relays.map(
          (r) =>
            `${r.short}  ${r.relay ? 'relay' : 'exit only'}  ${r.successes}/${r.attempts} ok  ${r.source}  services: ${r.services.join(', ') || '-'}`,
        );
        ctx.stdout.write(
          `${a.relays.length} relay(s) known\n${lines.join('\n')}${lines.length ? '\n' : ''}bootstrap: ${a.bootstrap.length ? `\n  ${a.bootstrap.join('\n  ')}` : 'none'}\n`,
        );
      }
      return 0;
    }
    if (verb === 'discover') {
      if (input.length > 1) throw new UsageError(`unexpected argument "${input[1]}"`);
      const a = await withPvt(ctx, (api) => api.onion('discover'));
      if (a.kind !== 'discovered') throw new Error('unexpected answer');
      ctx.stdout.write(ctx.json ? `${JSON.stringify(a)}\n` : `${a.relaysKnown} relay(s) known\n`);
      return 0;
    }
    if (verb !== 'add' && verb !== 'remove') throw new UsageError('expected list, add, remove or discover');
    const target = input[1];
    if (!target) throw new UsageError(`pvt relays ${verb} needs an address`);
    if (input.length > 2) throw new UsageError(`unexpected argument "${input[2]}"`);
    if (verb === 'add') {
      const a = await withPvt(ctx, (api) => api.onion('relays-add', { addr: target }));
      if (a.kind !== 'relay-added') throw new Error('unexpected answer');
      if (ctx.json) ctx.stdout.write(`${JSON.stringify(a)}\n`);
      else
        ctx.stdout.write(
          a.relay
            ? `added ${a.added} (relay ${a.relay.short}, descriptor verified)\n`
            : `added ${a.added} (not reached yet: ${a.error ?? 'no answer'})\n`,
        );
      return 0;
    }
    const a = await withPvt(ctx, (api) => api.onion('relays-remove', { relay: target }));
    if (a.kind !== 'relay-removed') throw new Error('unexpected answer');
    if (ctx.json) ctx.stdout.write(`${JSON.stringify(a)}\n`);
    else
      ctx.stdout.write(
        a.removed.length ? `removed ${a.removed.join(', ')}\n` : 'not in the bootstrap list\n',
      );
    return a.removed.length ? 0 : 1;
  },
};

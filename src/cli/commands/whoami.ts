/**
 * `pvt whoami`: display name, short fingerprint, data dir and key protection of the current profile.
 */

import { sanitizeLine } from '../../text/sanitize.ts';
import type { CommandSpec } from '../command.ts';
import { withPvt } from '../session.ts';

export const whoamiCommand: CommandSpec = {
  name: 'whoami',
  summary: 'show your display name, fingerprint, data directory and key protection',
  usage: ['pvt whoami [--json]'],
  flags: {},
  flagHelp: [],
  async run(ctx) {
    const info = await withPvt(ctx, (api) => api.profile());
    if (ctx.json) {
      ctx.stdout.write(`${JSON.stringify(info)}\n`);
    } else {
      ctx.stdout.write(
        [
          `name:        ${sanitizeLine(info.displayName)}`,
          `fingerprint: ${info.fingerprint}`,
          `profile:     ${info.profile}`,
          `data dir:    ${info.dataDir}`,
          `keys:        ${info.keyProtection === 'keychain' ? 'OS keychain' : 'passphrase (Argon2id)'}`,
          `created:     ${new Date(info.createdAt).toISOString()}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};

/**
 * Child process of the killed-join test (killed-join.test.ts), run directly by Node 24 (type stripping).
 * Opens one profile on loopback and kills itself (SIGKILL) the moment the join reaches KILL_STEP (a
 * "join.step"/"invite.step" debug event; "none" never kills):
 *   inviter DIR KILL_STEP — creates an invite, prints "code CODE", prints "joined" on contact-added.
 *   joiner DIR KILL_STEP CODE — joins with CODE, prints "joined" or "failed CODE".
 * Stays up after that until SIGTERM (closes cleanly), so queued first messages can go out.
 */
import type { PvtApi } from '../../src/app/api.ts';
import { createLauncher } from '../../src/app/launcher.ts';
import type { LogFields, Logger } from '../../src/log/logger.ts';

const [role, dataDir, killStep, code] = process.argv.slice(2);
if (!role || !dataDir || !killStep) {
  process.stderr.write('usage: join-child.ts inviter|joiner DIR KILL_STEP [CODE]\n');
  process.exit(2);
}
const killer: Logger = {
  debug(event: string, fields?: LogFields) {
    if (event.endsWith('.step') && `${event.split('.')[0]}:${fields?.step}` === killStep) {
      process.kill(process.pid, 'SIGKILL');
    }
  },
  info() {},
  warn() {},
  error() {},
  child: () => killer,
};
const launcher = createLauncher({ dataDir, profile: 'default', logLevel: 'debug', logger: killer });
const api: PvtApi = await launcher.open({
  passphrase: 'test passphrase',
  network: { loopbackOnly: true, mdns: false },
});
process.on('SIGTERM', () => void api.close().then(() => process.exit(0)));
const print = (line: string) => process.stdout.write(`${line}\n`);
if (role === 'inviter') {
  api.subscribe((e) => {
    if (e.type === 'contact-added') print('joined');
  });
  const invite = await api.createInvite({ expiresInMs: 60_000 });
  print(`code ${invite.code}`);
} else {
  try {
    await api.join(code as string);
    print('joined');
  } catch (error) {
    print(`failed ${(error as { code?: string }).code ?? 'unknown'}`);
  }
}

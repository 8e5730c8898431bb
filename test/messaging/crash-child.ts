/**
 * Child process of the crash test (crash.test.ts), run directly by Node 24 (type stripping). Opens one
 * profile with the network on loopback and plays a role until killed (SIGKILL) or told to stop (SIGTERM,
 * closes cleanly):
 *   sender DIR CONTACT COUNT — queues "m-0001" … "m-COUNT" to CONTACT, skipping bodies already in the log
 *     (a previous run may have been killed mid-burst); prints "queued N" after each durable send and
 *     "delivered N" as receipts arrive.
 *   receiver DIR CONTACT — prints "received N" (inbound messages in the log) whenever one arrives.
 * Prints "ready" once the profile is open.
 */
import type { PvtApi } from '../../src/app/api.ts';
import { resolveContact } from '../../src/app/contact-lookup.ts';
import { createLauncher } from '../../src/app/launcher.ts';

const [role, dataDir, contact, countText] = process.argv.slice(2);
if (!role || !dataDir || !contact) {
  process.stderr.write('usage: crash-child.ts sender|receiver DIR CONTACT [COUNT]\n');
  process.exit(2);
}
const launcher = createLauncher({ dataDir, profile: 'default', logLevel: 'info' });
const api: PvtApi = await launcher.open({
  passphrase: 'test passphrase',
  network: { loopbackOnly: true, mdns: false },
});
// PvtApi is keyed by contact id: the name on the command line is resolved once.
const contactId = resolveContact(await api.contacts(), contact).id;
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  void api.close().then(() => process.exit(0));
});
const print = (line: string) => process.stdout.write(`${line}\n`);
const log = async () => api.contactMessages(contactId, { limit: 10_000 });

if (role === 'receiver') {
  let last = -1;
  const report = async () => {
    const n = (await log()).filter((m) => m.direction === 'in').length;
    if (n === last) return;
    last = n;
    print(`received ${n}`);
  };
  api.subscribe((e) => {
    if (e.type === 'message' && e.message.direction === 'in') void report();
  });
  print('ready');
  await report();
} else {
  const count = Number(countText);
  let delivered = (await log()).filter((m) => m.direction === 'out' && m.state === 'delivered').length;
  api.subscribe((e) => {
    if (e.type === 'message-state' && e.state === 'delivered') print(`delivered ${++delivered}`);
  });
  print('ready');
  const have = new Set((await log()).filter((m) => m.direction === 'out').map((m) => m.body));
  let queued = have.size;
  for (let i = 1; i <= count && !closing; i++) {
    const body = `m-${String(i).padStart(4, '0')}`;
    if (have.has(body)) continue;
    await api.send(contactId, body);
    print(`queued ${++queued}`);
  }
}

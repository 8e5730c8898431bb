/**
 * Helpers for the security suite: two (or more) people as real `pvt daemon` processes on loopback,
 * paired through the CLI (`pvt invite` on one side, `pvt join CODE` on the other), so attacks run
 * against the same processes and sockets a user has.
 */
import { type DaemonProcess, startDaemon } from '../daemon/helpers.ts';
import { runPvt, type TempHome, tempHome } from '../helpers/cli.ts';

export interface Person {
  readonly name: string;
  readonly home: TempHome;
  daemon?: DaemonProcess;
}

export async function createPerson(name: string, withDaemon = true): Promise<Person> {
  const home = tempHome(`${name} passphrase ${Math.random()}`);
  const r = await runPvt(['init', '--name', name], { env: home.env });
  if (r.code !== 0) throw new Error(`pvt init ${name} exited ${r.code}: ${r.stderr}`);
  const person: Person = { name, home };
  if (withDaemon) person.daemon = await startDaemon(home.env);
  return person;
}

export async function pvtJson<T>(p: Person, args: readonly string[]): Promise<T> {
  const r = await runPvt([...args, '--json'], { env: p.home.env });
  if (r.code !== 0) throw new Error(`pvt ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** `inviter` runs `pvt invite` through its daemon, `joiner` runs `pvt join CODE`; both daemons run. */
export async function pair(inviter: Person, joiner: Person): Promise<void> {
  const invite = await pvtJson<{ code: string }>(inviter, ['invite', '--no-qr']);
  await pvtJson(joiner, ['join', invite.code]);
}

export async function stopPerson(p: Person): Promise<void> {
  if (p.daemon) {
    p.daemon.child.kill('SIGTERM');
    await p.daemon.exited;
  }
  p.home.cleanup();
}

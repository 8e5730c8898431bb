/**
 * A profile created with a port that is already taken still comes up: the node falls back to another
 * port (and remembers it), so onboarding never leaves a half-created identity behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { createLauncher } from '../../src/app/launcher.ts';
import { PASSPHRASE, TEST_ARGON2 } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'pvt-port-busy-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('a busy port at creation falls back to a free one and the identity is usable', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const launcher = createLauncher({ dataDir, profile: 'default', logLevel: 'warn', argon2: TEST_ARGON2 });
  try {
    const api = await launcher.create({
      displayName: 'Busy',
      protection: { kind: 'passphrase', passphrase: PASSPHRASE },
      network: { loopbackOnly: true, mdns: false, port },
    });
    const net = await api.network();
    expect(net.online).toBe(true);
    expect(net.addresses.some((a) => a.includes(`/tcp/${port}/`))).toBe(false);
    const note = await api.sendNote('works');
    expect(note.state).toBe('stored');
    const fingerprint = (await api.profile()).fingerprint;
    await api.close();
    expect(await launcher.inspect()).toEqual({ state: 'present', keyProtection: 'passphrase' });

    const reopened = await launcher.open({
      passphrase: PASSPHRASE,
      network: { loopbackOnly: true, mdns: false },
    });
    expect((await reopened.network()).online).toBe(true);
    expect((await reopened.profile()).fingerprint).toBe(fingerprint);
    await reopened.close();
  } finally {
    blocker.close();
  }
});

/**
 * `pvt nat` on this machine, touching no router: with port mapping off (the suite sets
 * PVT_PORT_MAPPING=0; --no-port-mapping here too) it tries no method and says so; without a port,
 * a daemon or a profile it asks for one (exit 2); with a profile it uses (and remembers) the profile's
 * port; a bad --stun value exits 2. The lab tests cover the rest.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { runPvt, tempHome } from '../helpers/cli.ts';

const home = tempHome();
afterAll(() => home.cleanup());

describe('pvt nat without the lab', () => {
  test('port mapping off: no method is tried, and the text says so', async () => {
    const r = await runPvt(['nat', '--port', '40999', '--no-port-mapping'], {
      env: { ...home.env, PVT_PORT_MAPPING: '0' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('methods:   port mapping disabled');
    expect(r.stdout).not.toMatch(/^(pcp|natpmp|upnp) /m);
    // A machine with a public IPv4 address says `public`; any other says it tried nothing.
    if (r.stdout.includes('verdict:   unreachable')) expect(r.stdout).toContain('no method was tried');
    const json = await runPvt(['nat', '--json', '--port', '40999', '--no-port-mapping'], { env: home.env });
    const report = JSON.parse(json.stdout) as { interfaces: { name: string; addresses: string[] }[] };
    expect(report).toMatchObject({ attempts: [], mapping: null, portMapping: false });
    // The whole diagnosis names the interfaces and their addresses.
    expect(report.interfaces.every((i) => i.name.length > 0 && i.addresses.length > 0)).toBe(true);
    for (const i of report.interfaces) expect(r.stdout).toContain(` ${i.name} `);
  });

  test('no port and no daemon: exit 2 with what to do; a bad --stun: exit 2', async () => {
    const r = await runPvt(['nat', '--no-port-mapping'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port N/);
    const bad = await runPvt(['nat', '--port', '40999', '--no-port-mapping', '--stun', 'not a host:x'], {
      env: home.env,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stun/);
  });

  // Issue 10 item 10: a user expects `pvt nat` to just work.
  test('with a profile and no daemon: the remembered port, chosen and remembered on the first run', async () => {
    const own = tempHome();
    try {
      expect((await runPvt(['init', '--name', 'Nat'], { env: own.env })).code).toBe(0);
      const args = ['nat', '--json', '--no-port-mapping', '--loopback', '--no-mdns'];
      const first = await runPvt(args, { env: own.env });
      expect(first.code, first.stderr).toBe(0);
      const port = (JSON.parse(first.stdout) as { port: number }).port;
      expect(port).toBeGreaterThan(0);
      const again = await runPvt(args, { env: own.env });
      expect((JSON.parse(again.stdout) as { port: number }).port).toBe(port);
    } finally {
      own.cleanup();
    }
  });
});

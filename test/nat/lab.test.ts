/**
 * `pvt nat --json` in the natlab (../shared/natlab beside the checkout): PCP chosen when everything is
 * available and its mapping visible in miniupnpd's list then gone; each method forced in turn maps; the
 * order falls through to NAT-PMP and UPnP when gw1 refuses PCP / UDP 5351; --no-port-mapping tries none;
 * home2 (no mapping service) is `unreachable` within seconds; CGNAT=1 gives `behind CGNAT`. Skips with
 * the reason when the lab cannot run here (not root, packages missing). Each lab is torn down in afterAll.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { natlab as natlabRun, natlabSkipReason, ROOT } from './natlab.ts';

const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const PORT = 40_100;
const natlab = natlabRun.run;
const NATLAB = natlabRun.path;
const skipReason = natlabSkipReason;

interface Report {
  verdict: string;
  attempts: { method: string; ok: boolean; ms: number; error?: string }[];
  mapping: { method: string; externalAddress: string; externalPort: number; serviceType?: string } | null;
  deleted: boolean | null;
  ms: number;
}

function pvtNat(node: string, env: Record<string, string>, extra: string[] = []): Report {
  const out = natlab(
    ['exec', node, process.execPath, MAIN, 'nat', '--json', '--port', String(PORT), ...extra],
    env,
  );
  return JSON.parse(out) as Report;
}

// PVT_PORT_MAPPING=1 undoes the suite-wide 0 (vitest.config.ts): inside the lab, mapping is the point.
const ENV = { NATLAB_PREFIX: 'pvtnat-', PVT_PORT_MAPPING: '1' };
const skip = skipReason(ENV);
if (skip) console.log(`test/nat/lab.test.ts skipped: ${skip}`);

describe.skipIf(skip !== null)('pvt nat in the natlab', () => {
  let gw1Public = '';
  beforeAll(() => {
    natlab(['up'], ENV);
    gw1Public =
      (JSON.parse(natlab(['status', '--json'], ENV)) as { env: Record<string, string> }).env
        .NATLAB_GW1_PUBLIC_IP ?? '';
  });
  afterAll(() => {
    natlab(['down'], ENV);
  });

  test('all methods available: PCP is chosen; the mapping is in miniupnpd’s list, then gone', async () => {
    const child = spawn(
      NATLAB,
      ['exec', 'home1', process.execPath, MAIN, 'nat', '--json', '--port', String(PORT)],
      {
        env: { ...process.env, ...ENV, PVT_NAT_HOLD_MS: '1500' },
      },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no mapping held within 10 s')), 10_000);
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (d.includes('holding')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const during = natlab(['mappings'], ENV);
    expect(during).toContain(String(PORT));
    // After its hold the command deletes the mapping and exits by itself.
    expect(await exited).toBe(0);
    const r = JSON.parse(stdout) as Report;
    expect(r.verdict).toBe('mapped');
    expect(r.mapping?.method).toBe('pcp');
    expect(r.mapping?.externalAddress).toBe(gw1Public);
    expect(r.deleted).toBe(true);
    expect(natlab(['mappings'], ENV)).not.toContain(String(PORT));
  });

  for (const method of ['pcp', 'natpmp', 'upnp']) {
    test(`forced ${method} maps and deletes`, () => {
      const r = pvtNat('home1', ENV, ['--nat-method', method]);
      expect(r.verdict).toBe('mapped');
      expect(r.mapping?.method).toBe(method);
      expect(r.mapping?.externalAddress).toBe(gw1Public);
      expect(r.deleted).toBe(true);
      expect(natlab(['mappings'], ENV)).not.toContain(String(PORT));
    });
  }

  test('order: PCP refused → NAT-PMP; PCP and NAT-PMP refused → UPnP; --no-port-mapping → none', () => {
    // gw1 answers PCP (version 2) and then all of UDP 5351 with ICMP port unreachable, as a router
    // without those services would; the table is removed afterwards.
    const gw = (...args: string[]) => natlab(['exec', 'gw1', 'nft', ...args], ENV);
    gw('add', 'table', 'inet', 'pvttest');
    try {
      gw('add', 'chain', 'inet', 'pvttest', 'in', '{ type filter hook input priority -10 ; }');
      gw('add', 'rule', 'inet', 'pvttest', 'in', 'udp', 'dport', '5351', '@th,64,8', '2', 'reject');
      const noPcp = pvtNat('home1', ENV);
      expect(noPcp.attempts.map((a) => [a.method, a.ok])).toEqual([
        ['pcp', false],
        ['natpmp', true],
      ]);
      expect(noPcp.mapping?.method).toBe('natpmp');

      gw('flush', 'chain', 'inet', 'pvttest', 'in');
      gw('add', 'rule', 'inet', 'pvttest', 'in', 'udp', 'dport', '5351', 'reject');
      const upnpOnly = pvtNat('home1', ENV);
      expect(upnpOnly.attempts.map((a) => [a.method, a.ok])).toEqual([
        ['pcp', false],
        ['natpmp', false],
        ['upnp', true],
      ]);
      expect(upnpOnly.mapping?.method).toBe('upnp');
    } finally {
      gw('delete', 'table', 'inet', 'pvttest');
    }
    const none = pvtNat('home1', ENV, ['--no-port-mapping']);
    expect(none.attempts).toEqual([]);
    expect(none.mapping).toBeNull();
    expect(natlab(['mappings'], ENV)).not.toContain(String(PORT));
  });

  test('createNatService: start returns at once, verdict later, record written, stop deletes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvt-nat-'));
    try {
      const record = join(dir, 'nat-mapping.json');
      const service = pathToFileURL(join(ROOT, 'src', 'net', 'nat', 'service.ts')).href;
      const logger = pathToFileURL(join(ROOT, 'src', 'log', 'logger.ts')).href;
      const script = `
        import { createNatService } from ${JSON.stringify(service)};
        import { nullLogger } from ${JSON.stringify(logger)};
        import { existsSync, readFileSync } from 'node:fs';
        const verdict = Promise.withResolvers();
        const svc = createNatService({ port: ${PORT + 1}, portMapping: true, recordFile: ${JSON.stringify(record)}, onVerdict: verdict.resolve })({ logger: nullLogger });
        let arrived = false;
        void verdict.promise.then(() => { arrived = true; });
        await svc.start();
        const verdictBeforeStart = arrived;
        const d = await verdict.promise;
        await new Promise((r) => setTimeout(r, 50));
        const recorded = JSON.parse(readFileSync(${JSON.stringify(record)}, 'utf8'));
        await svc.stop();
        console.log(JSON.stringify({ verdictBeforeStart, verdict: d.verdict, method: d.mapping?.method, recorded: recorded.nonce, nonce: d.mapping?.nonce, after: existsSync(${JSON.stringify(record)}) }));
      `;
      const out = natlab(['exec', 'home1', process.execPath, '--input-type=module', '-e', script], ENV);
      const r = JSON.parse(out) as {
        verdictBeforeStart: boolean;
        verdict: string;
        method: string;
        recorded: string;
        nonce: string;
        after: boolean;
      };
      // start() resolved before the verdict: the node never waits on NAT.
      expect(r).toMatchObject({ verdictBeforeStart: false, verdict: 'mapped', method: 'pcp', after: false });
      expect(r.recorded).toBe(r.nonce);
      expect(natlab(['mappings'], ENV)).not.toContain(String(PORT + 1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('home2 (no mapping service) is unreachable within a few seconds', () => {
    const r = pvtNat('home2', ENV);
    expect(r.verdict).toBe('unreachable');
    expect(r.attempts.map((a) => a.method)).toEqual(['pcp', 'natpmp', 'upnp']);
    expect(r.ms).toBeLessThan(5_000);
  });
});

const CG = { NATLAB_PREFIX: 'pvtnatcg-', CGNAT: '1', PVT_PORT_MAPPING: '1' };
const skipCg = skip ?? skipReason(CG);

describe.skipIf(skipCg !== null)('pvt nat behind a carrier-grade NAT', () => {
  beforeAll(() => {
    natlab(['up'], CG);
  });
  afterAll(() => {
    natlab(['down'], CG);
  });
  test('CGNAT=1: behind CGNAT, and the useless mapping is deleted', () => {
    const r = pvtNat('home1', CG);
    expect(r.verdict).toBe('behind CGNAT');
    expect(r.mapping?.externalAddress).toMatch(/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./);
    expect(r.deleted).toBe(true);
  });
});

const V1 = { NATLAB_PREFIX: 'pvtnatv1-', IGD_V1: '1', PVT_PORT_MAPPING: '1' };
const skipV1 = skip ?? skipReason(V1);

describe.skipIf(skipV1 !== null)('pvt nat with an IGDv1 gateway', () => {
  beforeAll(() => {
    natlab(['up'], V1);
  });
  afterAll(() => {
    natlab(['down'], V1);
  });
  test('IGD_V1=1: UPnP maps through WANIPConnection:1 and deletes', () => {
    const r = pvtNat('home1', V1, ['--nat-method', 'upnp']);
    expect(r.verdict).toBe('mapped');
    expect(r.mapping).toMatchObject({
      method: 'upnp',
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
    });
    expect(r.deleted).toBe(true);
    expect(natlab(['mappings'], V1)).not.toContain(String(PORT));
  });
});

/**
 * `pvt nat --json --stun A --stun B` in the natlab (../shared/natlab beside the checkout), against the
 * lab's STUN server on its two addresses and ports: home1 behind gw1 (cone) → endpoint-independent,
 * `mapped`, STUN address = gw1's public address; GW2_NAT=symmetric: home2 → endpoint-dependent,
 * `symmetric NAT`; CGNAT=1: home1 → `behind CGNAT`, STUN sees the carrier's address while the gateway
 * reports its 100.64/10 one. Without --stun no STUN server is contacted. Skips with the reason when the
 * lab cannot run here; each lab has its own prefix and is torn down in afterAll.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PVT_BIN, runPvt, tempHome } from '../helpers/cli.ts';
import { natlab as natlabLab, natlabSkipReason, ROOT } from './natlab.ts';

const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const PORT = 40_300;
const skipReason = natlabSkipReason;
const natlab = natlabLab.run;

interface Report {
  verdict: string;
  mapping: { method: string; externalAddress: string; externalPort: number } | null;
  stun: {
    results: { server: string; ok: boolean; mappedAddress?: string; mappedPort?: number; error?: string }[];
    classification: string;
    address: string | null;
    localPorts: number[];
    ms: number;
  } | null;
  deleted: boolean | null;
}

/** The lab's STUN servers (two addresses, two ports), from `natlab status --json`. */
/** Brings the lab up before the describe's tests (handing its names and STUN servers to `got`), down after. */
function useLab(
  env: Record<string, string>,
  got: (r: { lab: Record<string, string>; stun: string[] }) => void,
) {
  beforeAll(() => got(labUp(env)));
  afterAll(() => {
    natlab(['down'], env);
  });
}

function labUp(env: Record<string, string>): { lab: Record<string, string>; stun: string[] } {
  natlab(['up'], env);
  const lab = natlabLab.status(env);
  const stun = [
    `${lab.NATLAB_STUN_IP ?? '203.0.113.2'}:${lab.NATLAB_STUN_PORT ?? '3478'}`,
    `${lab.NATLAB_STUN_ALT_IP ?? '203.0.113.3'}:${lab.NATLAB_STUN_ALT_PORT ?? '3479'}`,
  ];
  return { lab, stun };
}

function pvtNat(node: string, env: Record<string, string>, stun: string[], extra: string[] = []): Report {
  const flags = stun.flatMap((s) => ['--stun', s]);
  const out = natlab(
    ['exec', node, process.execPath, MAIN, 'nat', '--json', '--port', String(PORT), ...flags, ...extra],
    env,
  );
  const r = JSON.parse(out) as Report;
  if (r.stun) console.log(`stun-lab ${env.NATLAB_PREFIX}${node}: classification in ${r.stun.ms} ms`);
  return r;
}

// PVT_PORT_MAPPING=1 undoes the suite-wide 0 (vitest.config.ts): inside the lab, mapping is the point.
const ENV = { NATLAB_PREFIX: 'pvtstun-', PVT_PORT_MAPPING: '1', PVT_STUN_SERVERS: '' };
const skip = skipReason(ENV);
if (skip) console.log(`test/nat/stun-lab.test.ts skipped: ${skip}`);

describe.skipIf(skip !== null)('pvt nat --stun in the default lab', () => {
  let lab: Record<string, string> = {};
  let stun: string[] = [];
  useLab(ENV, (r) => {
    ({ lab, stun } = r);
  });

  test('home1 behind gw1 (cone): endpoint-independent, mapped, STUN address = gw1’s public address', () => {
    const r = pvtNat('home1', ENV, stun);
    expect(r.verdict).toBe('mapped');
    expect(r.mapping?.externalAddress).toBe(lab.NATLAB_GW1_PUBLIC_IP);
    expect(r.stun?.classification).toBe('endpoint-independent');
    expect(r.stun?.address).toBe(lab.NATLAB_GW1_PUBLIC_IP);
    expect(r.stun?.results.map((s) => s.server)).toEqual(stun);
    const ports = new Set(r.stun?.results.map((s) => s.mappedPort));
    expect(r.stun?.results.every((s) => s.ok && s.mappedAddress === lab.NATLAB_GW1_PUBLIC_IP)).toBe(true);
    expect(ports.size).toBe(1);
    expect(r.deleted).toBe(true);
  });

  test('home2 behind gw2 (cone, no mapping service): endpoint-independent but unreachable', () => {
    const r = pvtNat('home2', ENV, stun);
    expect(r.verdict).toBe('unreachable');
    expect(r.stun?.classification).toBe('endpoint-independent');
    expect(r.stun?.address).toBe(lab.NATLAB_GW2_WAN_IP);
  });

  test('PVT_STUN_SERVERS (comma-separated) instead of --stun; none given → no STUN at all', () => {
    const fromEnv = pvtNat('home1', { ...ENV, PVT_STUN_SERVERS: stun.join(',') }, []);
    expect(fromEnv.stun?.classification).toBe('endpoint-independent');
    expect(fromEnv.stun?.results).toHaveLength(2);
    const none = pvtNat('home1', ENV, []);
    expect(none.stun).toBeNull();
    expect(none.verdict).toBe('mapped');
  });

  test('a silent STUN server is a per-server NatTimeout, the other two still classify', () => {
    const r = pvtNat('home1', ENV, [...stun, `${lab.NATLAB_PUB_IP ?? '203.0.113.10'}:3478`]);
    expect(r.stun?.results.map((s) => s.error ?? 'ok')).toEqual(['ok', 'ok', 'NatTimeout']);
    expect(r.stun?.classification).toBe('endpoint-independent');
    expect(r.verdict).toBe('mapped');
  });

  test('garbage --stun is a usage error (exit 2)', () => {
    const r = spawnSync(
      natlabLab.path,
      ['exec', 'home1', process.execPath, MAIN, 'nat', '--json', '--port', String(PORT), '--stun', 'a b:x'],
      { encoding: 'utf8', env: { ...process.env, ...ENV } },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--stun: bad STUN server/);
  });
});

const SYM = {
  NATLAB_PREFIX: 'pvtstunsym-',
  GW2_NAT: 'symmetric',
  PVT_PORT_MAPPING: '1',
  PVT_STUN_SERVERS: '',
};
const skipSym = skip ?? skipReason(SYM);

describe.skipIf(skipSym !== null)('pvt nat --stun behind a symmetric NAT', () => {
  let lab: Record<string, string> = {};
  let stun: string[] = [];
  useLab(SYM, (r) => {
    ({ lab, stun } = r);
  });

  test('GW2_NAT=symmetric: home2 → endpoint-dependent, symmetric NAT', () => {
    const r = pvtNat('home2', SYM, stun);
    expect(r.verdict).toBe('symmetric NAT');
    expect(r.mapping).toBeNull();
    expect(r.stun?.classification).toBe('endpoint-dependent');
    expect(r.stun?.results.every((s) => s.ok && s.mappedAddress === lab.NATLAB_GW2_WAN_IP)).toBe(true);
    expect(new Set(r.stun?.results.map((s) => s.mappedPort)).size).toBe(2);
  });

  test('without STUN the same NAT is only unreachable', () => {
    expect(pvtNat('home2', SYM, []).verdict).toBe('unreachable');
  });

  test('a daemon given PVT_STUN_SERVERS says symmetric NAT in pvt status', async () => {
    const home = tempHome();
    try {
      expect((await runPvt(['init', '--name', 'Sym'], { env: home.env })).code).toBe(0);
      const daemon = spawn(
        natlabLab.path,
        ['exec', 'home2', process.execPath, PVT_BIN, 'daemon', '--port', String(PORT + 1), '--no-mdns'],
        {
          env: { ...process.env, ...SYM, ...home.env, PVT_STUN_SERVERS: stun.join(',') },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      const exited = new Promise((resolve) => daemon.on('exit', resolve));
      try {
        let text = '';
        for (let i = 0; i < 100 && !text.includes('symmetric NAT'); i++) {
          await new Promise((r) => setTimeout(r, 200));
          text = (await runPvt(['status'], { env: home.env })).stdout;
        }
        expect(text).toContain('nat:         symmetric NAT · outgoing only');
      } finally {
        daemon.kill('SIGTERM');
        await exited;
      }
    } finally {
      home.cleanup();
    }
  }, 60_000);
});

const CG = { NATLAB_PREFIX: 'pvtstuncg-', CGNAT: '1', PVT_PORT_MAPPING: '1', PVT_STUN_SERVERS: '' };
const skipCg = skip ?? skipReason(CG);

describe.skipIf(skipCg !== null)('pvt nat --stun behind a carrier-grade NAT', () => {
  let lab: Record<string, string> = {};
  let stun: string[] = [];
  useLab(CG, (r) => {
    ({ lab, stun } = r);
  });

  test('CGNAT=1: behind CGNAT; STUN sees the carrier’s address, the gateway reports 100.64.0.11', () => {
    const r = pvtNat('home1', CG, stun);
    expect(r.verdict).toBe('behind CGNAT');
    // With CGNAT=1 the lab's GW1_WAN_IP is gw1's carrier-side address, GW1_PUBLIC_IP the cgn's.
    expect(r.mapping?.externalAddress).toBe(lab.NATLAB_GW1_WAN_IP);
    expect(r.mapping?.externalAddress).toBe('100.64.0.11');
    expect(r.stun?.address).toBe(lab.NATLAB_CGN_PUBLIC_IP);
    expect(r.stun?.address).toBe(lab.NATLAB_GW1_PUBLIC_IP);
    expect(r.stun?.address).toBe('198.51.100.64');
    expect(r.stun?.classification).toBe('endpoint-independent');
    expect(r.deleted).toBe(true);
  });
});

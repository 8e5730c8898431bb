/**
 * Finds the IPv4 default gateway (Linux: /proc/net/route; macOS: `route -n get default`), the local
 * address used towards it, and the machine's non-internal addresses. Parsers are pure and size-capped.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ROUTE_TABLE_MAX_BYTES } from './constants.ts';
import { NoGatewayError } from './errors.ts';

/** The default route's gateway in a Linux /proc/net/route table, or undefined. */
export function parseProcNetRoute(text: string): string | undefined {
  if (text.length > ROUTE_TABLE_MAX_BYTES) return undefined;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[1] !== '00000000') continue;
    const flags = Number.parseInt(f[3] ?? '', 16);
    const gw = f[2] ?? '';
    if (!/^[0-9A-Fa-f]{8}$/.test(gw) || !(flags & 2)) continue;
    const n = Number.parseInt(gw, 16);
    // little-endian in the file
    return `${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 24) & 0xff}`;
  }
  return undefined;
}

/** The gateway in the output of macOS `route -n get default`, or undefined. */
export function parseRouteGetDefault(text: string): string | undefined {
  if (text.length > ROUTE_TABLE_MAX_BYTES) return undefined;
  const m = /^\s*gateway:\s*(\S+)\s*$/m.exec(text);
  return m?.[1] && isIPv4(m[1]) ? m[1] : undefined;
}

export async function defaultGateway(): Promise<string> {
  if (process.platform === 'linux') {
    const gw = parseProcNetRoute(await readFile('/proc/net/route', 'utf8'));
    if (!gw) throw new NoGatewayError('no default route in /proc/net/route');
    return gw;
  }
  if (process.platform === 'darwin') {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'route',
        ['-n', 'get', 'default'],
        { timeout: 2_000, maxBuffer: ROUTE_TABLE_MAX_BYTES },
        (e, so) => (e ? reject(new NoGatewayError(e.message)) : resolve(so)),
      ),
    );
    const gw = parseRouteGetDefault(out);
    if (!gw) throw new NoGatewayError('route -n get default named none');
    return gw;
  }
  throw new NoGatewayError(`unsupported platform ${process.platform}`);
}

/** The source address the kernel would use to reach `host` (no packet is sent). */
export function localAddressTowards(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('error', (e) => {
      s.close();
      reject(e);
    });
    s.connect(9, host, () => {
      const a = s.address().address;
      s.close();
      resolve(a);
    });
  });
}

/** The machine's non-internal interfaces with their addresses (IPv4 and IPv6). */
export function localInterfaces(): { name: string; addresses: string[] }[] {
  const out: { name: string; addresses: string[] }[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    const addresses = (list ?? []).filter((a) => !a.internal).map((a) => a.address);
    if (addresses.length > 0) out.push({ name, addresses });
  }
  return out;
}

/** Every non-internal address of the machine (IPv4 and IPv6). */
export function localAddresses(): string[] {
  return localInterfaces().flatMap((i) => i.addresses);
}

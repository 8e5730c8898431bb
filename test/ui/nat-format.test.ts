/**
 * The NAT status in words: the status bar's short form (natSummary) and the /nat panel's lines
 * (natLines), for the states a user meets.
 */
import { describe, expect, it } from 'vitest';
import type { NatStatus } from '../../src/app/api.ts';
import { natSummary } from '../../src/app/nat-summary.ts';
import { NAT_OFF } from '../../src/net/nat/status.ts';
import { natLines } from '../../src/ui/format/nat.ts';

const NOW = 1_800_000_000_000;
const diagnosis = (publicVia: 'ipv4' | 'ipv6' | null) => ({ publicVia }) as unknown as NatStatus['diagnosis'];

describe('NAT status in words', () => {
  it('mapped: method, address, ✓ once confirmed, whole minutes left', () => {
    const mapped: NatStatus = {
      ...NAT_OFF,
      state: 'mapped',
      method: 'natpmp',
      external: '198.51.100.11:40301',
      expiresAt: NOW + 59 * 60_000 + 59_000,
    };
    expect(natSummary(mapped, NOW)).toBe('NAT-PMP 198.51.100.11:40301 · 59 min');
    expect(natSummary({ ...mapped, confirmed: true }, NOW)).toBe('NAT-PMP 198.51.100.11:40301 ✓ · 59 min');
    expect(natSummary(mapped, NOW + 2 * 3_600_000)).toBe('NAT-PMP 198.51.100.11:40301 · 0 min');
    expect(natLines(mapped, NOW).join('\n')).toContain('nobody outside has connected yet');
  });

  it('public through IPv6 only says so, and what a router may still block', () => {
    const v6: NatStatus = { ...NAT_OFF, state: 'public', diagnosis: diagnosis('ipv6') };
    expect(natSummary(v6, NOW)).toBe('public IPv6 address');
    expect(natLines(v6, NOW).join('\n')).toContain('many home routers block incoming IPv6');
    const v4: NatStatus = { ...NAT_OFF, state: 'public', diagnosis: diagnosis('ipv4'), confirmed: true };
    expect(natSummary(v4, NOW)).toBe('public address ✓');
    expect(natLines(v4, NOW).join('\n')).not.toContain('IPv6');
  });

  it('not reachable: outgoing only, or relayed; off and ask say how to change it', () => {
    expect(natSummary({ ...NAT_OFF, state: 'symmetric NAT' }, NOW)).toBe('symmetric NAT · outgoing only');
    expect(natSummary({ ...NAT_OFF, state: 'unreachable', relayed: true }, NOW)).toBe(
      'unreachable · relayed',
    );
    expect(natLines({ ...NAT_OFF, state: 'unreachable' }, NOW).join('\n')).toContain('cannot dial you');
    expect(natLines(NAT_OFF, NOW).at(-1)).toContain('/nat on');
    expect(natLines({ ...NAT_OFF, state: 'behind CGNAT' }, NOW).at(-1)).toContain('/nat off');
    expect(natSummary({ ...NAT_OFF, state: 'ask' }, NOW)).toBe('port mapping not yet allowed');
  });
});

/**
 * Observed addresses (identify) as a NAT signal: only public IPv4 kept, newest last, bounded; a newest
 * observation other than the gateway's external address means the mapping is behind another NAT.
 */
import { describe, expect, it } from 'vitest';
import { addObserved, contradictsMapping, MAX_OBSERVED } from '../../src/net/nat/observed.ts';

describe('observed addresses', () => {
  it('keeps public IPv4 addresses only, newest last, each once, at most MAX_OBSERVED', () => {
    let list: string[] = [];
    for (const ip of ['10.0.0.1', '192.168.1.2', '100.64.0.7', '2001:db8::1', 'garbage']) {
      list = addObserved(list, ip);
    }
    expect(list).toEqual([]);
    list = addObserved(addObserved(addObserved(list, '198.51.100.11'), '203.0.113.9'), '198.51.100.11');
    expect(list).toEqual(['203.0.113.9', '198.51.100.11']);
    for (let i = 0; i < 20; i++) list = addObserved(list, `198.51.100.${100 + i}`);
    expect(list).toHaveLength(MAX_OBSERVED);
    expect(list.at(-1)).toBe('198.51.100.119');
  });

  it('a newest observation other than the external address contradicts the mapping', () => {
    expect(contradictsMapping([], '198.51.100.11')).toBe(false);
    expect(contradictsMapping(['198.51.100.11'], '198.51.100.11')).toBe(false);
    // The gateway reports a public-looking address, peers see the carrier's: double NAT.
    expect(contradictsMapping(['198.51.100.64'], '198.51.100.11')).toBe(true);
    // Only the newest counts (an older one may predate a network change).
    expect(contradictsMapping(['198.51.100.64', '198.51.100.11'], '198.51.100.11')).toBe(false);
  });
});

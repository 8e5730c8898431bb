/**
 * The port-mapping question: shown once when the node waits for consent (NAT state 'ask'), y/n answer
 * it through setPortMapping, Esc leaves it unanswered; the status line shows the NAT summary.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { NAT_OFF } from '../../src/net/nat/status.ts';
import { ContactsPvt, contactsLauncher } from './contacts-api.ts';
import { renderApp, sleep, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

async function open(api: ContactsPvt): Promise<Tui> {
  const t = renderApp(contactsLauncher(api), { columns: 100, rows: 30, initialPassphrase: PASS });
  await t.waitFor('? help');
  return t;
}

function asking(): ContactsPvt {
  const api = new ContactsPvt([{ name: 'Grace', verification: 'verified', path: 'lan' }]);
  api.networkStatus = { ...api.networkStatus, nat: { ...NAT_OFF, state: 'ask' } };
  return api;
}

describe('port-mapping question', () => {
  test('y allows it once; the status line follows the NAT state', async () => {
    const api = asking();
    tui = await open(api);
    await tui.waitFor('Open a port on your router?');
    await tui.type('y');
    await tui.waitFor('checking NAT…');
    expect(api.portMappingChoices).toEqual([true]);
    expect(tui.screen()).not.toContain('Open a port on your router?');

    const expiresAt = Date.now() + 59 * 60_000 + 30_000;
    api.setNetwork({
      ...api.networkStatus,
      nat: { ...NAT_OFF, state: 'mapped', method: 'pcp', external: '198.51.100.11:40100', expiresAt },
    });
    await tui.waitFor('1 contact, 1 connected · PCP 198.51.100.11:40100 · 59 min');
    api.setNetwork({ ...api.networkStatus, nat: { ...api.networkStatus.nat, confirmed: true } });
    await tui.waitFor('PCP 198.51.100.11:40100 ✓ · 59 min');
    api.setNetwork({ ...api.networkStatus, nat: { ...NAT_OFF, state: 'behind CGNAT' } });
    await tui.waitFor('behind CGNAT · outgoing only');
    api.setNetwork({ ...api.networkStatus, nat: { ...NAT_OFF, state: 'behind CGNAT', relayed: true } });
    await tui.waitFor('behind CGNAT · relayed');
  });

  test('n refuses; Esc leaves it unanswered and it is not asked again in this run', async () => {
    const refuse = asking();
    tui = await open(refuse);
    await tui.waitFor('Open a port on your router?');
    await tui.type('n');
    await tui.waitFor((s) => !s.includes('Open a port on your router?'));
    expect(refuse.portMappingChoices).toEqual([false]);
    await tui.waitFor('port mapping off');
    tui.unmount();

    const later = asking();
    tui = await open(later);
    await tui.waitFor('Open a port on your router?');
    await tui.press('escape');
    await tui.waitFor((s) => !s.includes('Open a port on your router?'));
    await sleep(100);
    expect(tui.screen()).not.toContain('Open a port on your router?');
    expect(later.portMappingChoices).toEqual([]);
  });

  test('/nat shows reachability; /nat off and /nat on change it; a wrong argument says how', async () => {
    const api = new ContactsPvt([{ name: 'Grace', verification: 'verified', path: 'lan' }]);
    api.networkStatus = {
      ...api.networkStatus,
      nat: { ...NAT_OFF, state: 'behind CGNAT', relayed: true, observed: ['198.51.100.64'] },
    };
    tui = await open(api);
    await tui.type('/nat\r');
    const panel = await tui.waitFor('Reachability');
    expect(panel).toContain('behind CGNAT · relayed');
    expect(panel).toContain('through a contact that relays for you');
    expect(panel).toContain('198.51.100.64');
    await tui.press('escape');
    await tui.waitFor((s) => !s.includes('Reachability'));
    await tui.type('/nat off\r');
    await tui.waitFor('port mapping off (remembered)');
    await tui.type('/nat on\r');
    await tui.waitFor('port mapping allowed (remembered)');
    expect(api.portMappingChoices).toEqual([false, true]);
    await tui.type('/nat maybe\r');
    await tui.waitFor('usage: /nat [on|off]');
    expect(api.portMappingChoices).toEqual([false, true]);
  });
});

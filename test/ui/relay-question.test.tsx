/**
 * The relay question and the circuit token: asked once when this node is reachable from outside and
 * the profile has no relay choice; y/n answer it through PvtApi.onion('relay-on' | 'relay-off'), Esc
 * leaves it unanswered; never asked when unreachable or already answered; `/relay on|off`; the status
 * bar shows "⧉ N circuits" while the onion status counts open circuits.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { OnionAnswer } from '../../src/app/api.ts';
import { NAT_OFF } from '../../src/net/nat/status.ts';
import type { OnionStatus } from '../../src/net/onion/control.ts';
import { ContactsPvt, contactsLauncher } from './contacts-api.ts';
import { renderApp, sleep, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
const QUESTION = 'Relay onion circuits for other pvt users?';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

/** ContactsPvt with an onion status: the relay choice as `pvt relay on|off` keeps it. */
class OnionPvt extends ContactsPvt {
  relay: boolean | undefined;
  circuits = 0;
  readonly onionCommands: string[] = [];
  constructor(nat: string, relay?: boolean) {
    super([{ name: 'Grace', verification: 'verified', path: 'lan' }]);
    this.relay = relay;
    this.networkStatus = {
      ...this.networkStatus,
      nat: { ...NAT_OFF, state: nat as typeof NAT_OFF.state },
    };
  }
  #status(): OnionStatus {
    return {
      relay: {
        enabled: this.relay ?? false,
        answered: this.relay !== undefined,
        serving: this.relay === true,
        reason: this.relay ? 'serving' : 'off',
        keyRotatedAt: 0,
        descriptor: null,
        counters: {} as OnionStatus['relay']['counters'],
      },
      client: {
        relaysKnown: 3,
        circuits: this.circuits + 2,
        active: this.circuits,
        counters: { built: 0, failed: 0, rebuilt: 0 },
      },
    };
  }
  override async onion(command: string): Promise<OnionAnswer> {
    this.onionCommands.push(command);
    if (command === 'relay-on') this.relay = true;
    else if (command === 'relay-off') this.relay = false;
    else if (command !== 'status') throw new Error(`unexpected ${command}`);
    return { kind: 'status', status: this.#status() };
  }
  choices(): string[] {
    return this.onionCommands.filter((c) => c !== 'status');
  }
}

async function open(api: ContactsPvt): Promise<Tui> {
  const t = renderApp(contactsLauncher(api), { columns: 100, rows: 30, initialPassphrase: PASS });
  await t.waitFor('? help');
  return t;
}

describe('relay question', () => {
  test('reachable and unanswered: asked; y turns relaying on through the API', async () => {
    const api = new OnionPvt('mapped');
    tui = await open(api);
    await tui.waitFor(QUESTION);
    await tui.type('y');
    await tui.waitFor('relaying onion circuits (remembered)');
    expect(api.choices()).toEqual(['relay-on']);
    expect(api.relay).toBe(true);
    expect(tui.screen()).not.toContain(QUESTION);
  });

  test('n is remembered: the next start does not ask again', async () => {
    const api = new OnionPvt('public');
    tui = await open(api);
    await tui.waitFor(QUESTION);
    await tui.type('n');
    await tui.waitFor('not relaying onion circuits (remembered)');
    expect(api.choices()).toEqual(['relay-off']);
    expect(api.relay).toBe(false);
    tui.unmount();

    const again = new OnionPvt('public', api.relay);
    tui = await open(again);
    await tui.waitFor(() => again.onionCommands.includes('status'));
    await sleep(150);
    expect(tui.screen()).not.toContain(QUESTION);
    expect(again.choices()).toEqual([]);
  });

  test('Esc leaves it unanswered (nothing sent, not asked again in this run)', async () => {
    const api = new OnionPvt('mapped');
    tui = await open(api);
    await tui.waitFor(QUESTION);
    await tui.press('escape');
    await tui.waitFor((s) => !s.includes(QUESTION));
    api.setNetwork({ ...api.networkStatus, nat: { ...NAT_OFF, state: 'public' } });
    await sleep(150);
    expect(tui.screen()).not.toContain(QUESTION);
    expect(api.choices()).toEqual([]);
    expect(api.relay).toBeUndefined();
  });

  test('not asked while unreachable; asked once it becomes reachable', async () => {
    const api = new OnionPvt('behind CGNAT');
    tui = await open(api);
    await tui.waitFor(() => api.onionCommands.includes('status'));
    await sleep(150);
    expect(tui.screen()).not.toContain(QUESTION);
    api.setNetwork({ ...api.networkStatus, nat: { ...NAT_OFF, state: 'mapped' } });
    await tui.waitFor(QUESTION);
  });

  test('/relay on and /relay off change it; a wrong argument says how', async () => {
    const api = new OnionPvt('behind CGNAT', false);
    tui = await open(api);
    await tui.type('/relay on\r');
    await tui.waitFor('relaying onion circuits (remembered) · /relay off stops');
    await tui.type('/relay off\r');
    await tui.waitFor('not relaying onion circuits (remembered)');
    await tui.type('/relay maybe\r');
    await tui.waitFor('usage: /relay on|off');
    expect(api.choices()).toEqual(['relay-on', 'relay-off']);
  });
});

describe('circuit indicator', () => {
  test('shown in the status bar while circuits carry traffic, gone when none does (built-ahead ones do not count)', async () => {
    const api = new OnionPvt('behind CGNAT', false);
    api.circuits = 2;
    tui = await open(api);
    await tui.waitFor('⧉ 2 circuits');
    api.circuits = 0;
    // A network change reads the onion status again.
    api.setNetwork({ ...api.networkStatus, nat: { ...NAT_OFF, state: 'double NAT' } });
    await tui.waitFor((s) => !s.includes('circuit'));
  });
});

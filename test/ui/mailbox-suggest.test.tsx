/**
 * Mailbox suggestions in the TUI (docs/mailbox.md, "Suggestions"): with fewer than two mailboxes and a
 * contact or relay offering one, the panel is offered on its own, once; a digit adds that candidate by
 * its address through PvtApi.addMailbox and the panel shows what is left until two are chosen; [n]
 * declines for good (setMailboxSuggest(false): the next start offers nothing); Esc leaves it for the
 * next start; nothing is offered with two mailboxes or without candidates; `/mailbox` lists them any
 * time and `/mailbox add N` adds the N-th; a contact's name is sanitized on screen; the relay question
 * comes first and the offer follows it.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { MailboxCandidate, MailboxesView, MailboxSuggestions, OnionAnswer } from '../../src/app/api.ts';
import { NAT_OFF } from '../../src/net/nat/status.ts';
import type { OnionStatus } from '../../src/net/onion/control.ts';
import { ContactsPvt, contactsLauncher } from './contacts-api.ts';
import { renderApp, sleep, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
const TITLE = 'Choose mailboxes?';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

const ADA = '12D3KooWAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAda1';
const RELAY = '12D3KooWRelayRelayRelayRelayRelayRelayRelayRelayXy';
const candidates: MailboxCandidate[] = [
  {
    address: `/ip4/203.0.113.9/tcp/4002/p2p/${ADA}`,
    peerId: ADA,
    from: 'contact',
    contact: 'Ada\u001b[31m',
    reachable: true,
    reachedAt: 1,
  },
  {
    address: `/ip4/198.51.100.7/tcp/4001/p2p/${RELAY}`,
    peerId: RELAY,
    from: 'relay',
    contact: null,
    reachable: false,
    reachedAt: null,
  },
];

/** ContactsPvt with a mailbox list and suggestions, as the daemon keeps them. */
class MailboxPvt extends ContactsPvt {
  mine: { address: string; peerId: string }[] = [];
  suggest = true;
  offers: MailboxCandidate[] = [...candidates];
  readonly mailboxCalls: string[] = [];
  constructor(o: { mine?: number; suggest?: boolean; offers?: MailboxCandidate[] } = {}) {
    super([{ name: 'Grace', verification: 'verified', path: 'lan' }]);
    for (let i = 0; i < (o.mine ?? 0); i++)
      this.mine.push({ address: `/ip4/192.0.2.${i}/tcp/1/p2p/x${i}`, peerId: `x${i}` });
    if (o.suggest !== undefined) this.suggest = o.suggest;
    if (o.offers) this.offers = o.offers;
  }
  #view(): MailboxesView {
    return { serving: false, serveSetting: false, served: null, mine: [...this.mine] };
  }
  override async mailboxes(): Promise<MailboxesView> {
    return this.#view();
  }
  override async addMailbox(address: string): Promise<MailboxesView> {
    this.mailboxCalls.push(`add ${address}`);
    const c = this.offers.find((x) => x.address === address);
    if (!c) throw new Error('not a suggestion');
    this.mine.push({ address, peerId: c.peerId });
    return this.#view();
  }
  override async mailboxSuggestions(): Promise<MailboxSuggestions> {
    const taken = new Set(this.mine.map((m) => m.peerId));
    return {
      chosen: this.mine.length,
      recommended: 2,
      suggest: this.suggest,
      candidates: this.offers.filter((c) => !taken.has(c.peerId)),
    };
  }
  override async setMailboxSuggest(enabled: boolean): Promise<MailboxSuggestions> {
    this.mailboxCalls.push(`suggest ${enabled}`);
    this.suggest = enabled;
    return this.mailboxSuggestions();
  }
}

/** Reachable, with no relay choice yet: the relay question comes up too. */
class ReachablePvt extends MailboxPvt {
  relay: boolean | undefined;
  constructor() {
    super();
    this.networkStatus = { ...this.networkStatus, nat: { ...NAT_OFF, state: 'mapped' } };
  }
  override async onion(command: string): Promise<OnionAnswer> {
    if (command === 'relay-off') this.relay = false;
    const status = {
      relay: {
        enabled: false,
        answered: this.relay !== undefined,
        serving: false,
        reason: 'off',
        keyRotatedAt: 0,
        descriptor: null,
        counters: {} as OnionStatus['relay']['counters'],
      },
      client: { relaysKnown: 1, circuits: 0, active: 0, counters: { built: 0, failed: 0, rebuilt: 0 } },
    } satisfies OnionStatus;
    return { kind: 'status', status };
  }
}

async function open(api: ContactsPvt): Promise<Tui> {
  const t = renderApp(contactsLauncher(api), { columns: 110, rows: 32, initialPassphrase: PASS });
  await t.waitFor('? help');
  return t;
}

describe('mailbox suggestions', () => {
  test('offered once with fewer than two; a digit adds by the address; the rest stays until two are chosen', async () => {
    const api = new MailboxPvt();
    tui = await open(api);
    await tui.waitFor(TITLE);
    const screen = tui.screen();
    expect(screen).toContain('1. contact Ada · reached lately');
    expect(screen).toContain('2. relay …');
    expect(screen).toContain('not reached lately');
    expect(screen).not.toContain('\u001b[31m');
    expect(screen).toContain('You have 0; 2 are recommended');
    await tui.type('1');
    await tui.waitFor('mailbox added: contact Ada');
    expect(api.mailboxCalls).toEqual([`add ${candidates[0]?.address}`]);
    // Still one short: the relay is offered, now as number 1.
    await tui.waitFor((s) => s.includes('You have 1;') && s.includes('1. relay …'));
    await tui.type('1');
    await tui.waitFor('mailbox added: relay');
    await tui.waitFor((s) => !s.includes(TITLE));
    expect(api.mine.map((m) => m.peerId)).toEqual([ADA, RELAY]);
  });

  test('the relay question comes first; the mailbox offer follows once it is answered, not lost', async () => {
    const api = new ReachablePvt();
    tui = await open(api);
    await tui.waitFor('Relay onion circuits for other pvt users?');
    await sleep(300);
    expect(tui.screen()).not.toContain(TITLE);
    await tui.type('n');
    await tui.waitFor(TITLE);
    await tui.type('2');
    await tui.waitFor('mailbox added: relay');
    expect(api.mailboxCalls).toEqual([`add ${candidates[1]?.address}`]);
  });

  test('n declines for good: remembered, and the next start offers nothing', async () => {
    const api = new MailboxPvt();
    tui = await open(api);
    await tui.waitFor(TITLE);
    await tui.type('n');
    await tui.waitFor('mailboxes will not be suggested again (remembered)');
    expect(api.mailboxCalls).toEqual(['suggest false']);
    expect(tui.screen()).not.toContain(TITLE);
    tui.unmount();

    const again = new MailboxPvt({ suggest: api.suggest });
    tui = await open(again);
    await sleep(300);
    expect(tui.screen()).not.toContain(TITLE);
    // /mailbox still lists them, and /mailbox add 2 adds the relay.
    await tui.type('/mailbox\r');
    await tui.waitFor('Mailboxes you could add');
    expect(tui.screen()).not.toContain('don’t suggest again');
    await tui.press('escape');
    await tui.waitFor((s) => !s.includes('Mailboxes you could add'));
    await tui.type('/mailbox add 2\r');
    await tui.waitFor('mailbox added: relay');
    expect(again.mailboxCalls).toEqual([`add ${candidates[1]?.address}`]);
  });

  test('Esc: not now, nothing sent, not offered again in this run', async () => {
    const api = new MailboxPvt();
    tui = await open(api);
    await tui.waitFor(TITLE);
    await tui.press('escape');
    await tui.waitFor((s) => !s.includes(TITLE));
    api.setNetwork({ ...api.networkStatus });
    await sleep(300);
    expect(tui.screen()).not.toContain(TITLE);
    expect(api.mailboxCalls).toEqual([]);
  });

  test('not offered with two mailboxes, nor without candidates; /mailbox says so; a wrong /mailbox says how', async () => {
    const full = new MailboxPvt({ mine: 2 });
    tui = await open(full);
    await sleep(300);
    expect(tui.screen()).not.toContain(TITLE);
    tui.unmount();

    const none = new MailboxPvt({ offers: [] });
    tui = await open(none);
    await sleep(300);
    expect(tui.screen()).not.toContain(TITLE);
    await tui.type('/mailbox\r');
    await tui.waitFor('No contact said it serves one');
    await tui.press('escape');
    await tui.type('/mailbox add 3\r');
    await tui.waitFor('no mailbox to suggest');
    await tui.type('/mailbox remove\r');
    await tui.waitFor('usage: /mailbox [add N]');
    expect(none.mailboxCalls).toEqual([]);
  });
});

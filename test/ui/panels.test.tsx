/**
 * The contact panels of the main screen: /invite (a QR code that decodes to the invite, the text code,
 * the countdown; a terminal too small for the QR says how big it must be), /join (progress, Esc
 * cancels, every failure said plainly, success leads to the code comparison), the SAS prompt (keys
 * ignored until it is armed, y verifies, n rejects with an explanation, l asks later, never twice for
 * one contact), /verify (safety number, confirm), /rename, /remove (asks y/N), /contacts, /help.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { JoinOptions } from '../../src/app/api.ts';
import { COMMANDS } from '../../src/ui/commands.ts';
import { KEY_BINDINGS } from '../../src/ui/keys.ts';
import { decodeQrFromScreen } from '../helpers/qr-decode.ts';
import { CodedError, type ContactSeed, ContactsPvt, contactsLauncher, SAMPLE_CODE } from './contacts-api.ts';
import { liveLines, renderApp, sleep, type Tui, widestLine } from './harness.tsx';

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

async function open(api: ContactsPvt, size: { columns?: number; rows?: number } = {}): Promise<Tui> {
  const t = renderApp(contactsLauncher(api), { columns: 100, rows: 32, ...size, initialPassphrase: PASS });
  await t.waitFor('? help');
  await t.waitFor((s) => !s.includes('loading…'));
  return t;
}

const SAS_KEYS = '[y] it matches · [n] it differs · [l]ater';
const GRACE: readonly ContactSeed[] = [{ name: 'Grace', verification: 'unverified', path: 'lan' }];

/** The rows of the text code on screen, starting at the row that holds "pvt1", joined. */
function codeOnScreen(screen: string): string {
  const lines = screen.split('\n');
  const first = lines.findIndex((l) => l.includes('pvt1'));
  const col = lines[first]!.indexOf('pvt1');
  let code = '';
  for (let i = first; i < lines.length; i++) {
    const part = /^[a-z0-9]+/u.exec(lines[i]!.slice(col))?.[0];
    if (!part) break;
    code += part;
  }
  return code;
}

describe('/invite', () => {
  test('shows a QR code that decodes to the invite, the text code and the countdown; Esc closes', async () => {
    const api = new ContactsPvt();
    tui = await open(api, { columns: 100, rows: 32 });
    await tui.type('/invite\r');
    const s = await tui.waitFor('waiting for someone to join… (expires in 2');
    expect(api.calls.invite).toEqual([{ expiresInMs: 24 * 3_600_000 }]);
    expect(s).toMatch(/expires in 2[34]h \d\dm\)/);
    expect(decodeQrFromScreen(s)).toBe(SAMPLE_CODE.toUpperCase());
    expect(codeOnScreen(s)).toBe(SAMPLE_CODE);
    expect(s).toContain('Esc closes · the invite stays valid');
    expect(liveLines(s).length).toBeLessThanOrEqual(32);
    expect(widestLine(s)).toBeLessThanOrEqual(100);

    await tui.press('escape');
    await tui.waitFor((x) => x.includes('Write a note to yourself') && !x.includes('pvt1'));
    await tui.type('/invite 30m\r');
    await tui.waitFor(/expires in (29m|30m 00s)/);
    expect(api.calls.invite[1]).toEqual({ expiresInMs: 30 * 60_000 });
  });

  test('a tall, narrow terminal puts the text under the QR code', async () => {
    tui = await open(new ContactsPvt(), { columns: 60, rows: 40 });
    await tui.type('/invite\r');
    const s = await tui.waitFor('waiting for someone to join');
    expect(decodeQrFromScreen(s)).toBe(SAMPLE_CODE.toUpperCase());
    expect(codeOnScreen(s)).toBe(SAMPLE_CODE);
    expect(widestLine(s)).toBeLessThanOrEqual(60);
  });

  test('the invite QR code fits and decodes at 80×24; a smaller terminal says how big it must be', async () => {
    tui = await open(new ContactsPvt(), { columns: 80, rows: 24 });
    await tui.type('/invite\r');
    const fits = await tui.waitFor('waiting for someone to join');
    expect(decodeQrFromScreen(fits)).toBe(SAMPLE_CODE.toUpperCase());
    expect(codeOnScreen(fits)).toBe(SAMPLE_CODE);
    expect(liveLines(fits).length).toBeLessThanOrEqual(24);

    await tui.resize(64, 18);
    const s = await tui.waitFor(/The QR code needs a terminal of at least \d+×\d+ \(this one is\s+64×18\)/u);
    expect(s).not.toContain('███████');
    expect(codeOnScreen(s)).toBe(SAMPLE_CODE);
    const [, w, h] = /at least (\d+)×(\d+)/u.exec(s)!;
    await tui.resize(Number(w), Number(h));
    const big = await tui.waitFor((x) => x.includes('███████') && x.includes('waiting for someone'));
    expect(decodeQrFromScreen(big)).toBe(SAMPLE_CODE.toUpperCase());
  });

  test('a bad duration is a usage error; a failed invite says why', async () => {
    const api = new ContactsPvt();
    api.createInvite = async () => {
      throw new CodedError('NetworkOffline', 'the network is not running in this pvt');
    };
    tui = await open(api);
    await tui.type('/invite soon\r');
    await tui.waitFor('! /invite takes a duration like 30m, 24h or 7d, not "soon"');
    // The rejected line stays in the composer for correction.
    await tui.press('ctrl+u');
    await tui.type('/invite\r');
    const s = await tui.waitFor('Could not create an invite');
    expect(s).toContain('! the network is not running in this pvt');
    expect(s).not.toContain('Invite someone');
  });

  test('someone joining replaces the invite with the code comparison', async () => {
    const api = new ContactsPvt();
    tui = await open(api);
    await tui.type('/invite\r');
    await tui.waitFor('waiting for someone to join');
    api.addContact({ name: 'Bob' }, '271 828');
    const s = await tui.waitFor('Compare this code with Bob: 271 828');
    expect(s).not.toContain('waiting for someone to join');
  });
});

describe('/join', () => {
  test('progress while it runs, then the code comparison; "as NAME" names the contact', async () => {
    const api = new ContactsPvt();
    let finish: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const defaultJoin = api.joinImpl;
    api.joinImpl = async (code: string, o: JoinOptions | undefined) => {
      await started;
      return defaultJoin(code, o);
    };
    tui = await open(api);
    await tui.type(`/join ${SAMPLE_CODE} as Ivy Inviter\r`);
    await tui.waitFor('joining… dialling the inviter, post-quantum handshake');
    expect(api.calls.join).toEqual([{ code: SAMPLE_CODE, alias: 'Ivy Inviter' }]);
    finish();
    const s = await tui.waitFor('Compare this code with Ivy Inviter: 314 159');
    expect(s).not.toContain('joining…');
  });

  test('a code pasted over several lines still joins', async () => {
    const api = new ContactsPvt();
    tui = await open(api);
    await tui.type(`/join ${SAMPLE_CODE.slice(0, 50)}`);
    await tui.press('ctrl+j');
    await tui.type(`${SAMPLE_CODE.slice(50)}\r`);
    await tui.waitFor('Compare this code with Ivy: 314 159');
    expect(api.calls.join[0]?.code).toBe(`${SAMPLE_CODE.slice(0, 50)} ${SAMPLE_CODE.slice(50)}`);
  });

  test('Esc cancels a join under way', async () => {
    const api = new ContactsPvt();
    let signal: AbortSignal | undefined;
    api.joinImpl = (_code, o) =>
      new Promise((_resolve, reject) => {
        signal = o?.signal;
        o?.signal?.addEventListener('abort', () => reject(new CodedError('JoinInterrupted', 'aborted')));
      });
    tui = await open(api);
    await tui.type(`/join ${SAMPLE_CODE}\r`);
    await tui.waitFor('joining…');
    await tui.press('escape');
    const s = await tui.waitFor('join cancelled');
    expect(signal?.aborted).toBe(true);
    expect(s).not.toContain('Could not join');
    expect(s).toContain('Write a note to yourself');
  });

  test("a join that waits in the inviter's mailbox says so; Esc then only stops waiting", async () => {
    const api = new ContactsPvt();
    api.joinImpl = (_code, o) =>
      new Promise((_resolve, reject) => {
        api.emit({
          type: 'join-pending',
          join: {
            id: 'j1',
            role: 'joiner',
            name: null,
            step: 'waiting-for-inviter',
            sas: null,
            since: 0,
            expiresAt: Date.now() + 60_000,
          },
        });
        o?.signal?.addEventListener('abort', () => reject(new CodedError('JoinInterrupted', 'aborted')));
      });
    tui = await open(api);
    await tui.type(`/join ${SAMPLE_CODE}\r`);
    const s = await tui.waitFor('the inviter is away: your request waits in its mailbox');
    expect(s).toContain('Esc stops waiting');
    expect(s).not.toContain('dialling');
    await tui.press('escape');
    const after = await tui.waitFor('stopped waiting');
    expect(after).not.toContain('join cancelled');
  });

  const failures: [string, string, RegExp][] = [
    [
      'InvalidInviteChecksum',
      'invite code checksum mismatch (mistyped or damaged code)',
      /not a valid invite code \(invite code checksum mismatch.*check it for typos; it starts with pvt1/,
    ],
    [
      'MalformedInvite',
      'malformed invite: too short',
      /not a valid invite code \(malformed invite: too short\)/,
    ],
    [
      'InviteExpired',
      'invite expired at 2026-01-01T00:00:00.000Z',
      /this invite has expired .*ask for a new one/,
    ],
    [
      'InviteAlreadyUsed',
      'this invite was already used (each invite works once): ask for a new one',
      /this invite was already used \(each invite works once\): ask for a new one/,
    ],
    [
      'InviterUnreachable',
      'could not reach the inviter at any of its 2 address(es): is pvt running there?',
      /could not reach the inviter .* the inviter must have pvt running/,
    ],
  ];
  test.each(failures)('%s is said plainly, and Esc closes it', async (code, message, shown) => {
    const api = new ContactsPvt();
    api.joinImpl = async () => {
      throw new CodedError(code, message);
    };
    tui = await open(api);
    await tui.type('/join pvt1whatever\r');
    const s = await tui.waitFor('Could not join');
    expect(s.replace(/\s+/gu, ' ')).toMatch(shown);
    expect(s).toContain('Nothing was added. /join CODE tries again.');
    await tui.press('escape');
    await tui.waitFor((x) => !x.includes('Could not join'));
  });

  test('/join without a code is a usage error', async () => {
    tui = await open(new ContactsPvt());
    await tui.type('/join\r');
    await tui.waitFor('! missing the invite code — usage: /join CODE [as NAME]');
  });
});

describe('code comparison (SAS)', () => {
  test('keys are ignored until the prompt is armed; y verifies (✓ in the pane)', async () => {
    const api = new ContactsPvt();
    tui = await open(api);
    api.addContact({ name: 'Grace' }, '123 456');
    let s = await tui.waitFor('Compare this code with Grace: 123 456');
    expect(s).not.toContain(SAS_KEYS);
    await tui.type('y');
    await sleep(50);
    expect(api.calls.verify).toEqual([]);
    s = await tui.waitFor(SAS_KEYS);
    expect(s).toContain('Verify Grace');
    await tui.type('y');
    s = await tui.waitFor('✓ Grace is verified');
    expect(api.calls.verify).toEqual([{ name: 'Grace', decision: 'confirm' }]);
    expect(s).toMatch(/ {2}✓ Grace +LAN|offline/);
    expect(s).not.toContain('Compare this code');
  });

  test('n rejects: ✗ in the pane and an explanation that chat is refused', async () => {
    const api = new ContactsPvt();
    tui = await open(api);
    api.addContact({ name: 'Grace' }, '123 456');
    await tui.waitFor(SAS_KEYS);
    await tui.type('n');
    const s = await tui.waitFor('Grace is not trusted');
    expect(api.calls.verify).toEqual([{ name: 'Grace', decision: 'reject' }]);
    expect(s.replace(/\s+/gu, ' ')).toContain('Chat with Grace is refused');
    expect(s).toContain('/remove Grace');
    await tui.press('escape');
    const after = await tui.waitFor((x) => !x.includes('is not trusted'));
    expect(after).toMatch(/ {2}✗ Grace/);
  });

  test('l (or Esc) asks later; a burst of typing never answers; two joins queue up', async () => {
    const api = new ContactsPvt();
    tui = await open(api);
    api.addContact({ name: 'Grace' }, '111 111');
    api.addContact({ name: 'Heidi' }, '222 222');
    let s = await tui.waitFor(SAS_KEYS);
    expect(s).toContain('Compare this code with Grace: 111 111');
    expect(s).toContain('1 more after this');
    await tui.type('yes no');
    await sleep(30);
    expect(api.calls.verify).toEqual([]);
    await tui.type('l');
    s = await tui.waitFor('Compare this code with Heidi: 222 222');
    await tui.waitFor(SAS_KEYS);
    await tui.press('escape');
    s = await tui.waitFor('compare later: /verify Heidi');
    expect(api.calls.verify).toEqual([]);
    expect(s).toMatch(/ {2}\? Grace/);
    expect(s).toMatch(/ {2}\? Heidi/);
  });

  test('a contact verified elsewhere is not asked about; the join result does not ask twice', async () => {
    const api = new ContactsPvt();
    tui = await open(api);
    await tui.type(`/join ${SAMPLE_CODE}\r`);
    await tui.waitFor(SAS_KEYS);
    await tui.type('y');
    await tui.waitFor('✓ Ivy is verified');
    await sleep(30);
    expect(tui.screen()).not.toContain('Compare this code');
    api.addContact({ name: 'Judy' });
    await tui.waitFor('Compare this code with Judy');
    await api.verifyContact(api.byName('Judy').id, 'confirm');
    await tui.waitFor((x) => !x.includes('Compare this code'));
  });
});

describe('/verify, /rename, /remove, /contacts', () => {
  test('/verify shows the safety number (and its QR code); y confirms an unverified contact', async () => {
    const api = new ContactsPvt(GRACE);
    tui = await open(api, { columns: 100, rows: 32 });
    await tui.type('/verify grace\r');
    let s = await tui.waitFor('Safety number with Grace');
    expect(s).toContain('12345  67890  11111  22222');
    expect(s).toContain('77777  88888  99999  00000');
    expect(s).toContain('[y] they match · [n] they differ');
    expect(decodeQrFromScreen(s)).toBe('123456789011111222223333344444555556666677777888889999900000');
    await tui.type('y');
    s = await tui.waitFor('✓ Grace is verified');
    expect(api.calls.verify).toEqual([{ name: 'Grace', decision: 'confirm' }]);
    expect(s).not.toContain('Safety number with');

    await tui.type('/verify Grace\r');
    s = await tui.waitFor('Grace is verified.');
    expect(s).not.toContain('[y] they match');
    await tui.type('n');
    await sleep(30);
    expect(api.calls.verify).toHaveLength(1);
    await tui.press('escape');
    await tui.waitFor((x) => !x.includes('Safety number with'));

    await tui.type('/verify Nobody\r');
    await tui.waitFor('! cannot verify: no contact named "Nobody"');
  });

  test('/verify at 60×15 shows the digits without the QR code', async () => {
    tui = await open(new ContactsPvt(GRACE), { columns: 60, rows: 15 });
    await tui.type('/verify Grace\r');
    const s = await tui.waitFor('Safety number with Grace');
    expect(s).toMatch(/the QR code needs a terminal of at least \d+×\d+/);
    expect(s).toContain('12345  67890  11111  22222');
    expect(liveLines(s).length).toBeLessThanOrEqual(15);
  });

  test('/rename takes names with spaces; /remove asks y/N first', async () => {
    const api = new ContactsPvt([{ name: 'Grace Hopper' }, { name: 'Bob' }]);
    tui = await open(api);
    await tui.type('/rename Grace Hopper Admiral Grace\r');
    await tui.waitFor('renamed Grace Hopper to Admiral Grace');
    expect(api.calls.rename).toEqual([{ from: 'Grace Hopper', to: 'Admiral Grace' }]);
    await tui.waitFor(/ {2}\? Admiral Gra/);
    await tui.type('/rename Bob\r');
    await tui.waitFor('! missing the new name — usage: /rename OLD NEW');

    await tui.type('/remove bob\r');
    let s = await tui.waitFor('Remove Bob?');
    expect(s).toContain('[y] remove · [n] keep');
    await tui.press('enter');
    await tui.waitFor((x) => !x.includes('Remove Bob?'));
    expect(api.calls.remove).toEqual([]);
    await tui.type('/remove Bob\r');
    await tui.waitFor('Remove Bob?');
    await tui.type('y');
    s = await tui.waitFor('removed Bob');
    expect(api.calls.remove).toEqual(['Bob']);
    expect(s).not.toMatch(/\? Bob/);
    await tui.type('/remove Nobody\r');
    await tui.waitFor('! cannot remove: no contact named "Nobody"');
  });

  test('/contacts lists every contact with its state', async () => {
    const api = new ContactsPvt([
      { name: 'Grace', verification: 'verified', path: 'lan' },
      { name: 'Mallory', verification: 'rejected' },
    ]);
    tui = await open(api);
    await tui.type('/contacts\r');
    const s = await tui.waitFor('Contacts (2)');
    expect(s).toMatch(/✓ Grace +verified +LAN +ABCD-EFGH-JKLM-NPQR · added/);
    expect(s).toMatch(/✗ Mallory +codes differed +offline/);
    await tui.press('escape');
    await tui.waitFor((x) => !x.includes('Contacts (2)'));
  });

  test('/help lists every command and key binding; at 60×15 it scrolls', async () => {
    tui = await open(new ContactsPvt(), { columns: 100, rows: 30 });
    await tui.type('/help\r');
    let s = await tui.waitFor('Esc closes this help');
    for (const c of COMMANDS) expect(s).toContain(c.usage);
    for (const k of KEY_BINDINGS) expect(s).toContain(k.keys);
    await tui.press('escape');
    tui.unmount();

    tui = await open(new ContactsPvt(), { columns: 60, rows: 15 });
    await tui.type('?');
    s = await tui.waitFor('↓ more');
    expect(s).toContain('/invite [24h]');
    expect(s).not.toContain('Ctrl+C');
    expect(liveLines(s).length).toBeLessThanOrEqual(15);
    await tui.press('pageDown', 'pageDown', 'pageDown');
    s = await tui.waitFor('Ctrl+C');
    expect(s).toContain('↑ scrolls');
    expect(s).not.toContain('/invite [24h]');
  });
});

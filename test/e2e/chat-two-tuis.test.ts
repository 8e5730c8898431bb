/**
 * End-to-end: two people, two real `pvt chat` processes side by side in tmux (each its own PVT_HOME,
 * unlocked by a passphrase file, on loopback without mDNS), driven with send-keys and read with
 * capture-pane. Alice types /invite; the QR code on her screen is decoded back from the captured text
 * (half blocks → modules → pixels → jsQR) and must equal the invite; Bob joins with the text code read
 * off her screen; both screens show the same SAS and both confirm (✓ in the contacts pane); Bob writes
 * to Alice, Alice sees it and answers, Bob sees the answer and his message delivered (✓✓).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { TEST_NETWORK_FLAGS } from '../daemon/helpers.ts';
import { PVT_BIN, runPvt, tempHome } from '../helpers/cli.ts';
import { decodeQrFromScreen } from '../helpers/qr-decode.ts';
import { TmuxSession, tmuxAvailable } from '../helpers/tmux.ts';

const hasTmux = tmuxAvailable();
if (!hasTmux) console.log('skip: tmux is not installed (.ci/run installs it)');

const alice = tempHome('alice passphrase 1');
const bob = tempHome('bob passphrase 22');
const sessions: TmuxSession[] = [];
afterAll(() => {
  for (const s of sessions) s.kill();
  alice.cleanup();
  bob.cleanup();
});

const SAS_KEYS = '[y] it matches · [n] it differs · [l]ater';

function startChat(home: ReturnType<typeof tempHome>): TmuxSession {
  const s = new TmuxSession(`${process.execPath} ${PVT_BIN} chat ${TEST_NETWORK_FLAGS.join(' ')}`, {
    width: 100,
    height: 32,
    env: { ...home.env, TERM: 'xterm-256color' },
  });
  sessions.push(s);
  return s;
}

/** The text code on screen: the rows from the one holding "pvt1" down, at its column, joined. */
function codeOnScreen(screen: string): string {
  const lines = screen.split('\n');
  const first = lines.findIndex((l) => l.includes('pvt1'));
  if (first === -1) throw new Error(`no invite code on screen:\n${screen}`);
  const col = lines[first]!.indexOf('pvt1');
  let code = '';
  for (const line of lines.slice(first)) {
    const part = /^[a-z0-9]+/u.exec(line.slice(col))?.[0];
    if (!part) break;
    code += part;
  }
  return code;
}

function sasOf(screen: string, peer: string): string {
  const m = new RegExp(`Compare this code with ${peer}: (\\d{3} \\d{3})`, 'u').exec(screen);
  if (!m) throw new Error(`no SAS for ${peer} on screen:\n${screen}`);
  return m[1]!;
}

describe.skipIf(!hasTmux)('two pvt chat TUIs in tmux', () => {
  test('invite (QR decodes) → join → same SAS → both confirm → chat both ways, delivered', async () => {
    const started = Date.now();
    const inits = await Promise.all([
      runPvt(['init', '--name', 'Alice'], { env: alice.env }),
      runPvt(['init', '--name', 'Bob'], { env: bob.env }),
    ]);
    for (const r of inits) expect(r.code, r.stderr).toBe(0);

    const a = startChat(alice);
    const b = startChat(bob);
    await a.waitFor('Alice · ', 20_000);
    await b.waitFor('Bob · ', 20_000);
    await a.waitFor('no contacts yet');
    await b.waitFor('no contacts yet');

    // Alice invites: the QR code on her screen must scan to the invite's upper-case form.
    a.typeLine('/invite');
    const invite = await a.waitFor(/waiting for someone to join… \(expires in 2[34]h/);
    const code = codeOnScreen(invite);
    expect(code).toMatch(/^pvt1[02-9ac-hj-np-z]+$/u);
    // With colour the glyphs are the dark modules (black on bright white).
    expect(decodeQrFromScreen(invite, 'dark')).toBe(code.toUpperCase());

    // Bob joins with the text code he reads off Alice's screen.
    b.typeLine(`/join ${code}`);
    const bobSas = sasOf(await b.waitFor('Compare this code with Alice:'), 'Alice');
    const aliceSas = sasOf(await a.waitFor('Compare this code with Bob:'), 'Bob');
    expect(bobSas).toBe(aliceSas);

    // Both read the code aloud, it matches, both press y (once the prompt accepts answers).
    await a.waitFor(SAS_KEYS);
    await b.waitFor(SAS_KEYS);
    a.type('y');
    b.type('y');
    expect(await a.waitFor('✓ Bob is verified')).toMatch(/ {2}✓ Bob +(LAN|direct) /u);
    expect(await b.waitFor('✓ Alice is verified')).toMatch(/ {2}✓ Alice +(LAN|direct) /u);

    // Bob opens Alice's conversation and writes.
    b.keys('Tab');
    await b.waitFor('Message Alice · Enter sends');
    b.typeLine('hello Alice, Bob here');
    // Alice sees it arrive as unread, opens the conversation, reads it and answers.
    await a.waitFor(/✓ Bob +1 (LAN|direct)/u);
    a.keys('Tab');
    await a.waitFor(/\d\d:\d\d» hello Alice, Bob here/u);
    a.typeLine('hi Bob, loud and clear');
    const bobScreen = await b.waitFor(/\d\d:\d\d» hi Bob, loud and clear/u);
    expect(bobScreen).toMatch(/hello Alice, Bob here ✓✓/u);
    await a.waitFor('hi Bob, loud and clear ✓✓');
    expect(bobScreen.indexOf('hello Alice, Bob here')).toBeLessThan(bobScreen.indexOf('» hi Bob'));

    a.typeLine('/quit');
    b.keys('C-c');
    await a.waitFor('[exited 0]');
    await b.waitFor('[exited 0]');
    console.log(`two TUIs: invite → join → verify → chat in ${Date.now() - started} ms`);
  }, 60_000);
});

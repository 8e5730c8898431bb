/**
 * The pure parts of the contact commands and panels: parsing /invite, /join, /verify, /rename, /remove
 * (names with spaces, quotes, a code pasted over lines), the key table for conversation switching,
 * and the overlay reducer (one SAS prompt per contact, prompts dropped when the contact is verified
 * elsewhere or removed, results for a closed panel dropped, which keys answer what).
 */
import { describe, expect, test } from 'vitest';
import type { ContactView } from '../../src/app/api.ts';
import { parseSubmission, splitRename } from '../../src/ui/commands.ts';
import { commandsFor, plainKey } from '../../src/ui/keys.ts';
import { initialOverlay, overlayIntent, reduceOverlay, visibleOverlay } from '../../src/ui/state/overlay.ts';

const contact = (name: string, verification: ContactView['verification'] = 'unverified'): ContactView => ({
  id: `id-${name}`,
  name,
  displayName: name,
  fingerprint: 'AAAA-BBBB-CCCC-DDDD',
  verification,
  path: 'offline',
  conversationId: `id-${name}`,
  addedAt: 0,
  lastSeenAt: null,
});

describe('slash commands', () => {
  test('/invite takes an optional duration (24 h by default)', () => {
    expect(parseSubmission('/invite')).toEqual({ kind: 'invite', expiresInMs: 86_400_000 });
    expect(parseSubmission('/invite 30m')).toEqual({ kind: 'invite', expiresInMs: 1_800_000 });
    expect(parseSubmission('/INVITE 7d')).toEqual({ kind: 'invite', expiresInMs: 7 * 86_400_000 });
    expect(parseSubmission('/invite tomorrow')).toEqual({
      kind: 'usage',
      message: '/invite takes a duration like 30m, 24h or 7d, not "tomorrow"',
    });
  });

  test('/join CODE [as NAME]: spaces and line breaks inside the code are kept as spaces', () => {
    expect(parseSubmission('/join pvt1abc')).toEqual({ kind: 'join', code: 'pvt1abc', alias: null });
    expect(parseSubmission('/join pvt1abc as Grace Hopper')).toEqual({
      kind: 'join',
      code: 'pvt1abc',
      alias: 'Grace Hopper',
    });
    expect(parseSubmission('/join pvt1ab\ncd  ef as "Ada"')).toEqual({
      kind: 'join',
      code: 'pvt1ab cd ef',
      alias: 'Ada',
    });
    expect(parseSubmission('/join')).toMatchObject({ kind: 'usage' });
    expect(parseSubmission('/join as Bob')).toMatchObject({ kind: 'usage' });
  });

  test('/nat shows; /nat on|off (any case) sets; anything else is a usage message', () => {
    expect(parseSubmission('/nat')).toEqual({ kind: 'nat', set: null });
    expect(parseSubmission('/nat ON')).toEqual({ kind: 'nat', set: true });
    expect(parseSubmission('/nat off ')).toEqual({ kind: 'nat', set: false });
    expect(parseSubmission('/nat later')).toEqual({
      kind: 'usage',
      message: '"later" is neither on nor off — usage: /nat [on|off]',
    });
  });

  test('/relay on|off (any case) sets; no or another argument is a usage message', () => {
    expect(parseSubmission('/relay ON')).toEqual({ kind: 'relay', set: true });
    expect(parseSubmission('/relay off ')).toEqual({ kind: 'relay', set: false });
    expect(parseSubmission('/relay')).toEqual({
      kind: 'usage',
      message: 'say on or off — usage: /relay on|off',
    });
    expect(parseSubmission('/relay later')).toEqual({
      kind: 'usage',
      message: '"later" is neither on nor off — usage: /relay on|off',
    });
  });

  test('/mailbox lists; /mailbox add N (1–9) adds the N-th; anything else is a usage message', () => {
    expect(parseSubmission('/mailbox')).toEqual({ kind: 'mailbox', add: null });
    expect(parseSubmission('/mailboxes ')).toEqual({ kind: 'mailbox', add: null });
    expect(parseSubmission('/mailbox ADD 2')).toEqual({ kind: 'mailbox', add: 2 });
    for (const bad of ['/mailbox add', '/mailbox add 0', '/mailbox add 10', '/mailbox add 1 2']) {
      expect(parseSubmission(bad)).toEqual({
        kind: 'usage',
        message: 'say which suggestion (1–9) — usage: /mailbox [add N]',
      });
    }
    expect(parseSubmission('/mailbox remove')).toEqual({
      kind: 'usage',
      message: 'unknown "remove" — usage: /mailbox [add N]',
    });
  });

  test('/verify, /remove take the rest of the line as the name; /contacts; unknown stays unknown', () => {
    expect(parseSubmission('/verify Grace Hopper')).toEqual({ kind: 'verify', name: 'Grace Hopper' });
    expect(parseSubmission('/remove "Ada (2)"')).toEqual({ kind: 'remove', name: 'Ada (2)' });
    expect(parseSubmission('/verify')).toEqual({
      kind: 'usage',
      message: 'missing the contact name — usage: /verify NAME',
    });
    expect(parseSubmission('/contacts')).toEqual({ kind: 'contacts' });
    expect(parseSubmission('/rename a b')).toEqual({ kind: 'rename', args: 'a b' });
    expect(parseSubmission('/verify x\ny')).toEqual({ kind: 'text', text: '/verify x\ny' });
  });

  test('/rename splits OLD and NEW by the known names, quotes, or the first word', () => {
    const names = ['Grace', 'Grace Hopper', 'Bob'];
    expect(splitRename('Grace Hopper Admiral', names)).toEqual({
      oldName: 'Grace Hopper',
      newName: 'Admiral',
    });
    expect(splitRename('grace G', names)).toEqual({ oldName: 'Grace', newName: 'G' });
    expect(splitRename('"Ada (2)" Ada', names)).toEqual({ oldName: 'Ada (2)', newName: 'Ada' });
    expect(splitRename('Carol Carol Two', names)).toEqual({ oldName: 'Carol', newName: 'Carol Two' });
    expect(splitRename('Bob', names)).toEqual({ message: 'missing the new name — usage: /rename OLD NEW' });
  });

  test('Tab / Shift+Tab / Alt+↑↓ are conversation keys; plain arrows stay editor keys', () => {
    expect(commandsFor('', plainKey({ tab: true }))).toEqual([{ type: 'tab' }]);
    expect(commandsFor('', plainKey({ tab: true, shift: true }))).toEqual([{ type: 'backtab' }]);
    expect(commandsFor('', plainKey({ upArrow: true, meta: true }))).toEqual([{ type: 'prevConversation' }]);
    expect(commandsFor('', plainKey({ downArrow: true, meta: true }))).toEqual([
      { type: 'nextConversation' },
    ]);
    expect(commandsFor('', plainKey({ upArrow: true }))).toEqual([{ type: 'up' }]);
  });
});

describe('overlay state', () => {
  test('one prompt per contact, queued in order; the invite panel gives way', () => {
    let s = reduceOverlay(initialOverlay, {
      type: 'open',
      panel: { kind: 'invite', invite: { code: 'pvt1x', qrText: 'PVT1X', expiresAt: 0 } },
    });
    s = reduceOverlay(s, { type: 'contact-added', contact: contact('Grace'), sas: '111 111' });
    s = reduceOverlay(s, { type: 'contact-added', contact: contact('Grace'), sas: '111 111' });
    s = reduceOverlay(s, { type: 'contact-added', contact: contact('Heidi'), sas: '222 222' });
    expect(s.panel).toBeNull();
    expect(s.sas.map((p) => p.contact.name)).toEqual(['Grace', 'Heidi']);
    expect(visibleOverlay(s)).toMatchObject({ kind: 'sas', prompt: { sas: '111 111' } });

    s = reduceOverlay(s, { type: 'sas-answered', id: 'id-Grace' });
    s = reduceOverlay(s, { type: 'contact-added', contact: contact('Grace'), sas: '111 111' });
    expect(s.sas.map((p) => p.contact.name)).toEqual(['Heidi']);
    s = reduceOverlay(s, { type: 'contact-changed', contact: contact('Heidi', 'verified') });
    expect(s.sas).toEqual([]);
    s = reduceOverlay(s, { type: 'contact-added', contact: contact('Ivan', 'verified'), sas: '333 333' });
    expect(s.sas).toEqual([]);
    s = reduceOverlay(s, { type: 'contact-added', contact: contact('Judy'), sas: '444 444' });
    s = reduceOverlay(s, { type: 'contact-removed', id: 'id-Judy' });
    expect(visibleOverlay(s)).toBeNull();
  });

  test('a result for a panel the user closed is dropped', () => {
    let s = reduceOverlay(initialOverlay, { type: 'open', panel: { kind: 'invite-creating' } });
    s = reduceOverlay(s, { type: 'close' });
    s = reduceOverlay(s, {
      type: 'replace',
      kind: 'invite-creating',
      panel: { kind: 'invite', invite: { code: 'pvt1x', qrText: 'PVT1X', expiresAt: 0 } },
    });
    expect(s.panel).toBeNull();
  });

  test('keys: single letters answer once armed; bursts never; Esc is always "later"', () => {
    const sas = { kind: 'sas' as const, prompt: { contact: contact('Grace'), sas: '123 456' } };
    const y = commandsFor('y', plainKey());
    expect(overlayIntent(sas, 'y', y, false)).toEqual({ type: 'none' });
    expect(overlayIntent(sas, 'y', y, true)).toEqual({ type: 'sas', decision: 'confirm' });
    expect(overlayIntent(sas, 'N', commandsFor('N', plainKey()), true)).toEqual({
      type: 'sas',
      decision: 'reject',
    });
    expect(overlayIntent(sas, 'yes', commandsFor('yes', plainKey()), true)).toEqual({ type: 'none' });
    expect(overlayIntent(sas, 'y\r', commandsFor('y\r', plainKey()), true)).toEqual({ type: 'none' });
    const esc = commandsFor('', plainKey({ escape: true }));
    expect(overlayIntent(sas, '', esc, false)).toEqual({ type: 'sas', decision: 'later' });
    const remove = { kind: 'confirm-remove' as const, name: 'Grace' };
    expect(overlayIntent(remove, '', commandsFor('\r', plainKey({ return: true })), true)).toEqual({
      type: 'close',
    });
    expect(overlayIntent(remove, 'y', y, true)).toEqual({ type: 'remove' });
    const verified = { kind: 'safety' as const, contact: contact('Grace', 'verified'), number: '1' };
    expect(overlayIntent(verified, 'n', commandsFor('n', plainKey()), true)).toEqual({ type: 'none' });
  });
});

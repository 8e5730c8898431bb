/**
 * First run: display name, key protection, passphrase twice with a strength hint, creation, main screen.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createMemoryLauncher } from '../helpers/memory-api.ts';
import { renderApp, type Tui } from './harness.tsx';

const PASS = 'correct horse battery staple';
let tui: Tui | undefined;
afterEach(() => {
  tui?.unmount();
  tui = undefined;
});

describe('onboarding', () => {
  test('name, passphrase mismatch, too-short refused, then success opens the main screen', async () => {
    const launcher = createMemoryLauncher({ state: 'absent', keychainAvailable: false, createDelayMs: 50 });
    tui = renderApp(launcher);
    await tui.waitFor('Your display name:');

    await tui.press('enter');
    await tui.waitFor('enter a name');

    await tui.type('  Ada Tester  ');
    await tui.press('enter');
    await tui.waitFor('Choose a passphrase:');
    expect(tui.screen()).toContain('No OS keychain answered');

    await tui.type('short');
    expect(tui.screen()).toContain('*****');
    expect(tui.screen()).not.toContain('› short');
    expect(tui.screen()).toContain('(3 more)');
    await tui.press('enter');
    await tui.waitFor('too short: at least 8 characters');
    expect(tui.screen()).toContain('Choose a passphrase:');

    await tui.type('password');
    await tui.waitFor('strength: weak');
    await tui.press('ctrl+u');
    await tui.type(PASS);
    await tui.waitFor('strength: strong');
    await tui.press('enter');
    await tui.waitFor('Repeat the passphrase:');

    await tui.type('something else entirely');
    await tui.press('enter');
    await tui.waitFor('the passphrases do not match');
    expect(tui.screen()).toContain('Choose a passphrase:');

    await tui.type(PASS);
    await tui.press('enter');
    await tui.type(PASS);
    await tui.press('enter');
    await tui.waitFor('Creating your identity…');
    await tui.waitFor('Ada Tester · 3KQ7-9XWA');
    expect(tui.screen()).toContain('Note to self');
    expect(launcher.calls.create).toEqual([
      { displayName: 'Ada Tester', protection: { kind: 'passphrase', passphrase: PASS } },
    ]);
  });

  test('a whole flow sent as one burst walks through every step', async () => {
    const launcher = createMemoryLauncher({ state: 'absent', keychainAvailable: false });
    tui = renderApp(launcher);
    await tui.waitFor('Your display name:');
    await tui.type(`Ada\r${PASS}\r${PASS}\r`);
    await tui.waitFor('Ada · 3KQ7-9XWA');
    expect(launcher.calls.create[0]?.protection).toEqual({ kind: 'passphrase', passphrase: PASS });
  });

  test('offers the OS keychain first when it answers, passphrase as the alternative', async () => {
    const launcher = createMemoryLauncher({ state: 'absent', keychainAvailable: true });
    tui = renderApp(launcher);
    await tui.waitFor('Your display name:');
    await tui.type('Ada\r');
    const s = await tui.waitFor('How should pvt protect your keys?');
    expect(s).toMatch(/> 1 OS keychain \(recommended\)/);
    expect(s).toMatch(/ {2}2 Passphrase/);
    await tui.press('down');
    await tui.waitFor(/> 2 Passphrase/);
    await tui.press('up', 'enter');
    await tui.waitFor('Ada · 3KQ7-9XWA');
    expect(launcher.calls.create[0]?.protection).toEqual({ kind: 'keychain' });
  });

  test('Esc goes back a step; a name over 64 characters is refused', async () => {
    const launcher = createMemoryLauncher({ state: 'absent', keychainAvailable: false });
    tui = renderApp(launcher);
    await tui.waitFor('Your display name:');
    await tui.type(`${'x'.repeat(65)}\r`);
    await tui.waitFor('too long: at most 64 characters');
    await tui.press('ctrl+u');
    await tui.type('Grace\r');
    await tui.waitFor('Choose a passphrase:');
    await tui.press('escape');
    await tui.waitFor('Your display name:');
    expect(tui.screen()).toContain('Grace');
  });
});

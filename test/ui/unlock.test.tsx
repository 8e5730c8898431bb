/**
 * Later runs: the masked passphrase prompt, wrong then right, --passphrase-file first, keychain without
 * a prompt, other failures shown as they are.
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

class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = code;
  }
}

describe('unlock', () => {
  test('a wrong passphrase says so and lets the user retry; the right one opens the main screen', async () => {
    const launcher = createMemoryLauncher({ state: 'passphrase', passphrase: PASS, openDelayMs: 20 });
    tui = renderApp(launcher);
    await tui.waitFor('Passphrase:');
    await tui.type('not it');
    expect(tui.screen()).toContain('******');
    expect(tui.screen()).not.toContain('not it');
    await tui.press('enter');
    await tui.waitFor('Unlocking…');
    await tui.waitFor('wrong passphrase');
    expect(tui.screen()).toContain('Passphrase:');
    await tui.type(`${PASS}\r`);
    await tui.waitFor('Ada Tester · 3KQ7-9XWA');
    expect(launcher.calls.open.map((o) => o.passphrase)).toEqual(['not it', PASS]);
  });

  test('the passphrase from --passphrase-file is tried first', async () => {
    const launcher = createMemoryLauncher({ state: 'passphrase', passphrase: PASS });
    tui = renderApp(launcher, { initialPassphrase: PASS });
    await tui.waitFor('Ada Tester · 3KQ7-9XWA');
    expect(launcher.calls.open).toEqual([{ passphrase: PASS }]);
  });

  test('a wrong passphrase file falls back to the prompt', async () => {
    const launcher = createMemoryLauncher({ state: 'passphrase', passphrase: PASS });
    tui = renderApp(launcher, { initialPassphrase: 'stale' });
    await tui.waitFor('wrong passphrase');
    await tui.type(`${PASS}\r`);
    await tui.waitFor('Ada Tester · 3KQ7-9XWA');
  });

  test('a keychain profile opens without a prompt', async () => {
    const launcher = createMemoryLauncher({ state: 'keychain' });
    tui = renderApp(launcher);
    await tui.waitFor('Ada Tester · 3KQ7-9XWA');
    expect(launcher.calls.open).toEqual([{ passphrase: undefined }]);
  });

  test('other failures are shown as they are, and Enter tries again', async () => {
    const launcher = createMemoryLauncher({
      state: 'keychain',
      openError: new CodedError('ProfileInUse', 'profile in use by pid 4242'),
    });
    tui = renderApp(launcher);
    await tui.waitFor('could not open the profile: profile in use by pid 4242');
    await tui.press('enter');
    await tui.waitFor(() => launcher.calls.open.length === 2);
  });

  test('the store’s own WrongPassphrase error shape is recognised too', async () => {
    const launcher = createMemoryLauncher({
      state: 'passphrase',
      passphrase: PASS,
      openError: new CodedError('WrongPassphrase', 'wrong passphrase'),
    });
    tui = renderApp(launcher);
    await tui.waitFor('Passphrase:');
    await tui.type('whatever\r');
    await tui.waitFor('wrong passphrase: try again');
  });
});

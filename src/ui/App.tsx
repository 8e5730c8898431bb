/**
 * The root component: asks the launcher what exists, shows onboarding (first run), the unlock prompt
 * or the main screen, quits on Ctrl+C from any screen, and ends the Ink app (with an error for a fatal
 * failure, which runTui prints). Owns no PvtApi lifetime: runTui closes whatever the launcher opened.
 */
import { Text, useApp, useInput } from 'ink';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import type { KeyProtection, ProfileLauncher, PvtApi, ThemeName } from '../app/api.ts';
import { describeError } from './errors.ts';
import { sanitizeLine } from './format/text.ts';
import type { WheelEvents } from './mouse-wheel.ts';
import { Main } from './screens/Main.tsx';
import { Onboarding } from './screens/Onboarding.tsx';
import { Unlock } from './screens/Unlock.tsx';
import { createTheme, ThemeContext } from './theme.ts';

type Phase =
  | { readonly kind: 'inspecting' }
  | { readonly kind: 'onboarding' }
  | { readonly kind: 'unlock'; readonly keyProtection: KeyProtection }
  | { readonly kind: 'main'; readonly api: PvtApi }
  | { readonly kind: 'quitting'; readonly error: Error | null };

export interface AppProps {
  readonly launcher: ProfileLauncher;
  readonly color: boolean;
  readonly bell: boolean;
  readonly initialPassphrase?: string | undefined;
  /** Mouse wheel notches taken out of stdin by runTui (absent in tests that render the App alone). */
  readonly wheel?: WheelEvents | undefined;
}

export function App(props: AppProps) {
  const { launcher } = props;
  const { exit } = useApp();
  const [phase, setPhase] = useState<Phase>({ kind: 'inspecting' });
  // The profile's theme setting (dark, light, no-colour) once it is open; --no-color / NO_COLOR win.
  const [themeName, setThemeName] = useState<ThemeName>('dark');
  const theme = useMemo(
    () => createTheme(props.color && themeName !== 'no-colour', themeName === 'light' ? 'light' : 'dark'),
    [props.color, themeName],
  );

  const quit = useCallback(() => setPhase({ kind: 'quitting', error: null }), []);
  const fail = useCallback(
    (message: string) => setPhase({ kind: 'quitting', error: new Error(message) }),
    [],
  );
  const opened = useCallback((api: PvtApi) => setPhase({ kind: 'main', api }), []);

  useEffect(() => {
    let alive = true;
    launcher.inspect().then(
      (s) => {
        if (!alive) return;
        setPhase(
          s.state === 'absent' ? { kind: 'onboarding' } : { kind: 'unlock', keyProtection: s.keyProtection },
        );
      },
      (error: unknown) => alive && fail(`could not read the profile: ${describeError(error)}`),
    );
    return () => {
      alive = false;
    };
  }, [launcher, fail]);

  // Quitting renders nothing first, so the live frame is gone from the screen when Ink lets go of it.
  useEffect(() => {
    if (phase.kind !== 'quitting') return;
    if (phase.error) exit(phase.error);
    else exit();
  }, [phase, exit]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') quit();
  });

  let screen: ReactNode = null;
  switch (phase.kind) {
    case 'inspecting':
      screen = <Text>{` Opening profile "${sanitizeLine(launcher.profile)}"…`}</Text>;
      break;
    case 'onboarding':
      screen = <Onboarding launcher={launcher} onOpened={opened} onQuit={quit} />;
      break;
    case 'unlock':
      screen = (
        <Unlock
          launcher={launcher}
          keyProtection={phase.keyProtection}
          initialPassphrase={props.initialPassphrase}
          onOpened={opened}
          onQuit={quit}
        />
      );
      break;
    case 'main':
      screen = (
        <Main
          api={phase.api}
          bell={props.bell}
          onQuit={quit}
          onFatal={fail}
          onTheme={setThemeName}
          wheel={props.wheel}
        />
      );
      break;
    case 'quitting':
      break;
  }
  return <ThemeContext.Provider value={theme}>{screen}</ThemeContext.Provider>;
}

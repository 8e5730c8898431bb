/**
 * The unlock screen container: asks for the passphrase (masked), tries `launcher.open`, says "wrong
 * passphrase" and lets the user try again; other failures are shown as they are. Keychain profiles and
 * --passphrase-file open without typing (a failure then shows here). Talks to the ProfileLauncher only.
 */
import { Box, Text, useInput, usePaste } from 'ink';
import { type ReactNode, useEffect, useMemo, useReducer, useRef } from 'react';
import type { KeyProtection, ProfileLauncher, PvtApi } from '../../app/api.ts';
import { Spinner } from '../components/Spinner.tsx';
import { TextField } from '../components/TextField.tsx';
import { TooSmall } from '../components/TooSmall.tsx';
import { describeError, isWrongPassphrase } from '../errors.ts';
import { sanitizeLine } from '../format/text.ts';
import { useLayout } from '../hooks/useLayout.ts';
import { commandsFor } from '../keys.ts';
import { initialUnlock, reduceUnlock } from '../state/unlock.ts';
import { useTheme } from '../theme.ts';

export interface UnlockProps {
  readonly launcher: ProfileLauncher;
  readonly keyProtection: KeyProtection;
  readonly initialPassphrase?: string | undefined;
  readonly onOpened: (api: PvtApi) => void;
  readonly onQuit: () => void;
}

const FIELD_MAX_WIDTH = 72;

export function Unlock(props: UnlockProps) {
  const { launcher, onOpened, onQuit } = props;
  const theme = useTheme();
  const layout = useLayout();
  const keychain = props.keyProtection === 'keychain';
  const reducer = useMemo(() => reduceUnlock(keychain), [keychain]);
  const [state, dispatch] = useReducer(
    reducer,
    { keychain, initialPassphrase: props.initialPassphrase },
    initialUnlock,
  );

  const onOpenedRef = useRef(onOpened);
  onOpenedRef.current = onOpened;
  const { request } = state;
  useEffect(() => {
    if (request === null) return;
    let alive = true;
    launcher.open(request).then(
      // If the screen is gone (the user quit meanwhile), runTui closes the API.
      (api) => alive && onOpenedRef.current(api),
      (error: unknown) => {
        if (!alive) return;
        const message = isWrongPassphrase(error)
          ? 'wrong passphrase: try again'
          : `could not open the profile: ${describeError(error)}`;
        dispatch({ type: 'failed', message });
      },
    );
    return () => {
      alive = false;
    };
  }, [launcher, request]);

  useEffect(() => {
    if (state.quit) onQuit();
  }, [state.quit, onQuit]);

  useInput((input, key) => dispatch({ type: 'commands', commands: commandsFor(input, key) }));
  usePaste((text) => dispatch({ type: 'commands', commands: [{ type: 'insert', text }] }));

  if (layout.tooSmall) return <TooSmall columns={layout.columns} rows={layout.rows} />;
  const width = Math.min(FIELD_MAX_WIDTH, layout.columns - 2);
  let body: ReactNode;
  if (state.request !== null)
    body = <Spinner label={keychain ? 'Unlocking with the OS keychain…' : 'Unlocking…'} />;
  else if (keychain) body = <Text>Press Enter to try the OS keychain again.</Text>;
  else body = <TextField label="Passphrase:" editor={state.editor} width={width} masked />;
  return (
    <Box flexDirection="column" paddingLeft={1} width={layout.columns}>
      <Text>
        <Text {...theme.title}>pvt</Text>
        <Text {...theme.muted}>{` · unlock profile "${sanitizeLine(launcher.profile)}"`}</Text>
      </Text>
      <Text> </Text>
      {body}
      <Text> </Text>
      {state.error ? <Text {...theme.error}>{state.error}</Text> : null}
      <Text {...theme.muted}>{state.request !== null ? 'Ctrl+C quits' : 'Enter unlocks · Ctrl+C quits'}</Text>
    </Box>
  );
}

/**
 * The first-run screen container: runs the onboarding reducer from key input, probes the OS keychain in
 * the background, calls `launcher.create` when the flow reaches "creating", and hands the opened PvtApi
 * to the app. Talks to the ProfileLauncher only.
 */
import { Box, Text, useInput, usePaste } from 'ink';
import { useEffect, useReducer, useRef } from 'react';
import type { ProfileLauncher, PvtApi } from '../../app/api.ts';
import { type Choice, ChoiceList } from '../components/ChoiceList.tsx';
import { Spinner } from '../components/Spinner.tsx';
import { TextField } from '../components/TextField.tsx';
import { TooSmall } from '../components/TooSmall.tsx';
import { describeError, errorCode } from '../errors.ts';
import { estimateStrength, MIN_PASSPHRASE_CHARS } from '../format/strength.ts';
import { sanitizeLine } from '../format/text.ts';
import { useLayout } from '../hooks/useLayout.ts';
import { commandsFor } from '../keys.ts';
import {
  initialOnboarding,
  MAX_NAME_CHARS,
  type OnboardingState,
  type ProtectionKind,
  reduceOnboarding,
} from '../state/onboarding.ts';
import { useTheme } from '../theme.ts';

export interface OnboardingProps {
  readonly launcher: ProfileLauncher;
  readonly onOpened: (api: PvtApi) => void;
  readonly onQuit: () => void;
}

const FIELD_MAX_WIDTH = 72;

const PROTECTION_CHOICES: readonly Choice<ProtectionKind>[] = [
  {
    key: 'keychain',
    label: 'OS keychain (recommended)',
    detail: 'opens without a prompt while you are logged in',
  },
  { key: 'passphrase', label: 'Passphrase', detail: 'asked each time pvt starts' },
];

function StrengthHint(props: { readonly passphrase: string }) {
  const theme = useTheme();
  if (props.passphrase === '') {
    return (
      <Text {...theme.muted}>
        {`  at least ${MIN_PASSPHRASE_CHARS} characters; a few random words are easy to type and hard to guess`}
      </Text>
    );
  }
  const estimate = estimateStrength(props.passphrase);
  if (estimate.strength === 'too-short') {
    const more = MIN_PASSPHRASE_CHARS - [...props.passphrase].length;
    return <Text {...theme.muted}>{`  at least ${MIN_PASSPHRASE_CHARS} characters (${more} more)`}</Text>;
  }
  const style =
    estimate.strength === 'strong' ? theme.ok : estimate.strength === 'fair' ? theme.pending : theme.error;
  return (
    <Text>
      {'  strength: '}
      <Text {...style}>{estimate.hint}</Text>
    </Text>
  );
}

function StepBody(props: { readonly state: OnboardingState; readonly width: number }) {
  const theme = useTheme();
  const { state, width } = props;
  switch (state.step) {
    case 'name':
      return (
        <>
          <TextField label="Your display name:" editor={state.editor} width={width} />
          <Text
            {...theme.muted}
          >{`  shown to the contacts you invite; up to ${MAX_NAME_CHARS} characters`}</Text>
        </>
      );
    case 'protection':
      if (state.keychain === null) return <Spinner label="Checking the OS keychain…" />;
      return (
        <>
          <Text {...theme.title}>How should pvt protect your keys?</Text>
          <ChoiceList choices={PROTECTION_CHOICES} selected={state.choice} />
        </>
      );
    case 'passphrase':
      return (
        <>
          {state.keychain === false ? (
            <Text {...theme.muted}>
              No OS keychain answered on this machine: a passphrase protects your keys.
            </Text>
          ) : null}
          <TextField label="Choose a passphrase:" editor={state.editor} width={width} masked />
          <StrengthHint passphrase={state.editor.text} />
          <Text {...theme.muted}>{'  it encrypts your keys and cannot be recovered if you forget it'}</Text>
        </>
      );
    case 'confirm':
      return <TextField label="Repeat the passphrase:" editor={state.editor} width={width} masked />;
    case 'creating':
      return <Spinner label="Creating your identity…" />;
  }
}

function footer(state: OnboardingState): string {
  if (state.step === 'creating') return 'Ctrl+C quits';
  if (state.step === 'protection') return '↑/↓ or 1/2 choose · Enter confirms · Esc goes back · Ctrl+C quits';
  if (state.step === 'name') return 'Enter continues · Ctrl+C quits';
  return 'Enter continues · Esc goes back · Ctrl+C quits';
}

export function Onboarding(props: OnboardingProps) {
  const { launcher, onOpened, onQuit } = props;
  const theme = useTheme();
  const layout = useLayout();
  const [state, dispatch] = useReducer(reduceOnboarding, initialOnboarding);

  useEffect(() => {
    let alive = true;
    launcher.keychainAvailable().then(
      (available) => alive && dispatch({ type: 'keychain', available }),
      () => alive && dispatch({ type: 'keychain', available: false }),
    );
    return () => {
      alive = false;
    };
  }, [launcher]);

  const onOpenedRef = useRef(onOpened);
  onOpenedRef.current = onOpened;
  const { request } = state;
  useEffect(() => {
    if (request === null) return;
    let alive = true;
    launcher.create(request).then(
      // If the screen is gone (the user quit meanwhile), runTui closes the API.
      (api) => alive && onOpenedRef.current(api),
      (error: unknown) => {
        if (!alive) return;
        const badName = errorCode(error) === 'InvalidDisplayName';
        dispatch({
          type: 'create-failed',
          message: `could not create the identity: ${describeError(error)}`,
          badName,
        });
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
  return (
    <Box flexDirection="column" paddingLeft={1} width={layout.columns}>
      <Text>
        <Text {...theme.title}>pvt</Text>
        <Text {...theme.muted}>{` · first run · profile "${sanitizeLine(launcher.profile)}"`}</Text>
      </Text>
      <Text> </Text>
      <StepBody state={state} width={width} />
      <Text> </Text>
      {state.error ? <Text {...theme.error}>{state.error}</Text> : null}
      <Text {...theme.muted}>{footer(state)}</Text>
    </Box>
  );
}

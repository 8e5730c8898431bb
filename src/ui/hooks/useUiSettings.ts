/**
 * The profile's UI settings on the main screen: the defaults until `uiSettings()` answers, then the
 * stored ones (the theme handed to the App), and `/set` — list them, or change one through
 * `setUiSetting` with the result in the status line. Knows the PvtApi and the chat reducer; nothing
 * about keys, layout or what the settings do (the bell, the clock and the theme read them).
 */
import { type Dispatch, useEffect, useState } from 'react';
import type { PvtApi, ThemeName, UiSettings } from '../../app/api.ts';
import { DEFAULT_UI_SETTINGS } from '../../app/constants.ts';
import { describeError } from '../errors.ts';
import type { ChatAction } from '../state/chat.ts';

const onOff = (b: boolean): string => (b ? 'on' : 'off');

export function settingsLine(s: UiSettings): string {
  return [
    `bell ${onOff(s.bell)}`,
    `notifications ${onOff(s.notifications)}`,
    `notify-text ${onOff(s.notifyText)}`,
    `theme ${s.theme}`,
    `time ${s.timeFormat}`,
  ].join(' · ');
}

export interface UiSettingsActions {
  readonly settings: UiSettings;
  /**
   * `/set` (key and value null: list) or `/set KEY VALUE`; a rejected value is said in the status line
   * and the line handed to `restore` for correction.
   */
  change(key: string | null, value: string | null, restore: (line: string) => void): void;
}

export function useUiSettings(
  api: PvtApi,
  dispatch: Dispatch<ChatAction>,
  onTheme: ((theme: ThemeName) => void) | undefined,
): UiSettingsActions {
  const [settings, setSettings] = useState<UiSettings>(DEFAULT_UI_SETTINGS);

  useEffect(() => {
    let alive = true;
    api.uiSettings().then(
      (s) => {
        if (!alive) return;
        setSettings(s);
        onTheme?.(s.theme);
      },
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, onTheme]);

  return {
    settings,
    change(key, value, restore) {
      if (key === null || value === null) {
        dispatch({ type: 'notice', message: `${settingsLine(settings)} · /set KEY VALUE` });
        return;
      }
      api.setUiSetting(key, value).then(
        (s) => {
          setSettings(s);
          onTheme?.(s.theme);
          dispatch({ type: 'notice', message: `✓ ${settingsLine(s)}` });
        },
        (error: unknown) => {
          dispatch({ type: 'error', message: describeError(error) });
          restore(`/set ${key} ${value}`);
        },
      );
    },
  };
}

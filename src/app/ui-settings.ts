/**
 * UI settings of a profile in words: the keys `/set` and `pvt config` accept, their values, defaults,
 * and parsing (`bell on`, `theme light`, `time 12h`). Stored sealed through the settings store. Knows
 * nothing about the terminal; the UI decides what a setting does.
 */
import type { UiSettingsStore } from '../store/ui-settings-store.ts';
import type { ThemeName, TimeFormat, UiSettings } from './api.ts';
import { DEFAULT_UI_SETTINGS } from './constants.ts';

/** Each key, the values it takes, and what it does (for help texts). */
export const UI_SETTING_KEYS = {
  bell: { values: ['on', 'off'], help: 'terminal bell on a message from someone else' },
  notifications: { values: ['off', 'on'], help: 'desktop notification (OSC 9 / OSC 777) on a message' },
  'notify-text': { values: ['off', 'on'], help: 'put the sender and text in notifications' },
  theme: { values: ['dark', 'light', 'no-colour'], help: 'colours for a dark or light terminal, or none' },
  time: { values: ['24h', '12h'], help: 'how times are shown' },
} as const;

export type UiSettingKey = keyof typeof UI_SETTING_KEYS;

export function isUiSettingKey(key: string): key is UiSettingKey {
  return Object.hasOwn(UI_SETTING_KEYS, key);
}

/** The value of a key in words, as `/set` and `pvt config get` show it. */
export function settingWord(s: UiSettings, key: UiSettingKey): string {
  switch (key) {
    case 'bell':
      return s.bell ? 'on' : 'off';
    case 'notifications':
      return s.notifications ? 'on' : 'off';
    case 'notify-text':
      return s.notifyText ? 'on' : 'off';
    case 'theme':
      return s.theme;
    case 'time':
      return s.timeFormat;
  }
}

function normalize(key: UiSettingKey, value: string): string {
  const v = value.trim().toLowerCase();
  if (key === 'theme' && (v === 'no-color' || v === 'none' || v === 'nocolour' || v === 'nocolor'))
    return 'no-colour';
  if (key !== 'theme' && key !== 'time') {
    if (v === 'true' || v === 'yes' || v === '1') return 'on';
    if (v === 'false' || v === 'no' || v === '0') return 'off';
  }
  if (key === 'time' && (v === '24' || v === '12')) return `${v}h`;
  return v;
}

/** Applies `key value` to settings; throws RangeError naming the accepted values for a bad one. */
export function applySetting(
  s: UiSettings,
  key: string,
  value: string,
): { settings: UiSettings; word: string } {
  if (!isUiSettingKey(key)) {
    throw new RangeError(`unknown setting "${key}": one of ${Object.keys(UI_SETTING_KEYS).join(', ')}`);
  }
  const word = normalize(key, value);
  const allowed: readonly string[] = UI_SETTING_KEYS[key].values;
  if (!allowed.includes(word)) {
    throw new RangeError(`"${key}" expected ${allowed.join(' or ')}, got "${value}"`);
  }
  switch (key) {
    case 'bell':
      return { settings: { ...s, bell: word === 'on' }, word };
    case 'notifications':
      return { settings: { ...s, notifications: word === 'on' }, word };
    case 'notify-text':
      return { settings: { ...s, notifyText: word === 'on' }, word };
    case 'theme':
      return { settings: { ...s, theme: word as ThemeName }, word };
    case 'time':
      return { settings: { ...s, timeFormat: word as TimeFormat }, word };
  }
}

export function loadUiSettings(store: UiSettingsStore): UiSettings {
  let s = DEFAULT_UI_SETTINGS;
  for (const [key, value] of store.all()) {
    try {
      s = applySetting(s, key, value).settings;
    } catch {
      // A value this version does not know keeps the default.
    }
  }
  return s;
}

export function saveUiSetting(store: UiSettingsStore, key: string, value: string): UiSettings {
  const current = loadUiSettings(store);
  const { settings, word } = applySetting(current, key, value);
  store.set(key, word);
  return settings;
}

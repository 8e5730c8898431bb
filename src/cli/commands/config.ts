/**
 * `pvt config [get [KEY] | set KEY VALUE]`: the profile's UI settings (bell, notifications,
 * notify-text, theme, time), the same ones `/set` changes in the TUI, stored sealed in the profile.
 */
import { isUiSettingKey, settingWord, UI_SETTING_KEYS, type UiSettingKey } from '../../app/ui-settings.ts';
import { type CommandSpec, UsageError } from '../command.ts';
import { withPvt } from '../session.ts';

const KEYS = Object.keys(UI_SETTING_KEYS) as UiSettingKey[];

export const configCommand: CommandSpec = {
  name: 'config',
  summary: 'show or change settings: bell, notifications, notify-text, theme, time',
  usage: ['pvt config [get [KEY]] [--json]', 'pvt config set KEY VALUE'],
  details: `Settings: ${KEYS.map((k) => `${k} (${UI_SETTING_KEYS[k].values.join('|')}): ${UI_SETTING_KEYS[k].help}`).join('; ')}.`,
  flags: {},
  flagHelp: [],
  async run(ctx, input) {
    const [verb = 'get', key, value, ...rest] = input;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (verb === 'set') {
      if (key === undefined || value === undefined) throw new UsageError('usage: pvt config set KEY VALUE');
      if (!isUiSettingKey(key)) throw new UsageError(`unknown setting "${key}": one of ${KEYS.join(', ')}`);
      const allowed: readonly string[] = UI_SETTING_KEYS[key].values;
      if (!allowed.includes(value.toLowerCase()) && !(key === 'theme' && /^no-?colou?r$/iu.test(value))) {
        throw new UsageError(`"${key}" expected ${allowed.join(' or ')}, got "${value}"`);
      }
      const settings = await withPvt(ctx, (api) => api.setUiSetting(key, value));
      ctx.stdout.write(ctx.json ? `${JSON.stringify(settings)}\n` : `${key} ${settingWord(settings, key)}\n`);
      return 0;
    }
    if (verb !== 'get') throw new UsageError(`unknown action "${verb}": get or set`);
    if (value !== undefined) throw new UsageError(`unexpected argument "${value}"`);
    if (key !== undefined && !isUiSettingKey(key)) {
      throw new UsageError(`unknown setting "${key}": one of ${KEYS.join(', ')}`);
    }
    const settings = await withPvt(ctx, (api) => api.uiSettings());
    if (ctx.json) {
      ctx.stdout.write(`${JSON.stringify(settings)}\n`);
    } else {
      const shown = key === undefined ? KEYS : [key as UiSettingKey];
      ctx.stdout.write(shown.map((k) => `${k} ${settingWord(settings, k)}\n`).join(''));
    }
    return 0;
  },
};

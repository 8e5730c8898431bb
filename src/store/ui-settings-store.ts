/**
 * UI preferences of a profile (bell, notifications, theme, time format) kept in the settings table,
 * each value sealed to its key like every other sensitive column (an attacker reading pvt.db learns
 * only that a preference was set). Values are short words validated by the app layer; this module
 * stores and opens them and knows nothing about what they mean.
 */
import { type SqlAccess, statementCache } from './sql-access.ts';

const PREFIX = 'ui.';

export interface UiSettingsStore {
  /** Every stored UI setting, by key (without the prefix). */
  all(): Map<string, string>;
  set(key: string, value: string): void;
}

export function createUiSettingsStore(sql: SqlAccess): UiSettingsStore {
  const stmt = statementCache(sql.db);
  return {
    all() {
      const rows = sql.read('reading settings', () =>
        stmt("SELECT key, value FROM net_settings WHERE key LIKE 'ui.%'").all(),
      ) as { key: string; value: string }[];
      const out = new Map<string, string>();
      for (const r of rows) {
        const key = r.key.slice(PREFIX.length);
        out.set(key, sql.sealer.openText('settings', 'value', key, Buffer.from(r.value, 'base64')));
      }
      return out;
    },
    set(key, value) {
      const sealed = Buffer.from(sql.sealer.sealText('settings', 'value', key, value)).toString('base64');
      sql.transaction('saving a setting', () => {
        stmt(
          'INSERT INTO net_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        ).run(PREFIX + key, sealed);
      });
    },
  };
}

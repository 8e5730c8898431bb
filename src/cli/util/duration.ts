/**
 * Durations for flags such as --expires ("90s", "30m", "24h", "7d" or plain seconds): the TUI's rules
 * (src/ui/format/duration.ts), with a bad value reported as a usage error.
 */
import { parseDuration as parse } from '../../ui/format/duration.ts';
import { UsageError } from '../command.ts';

export { formatDuration } from '../../ui/format/duration.ts';

export function parseDuration(flag: string, text: string): number {
  const r = parse(text);
  if (!r.ok) throw new UsageError(`${flag} ${r.message}`);
  return r.ms;
}

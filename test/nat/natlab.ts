/**
 * The natlab (../shared/natlab beside the checkout) for tests: why it cannot run here (null when it
 * can), running its commands with a per-file NATLAB_PREFIX, and its status (names and addresses).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
const PATH = join(ROOT, '..', 'shared', 'natlab', 'natlab.sh');

/** null when the lab can run here, else the reason to print with the skip. */
export function natlabSkipReason(env: Record<string, string>): string | null {
  if (!existsSync(PATH)) return `natlab unavailable: ${PATH} not found`;
  const r = spawnSync(PATH, ['preflight'], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.error) return `natlab unavailable: ${r.error.message}`;
  return r.status === 0 ? null : r.stderr.trim().replace(/^natlab: error: /, 'natlab unavailable: ');
}

export const natlab = {
  path: PATH,
  run: (args: readonly string[], env: Record<string, string>): string =>
    execFileSync(PATH, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 }),
  /** `natlab status --json`'s env: NATLAB_GW1_PUBLIC_IP, NATLAB_NS_HOME1, … */
  status: (env: Record<string, string>): Record<string, string> =>
    (JSON.parse(natlab.run(['status', '--json'], env)) as { env: Record<string, string> }).env,
};

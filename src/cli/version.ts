/**
 * The version pvt reports. A bundle (scripts/build.mjs) defines PVT_BUILD_VERSION at build time, so the
 * npm package and the single executable need no package.json at run time; unbundled runs (tests that
 * import src/) read it from the repository's package.json. Knows nothing else.
 */
import { readFileSync } from 'node:fs';

declare const PVT_BUILD_VERSION: string | undefined;

function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

export const PVT_VERSION: string =
  typeof PVT_BUILD_VERSION === 'string' ? PVT_BUILD_VERSION : packageVersion();

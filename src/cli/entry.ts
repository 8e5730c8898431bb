/**
 * Entry point of the bundle (dist/pvt.mjs) that bin/pvt.js, npx and the single executable run. Answers
 * `pvt --version` before anything else is evaluated, then loads the CLI (src/cli/main.ts). The bundle
 * keeps every module but evaluates one only when it is first imported, so `--version` costs the parse
 * of the file and nothing more. Knows nothing about commands.
 */
import { PVT_VERSION } from './version.ts';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${PVT_VERSION}\n`);
} else {
  await import('./main.ts');
}
